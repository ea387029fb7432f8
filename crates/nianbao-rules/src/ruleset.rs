//! Rule files: TOML rules over field ids with sets, expanded into linear checks.

use std::collections::BTreeMap;

use nianbao_format::{Msg, Severity, T2_ROWS, T3_COLS, T3_ROWS, T4_GROUPS, field_index, fields};
use serde::Deserialize;
use toml::Spanned;

use crate::{Check, Op, Term};

/// Why a rule file cannot be used: the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("规则文件第 {line} 行：{}", reason.zh)]
pub struct RuleError {
    pub line: usize,
    pub reason: Msg,
}

impl RuleError {
    /// "规则文件第 3 行：…" / "rule file, line 3: …".
    pub fn message(&self) -> Msg {
        Msg::new(
            format!("规则文件第 {} 行：{}", self.line, self.reason.zh),
            format!("rule file, line {}: {}", self.line, self.reason.en),
        )
    }
}

/// A rule as written in the file.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub description: Msg,
    /// Whether the rule compares with last year's return.
    pub cross_year: bool,
    /// Whether an explanation (出错说明) may accept an error of this rule (`waivable = true`).
    /// Warnings can always be explained; an error must be fixed unless its rule says so.
    pub waivable: bool,
}

/// A year-on-year check of one field (a `[[yoy]]` family of the rule file): a warning when
/// this year's value and last year's differ by more than `factor` times, the larger of the two
/// at least `floor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YoyCheck {
    pub rule: String,
    pub severity: Severity,
    pub field: usize,
    /// The factor in hundredths (5 → 500), compared exactly.
    pub factor: i64,
    /// The floor in the field's unit (hundredths of 万元 for the amount).
    pub floor: i64,
}

/// A loaded rule set: the rules and the checks they expand to.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub checks: Vec<Check>,
    /// The year-on-year checks (`[[yoy]]`), run when last year's values are given.
    pub yoy: Vec<YoyCheck>,
    /// The checks that are one total of their parts, in the order blank totals are filled:
    /// totals whose parts are not totals themselves first, so the corner sees filled rows.
    /// Worked out once here, not for every return.
    pub total_order: Vec<usize>,
}

/// The total checks in the order [`RuleSet::total_order`] says.
fn total_order(checks: &[Check]) -> Vec<usize> {
    let totals: std::collections::HashSet<usize> = checks
        .iter()
        .filter(|c| c.is_total)
        .map(|c| c.rhs[0].field)
        .collect();
    let mut order: Vec<usize> = (0..checks.len()).filter(|&i| checks[i].is_total).collect();
    order.sort_by_key(|&i| checks[i].lhs.iter().any(|t| totals.contains(&t.field)));
    order
}

/// The rule file compiled into the binary.
pub const BUILTIN_RULES: &str = include_str!("../rules.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    sets: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RuleDef>>,
    #[serde(default, rename = "yoy")]
    yoy: Vec<Spanned<YoyDef>>,
}

/// A `[[yoy]]` family: fields (sets allowed) compared with last year's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YoyDef {
    id: String,
    #[serde(default = "warning")]
    severity: String,
    zh: String,
    en: String,
    fields: Spanned<Vec<String>>,
    #[serde(default = "default_factor")]
    factor: f64,
    #[serde(default = "default_floor")]
    floor: f64,
}

fn warning() -> String {
    "warning".into()
}

fn default_factor() -> f64 {
    5.0
}

fn default_floor() -> f64 {
    20.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    #[serde(default = "default_severity")]
    severity: String,
    zh: String,
    en: String,
    #[serde(default)]
    tolerance: i64,
    #[serde(default)]
    waivable: bool,
    #[serde(default, rename = "for")]
    for_each: BTreeMap<String, String>,
    scope: Option<ScopeDef>,
    check: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeDef {
    zh: String,
    en: String,
}

fn default_severity() -> String {
    "error".into()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

impl RuleSet {
    /// The built-in rules (the format's balance rules and the cross-year rules).
    pub fn builtin() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| {
            RuleSet::parse(BUILTIN_RULES).expect("the built-in rule file is valid (tested)")
        })
    }

    /// Parses a rule file; any unknown field, set or variable fails with its line.
    pub fn parse(text: &str) -> Result<RuleSet, RuleError> {
        let file: File = toml::from_str(text).map_err(|e| RuleError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            reason: Msg::new(
                format!("TOML 格式有误：{}", e.message()),
                format!("not valid TOML: {}", e.message()),
            ),
        })?;
        let mut rules = Vec::new();
        let mut checks = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for spanned in &file.rules {
            let line = line_of(text, spanned.span().start);
            let def = spanned.get_ref();
            let err = |zh: String, en: String| RuleError {
                line,
                reason: Msg::new(zh, en),
            };
            if !ids.insert(def.id.clone()) {
                return Err(err(
                    format!("规则 id “{}” 重复", def.id),
                    format!("rule id \"{}\" appears twice", def.id),
                ));
            }
            let severity = severity_of(&def.severity).map_err(|m| err(m.zh, m.en))?;
            if def.tolerance < 0 {
                return Err(err(
                    "tolerance 不能为负数".into(),
                    "tolerance cannot be negative".into(),
                ));
            }
            let check_line = line_of(text, def.check.span().start);
            let cerr = |reason: Msg| RuleError {
                line: check_line,
                reason,
            };
            let (var, members) = match def.for_each.len() {
                0 => (None, vec![String::new()]),
                1 => {
                    let (var, set) = def.for_each.iter().next().expect("one entry");
                    let members = file.sets.get(set).ok_or_else(|| {
                        err(
                            format!("未定义的集合 “{set}”"),
                            format!("undefined set \"{set}\""),
                        )
                    })?;
                    (Some(var.as_str()), members.clone())
                }
                _ => {
                    return Err(err(
                        "for 只能绑定一个变量".into(),
                        "for binds one variable only".into(),
                    ));
                }
            };
            let mut cross_year = false;
            for member in &members {
                let (op, lhs, rhs) =
                    expand(def.check.get_ref(), var, member, &file.sets).map_err(cerr)?;
                cross_year |= lhs.iter().chain(&rhs).any(|t| t.prior);
                let scope = match (&def.scope, var) {
                    (Some(s), Some(v)) => {
                        let (zh, en) = member_label(member);
                        let key = format!("{{{v}}}");
                        Msg::new(s.zh.replace(&key, &zh), s.en.replace(&key, &en))
                    }
                    (Some(s), None) => Msg::new(s.zh.clone(), s.en.clone()),
                    (None, _) => Msg::new(def.id.clone(), def.id.clone()),
                };
                let is_total = op == Op::Eq
                    && rhs.len() == 1
                    && lhs.len() > 1
                    && !rhs[0].prior
                    && lhs.iter().all(|t| t.sign == 1 && !t.prior);
                checks.push(Check {
                    rule: def.id.clone(),
                    severity,
                    scope,
                    op,
                    tolerance: def.tolerance,
                    lhs,
                    rhs,
                    is_total,
                });
            }
            rules.push(Rule {
                id: def.id.clone(),
                severity,
                description: Msg::new(def.zh.clone(), def.en.clone()),
                cross_year,
                waivable: def.waivable,
            });
        }
        let mut yoy = Vec::new();
        for spanned in &file.yoy {
            let line = line_of(text, spanned.span().start);
            let def = spanned.get_ref();
            let err = |m: Msg| RuleError { line, reason: m };
            if !ids.insert(def.id.clone()) {
                return Err(err(Msg::new(
                    format!("规则 id “{}” 重复", def.id),
                    format!("rule id \"{}\" appears twice", def.id),
                )));
            }
            let severity = severity_of(&def.severity).map_err(err)?;
            if !(def.factor.is_finite() && def.factor > 1.0 && def.factor <= 1e6) {
                return Err(err(Msg::new(
                    format!("factor 应为大于 1 的数，而不是 {}", def.factor),
                    format!("factor must be a number above 1, not {}", def.factor),
                )));
            }
            if !(def.floor.is_finite() && def.floor >= 0.0 && def.floor <= 1e12) {
                return Err(err(Msg::new(
                    format!("floor 应为不小于 0 的数，而不是 {}", def.floor),
                    format!("floor must be a number of at least 0, not {}", def.floor),
                )));
            }
            let fields_line = line_of(text, def.fields.span().start);
            let mut seen = std::collections::HashSet::new();
            for f in def.fields.get_ref() {
                if f.trim_start().starts_with(nianbao_format::PRIOR_PREFIX) {
                    return Err(RuleError {
                        line: fields_line,
                        reason: Msg::new(
                            format!("yoy 的字段不能带 prior.（自动与上年比较）：“{f}”"),
                            format!(
                                "yoy fields take no prior. (they are compared with last year's): \"{f}\""
                            ),
                        ),
                    });
                }
                let terms =
                    expand_term(f.trim(), 1, None, "", &file.sets).map_err(|reason| RuleError {
                        line: fields_line,
                        reason,
                    })?;
                for t in terms.into_iter().filter(|t| seen.insert(t.field)) {
                    let unit = match fields()[t.field].kind {
                        nianbao_format::Kind::Count => 1.0,
                        nianbao_format::Kind::Amount => 100.0,
                    };
                    yoy.push(YoyCheck {
                        rule: def.id.clone(),
                        severity,
                        field: t.field,
                        factor: (def.factor * 100.0).round() as i64,
                        floor: (def.floor * unit).round() as i64,
                    });
                }
            }
            rules.push(Rule {
                id: def.id.clone(),
                severity,
                description: Msg::new(def.zh.clone(), def.en.clone()),
                cross_year: true,
                waivable: false,
            });
        }
        let total_order = total_order(&checks);
        Ok(RuleSet {
            rules,
            checks,
            yoy,
            total_order,
        })
    }
}

fn severity_of(s: &str) -> Result<Severity, Msg> {
    match s {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        other => Err(Msg::new(
            format!("severity 应为 error 或 warning，而不是 “{other}”"),
            format!("severity must be error or warning, not \"{other}\""),
        )),
    }
}

/// The words a member of a set is called by in messages.
fn member_label(m: &str) -> (String, String) {
    if let Some(c) = T3_COLS.iter().find(|c| c.0 == m) {
        return (c.1.to_string(), m.to_string());
    }
    if let Some(r) = T3_ROWS.iter().find(|r| r.id == m) {
        return (
            nianbao_format::strip_enumerator(r.label).to_string(),
            m.to_string(),
        );
    }
    if let Some(g) = T4_GROUPS.iter().find(|g| g.0 == m) {
        return (g.1.to_string(), m.to_string());
    }
    if let Some(r) = T2_ROWS.iter().find(|r| r.id == m) {
        return (r.label.to_string(), m.to_string());
    }
    (m.to_string(), m.to_string())
}

type Sides = (Op, Vec<Term>, Vec<Term>);

fn expand(
    check: &str,
    var: Option<&str>,
    member: &str,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Sides, Msg> {
    let (op, l, r) = if let Some((l, r)) = check.split_once(">=") {
        (Op::Ge, l, r)
    } else if let Some((l, r)) = check.split_once("<=") {
        (Op::Le, l, r)
    } else if let Some((l, r)) = check.split_once('=') {
        (Op::Eq, l, r)
    } else {
        return Err(Msg::new(
            format!("check 缺少 =、>= 或 <=：“{check}”"),
            format!("check lacks =, >= or <=: \"{check}\""),
        ));
    };
    if r.contains('=') {
        return Err(Msg::new(
            format!("check 只能有一个比较符：“{check}”"),
            format!("check has more than one comparison: \"{check}\""),
        ));
    }
    Ok((op, side(l, var, member, sets)?, side(r, var, member, sets)?))
}

fn side(
    text: &str,
    var: Option<&str>,
    member: &str,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Term>, Msg> {
    let text = text.replace('−', "-");
    let mut terms = Vec::new();
    let mut sign = 1i64;
    let mut cur = String::new();
    let flush = |cur: &mut String, sign: i64, terms: &mut Vec<Term>| -> Result<(), Msg> {
        let t = cur.trim();
        if t.is_empty() {
            return Err(Msg::new(
                "表达式中缺少字段",
                "a field is missing in the expression",
            ));
        }
        terms.extend(expand_term(t, sign, var, member, sets)?);
        cur.clear();
        Ok(())
    };
    for ch in text.chars() {
        match ch {
            '+' | '-' => {
                flush(&mut cur, sign, &mut terms)?;
                sign = if ch == '-' { -1 } else { 1 };
            }
            _ => cur.push(ch),
        }
    }
    flush(&mut cur, sign, &mut terms)?;
    Ok(terms)
}

fn expand_term(
    t: &str,
    sign: i64,
    var: Option<&str>,
    member: &str,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Term>, Msg> {
    let (prior, t) = match t.strip_prefix(nianbao_format::PRIOR_PREFIX) {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let mut id = t.to_string();
    if let Some(v) = var {
        id = id.replace(&format!("${v}"), member);
    }
    if let Some(pos) = id.find('$') {
        return Err(Msg::new(
            format!("未绑定的变量 “{}”", &id[pos..]),
            format!("unbound variable \"{}\"", &id[pos..]),
        ));
    }
    let ids: Vec<String> = match (id.find('['), id.find(']')) {
        (Some(a), Some(b)) if a < b => {
            let set = &id[a + 1..b];
            let members = sets.get(set).ok_or_else(|| {
                Msg::new(
                    format!("未定义的集合 “{set}”"),
                    format!("undefined set \"{set}\""),
                )
            })?;
            members
                .iter()
                .map(|m| format!("{}{}{}", &id[..a], m, &id[b + 1..]))
                .collect()
        }
        (None, None) => vec![id],
        _ => {
            return Err(Msg::new(
                format!("集合写法有误：“{t}”"),
                format!("malformed set: \"{t}\""),
            ));
        }
    };
    ids.into_iter()
        .map(|id| {
            let field = field_index(&id).ok_or_else(|| {
                Msg::new(
                    format!("未知字段 “{id}”"),
                    format!("unknown field \"{id}\""),
                )
            })?;
            let (zh, en) = term_name(field, member, prior);
            Ok(Term {
                field,
                sign,
                prior,
                zh,
                en,
            })
        })
        .collect()
}

/// A term's words: the part of its field that the check's variable does not fix.
fn term_name(field: usize, member: &str, prior: bool) -> (String, String) {
    let f = &fields()[field];
    let id = &f.id;
    let parts: Vec<&str> = id.splitn(2, '.').collect();
    let rest = parts.get(1).copied().unwrap_or("");
    let (row_id, col_id) = rest.rsplit_once('.').unwrap_or((rest, ""));
    let (zh, en) = if !member.is_empty() && row_id == member {
        (f.col_label.to_string(), col_id.to_string())
    } else if f.table == nianbao_format::Table::T3 {
        let short = match row_id {
            "new" => "新收",
            "carried_over" => "上年结转",
            "total" => "办理结果总计",
            "carried_forward" => "结转下年度",
            _ => nianbao_format::strip_enumerator(T3_ROWS[f.row].label),
        };
        (short.to_string(), row_id.to_string())
    } else if f.table == nianbao_format::Table::T2 {
        (
            format!("{}{}", T2_ROWS[f.row].label, f.col_label),
            format!("{row_id} {col_id}"),
        )
    } else {
        (f.col_label.to_string(), col_id.to_string())
    };
    if prior {
        (format!("上年{zh}"), format!("prior {en}"))
    } else {
        (zh, en)
    }
}
