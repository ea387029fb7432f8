//! The balance rules (勾稽关系) as data: a TOML rule file (built in, replaceable) expanded into
//! linear checks over field ids, evaluated on one unit's values (with its cells and last year's
//! return) or on the district totals, with the cells most likely wrong.

mod localise;
mod ruleset;

pub use localise::{Change, Repair, localise};
pub use ruleset::{BUILTIN_RULES, Rule, RuleError, RuleSet, YoyCheck};

use nianbao_format::{CellRef, FieldRef, Msg, Reading, Severity, Violation, fields, format_value};

/// A value named in a check, signed, with the short words used in messages.
#[derive(Debug, Clone)]
pub struct Term {
    pub field: usize,
    /// +1 or −1.
    pub sign: i64,
    /// Last year's value of the field.
    pub prior: bool,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ge,
    Le,
}

/// One linear (in)equality: the signed sum of `lhs` compared with that of `rhs`.
#[derive(Debug, Clone)]
pub struct Check {
    pub rule: String,
    pub severity: Severity,
    /// Where it applies: "表三 自然人列".
    pub scope: Msg,
    pub op: Op,
    /// Allowed difference, in the fields' unit.
    pub tolerance: i64,
    pub lhs: Vec<Term>,
    pub rhs: Vec<Term>,
    /// `rhs` is one total of the `lhs` parts (a blank total may be filled from its parts).
    pub is_total: bool,
}

impl Check {
    fn terms(&self) -> impl Iterator<Item = (i64, &Term)> {
        self.lhs
            .iter()
            .map(|t| (t.sign, t))
            .chain(self.rhs.iter().map(|t| (-t.sign, t)))
    }

    /// The coefficient of this year's `field` in lhs − rhs (0 when it is not in the check).
    pub fn coefficient(&self, field: usize) -> i64 {
        self.terms()
            .filter(|(_, t)| t.field == field && !t.prior)
            .map(|(s, _)| s)
            .sum()
    }

    /// Whether a residual (lhs − rhs) satisfies the check, within its tolerance.
    pub fn holds(&self, diff: i64) -> bool {
        match self.op {
            Op::Eq => diff.abs() <= self.tolerance,
            Op::Ge => diff >= -self.tolerance,
            Op::Le => diff <= self.tolerance,
        }
    }
}

/// The values a check sees: one per field, None when unreadable, with cells when known, and
/// last year's values of the same unit when given.
#[derive(Debug, Clone)]
pub struct Values<'a> {
    pub values: Vec<Option<i64>>,
    cells: Option<&'a [Reading]>,
    prior: Option<Vec<Option<i64>>>,
    /// Last year's file, named in the messages of cross-year checks.
    prior_file: Option<String>,
}

impl<'a> Values<'a> {
    pub fn from_readings(readings: &'a [Reading]) -> Values<'a> {
        Values {
            values: readings.iter().map(|r| r.value).collect(),
            cells: Some(readings),
            prior: None,
            prior_file: None,
        }
    }

    /// Values without cells (a unit's compact values).
    pub fn from_values(values: Vec<Option<i64>>) -> Values<'static> {
        Values {
            values,
            cells: None,
            prior: None,
            prior_file: None,
        }
    }

    pub fn from_totals(totals: &[i64]) -> Values<'static> {
        Values {
            values: totals.iter().map(|&v| Some(v)).collect(),
            cells: None,
            prior: None,
            prior_file: None,
        }
    }

    /// Adds last year's values (for the cross-year rules).
    pub fn with_prior(mut self, prior: Vec<Option<i64>>) -> Values<'a> {
        self.prior = Some(prior);
        self
    }

    /// Names last year's file (path relative to its folder) in cross-year messages.
    pub fn with_prior_file(mut self, file: impl Into<String>) -> Values<'a> {
        self.prior_file = Some(file.into());
        self
    }

    pub fn cell(&self, field: usize) -> Option<&CellRef> {
        self.cells
            .and_then(|c| c.get(field))
            .and_then(|r| r.cell.as_ref())
    }

    fn get(&self, t: &Term) -> Option<i64> {
        if t.prior {
            self.prior.as_ref()?.get(t.field).copied().flatten()
        } else {
            self.values.get(t.field).copied().flatten()
        }
    }

    fn side(&self, terms: &[Term]) -> Option<i64> {
        terms
            .iter()
            .try_fold(0i64, |acc, t| acc.checked_add(t.sign * self.get(t)?))
    }

    /// lhs − rhs of a check; None when a value (or last year's return) is missing.
    pub fn residual(&self, check: &Check) -> Option<i64> {
        self.side(&check.lhs)?.checked_sub(self.side(&check.rhs)?)
    }
}

/// Evaluates every check; a check touching an unreadable value, or last year's values when none
/// are given, is skipped (the unreadable value is already an error of its own).
pub fn evaluate(rules: &RuleSet, values: &Values<'_>) -> Vec<Violation> {
    rules
        .checks
        .iter()
        .filter_map(|c| evaluate_check(c, values))
        .collect()
}

/// Every failing check with its violation, in rule-file order (what [`evaluate`] gives, with
/// the check each came from).
pub fn evaluate_checks<'r>(rules: &'r RuleSet, values: &Values<'_>) -> Vec<(&'r Check, Violation)> {
    rules
        .checks
        .iter()
        .filter_map(|c| evaluate_check(c, values).map(|v| (c, v)))
        .collect()
}

/// The checks that fail, with their residuals (lhs − rhs).
pub fn failing<'r>(rules: &'r RuleSet, values: &Values<'_>) -> Vec<(&'r Check, i64)> {
    rules
        .checks
        .iter()
        .filter_map(|c| values.residual(c).filter(|&d| !c.holds(d)).map(|d| (c, d)))
        .collect()
}

fn evaluate_check(check: &Check, values: &Values<'_>) -> Option<Violation> {
    let lhs = values.side(&check.lhs)?;
    let rhs = values.side(&check.rhs)?;
    if check.holds(lhs - rhs) {
        return None;
    }
    let kind = fields()[check.lhs[0].field].kind;
    let fmt = |v: i64| format_value(kind, v);
    let side = |terms: &[Term], total: i64, zh: bool| -> String {
        let name = |t: &Term| if zh { t.zh.clone() } else { t.en.clone() };
        let shown = |t: &Term| {
            let v = values.get(t).map(fmt).unwrap_or_default();
            match values.cell(t.field).filter(|_| !t.prior) {
                Some(c) => format!("{} {}={}", name(t), c.a1(), v),
                None => format!("{}={}", name(t), v),
            }
        };
        if terms.len() == 1 {
            shown(&terms[0])
        } else if terms.len() <= 6 {
            let mut s = String::new();
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    s.push_str(if t.sign < 0 { " − " } else { " + " });
                }
                s.push_str(&shown(t));
            }
            format!("{s} = {}", fmt(total))
        } else {
            let span = match (
                values.cell(terms[0].field),
                values.cell(terms[terms.len() - 1].field),
            ) {
                (Some(a), Some(b)) => format!(" {}:{}", a.a1(), b.a1()),
                _ => String::new(),
            };
            if zh {
                format!("{} 项之和{} = {}", terms.len(), span, fmt(total))
            } else {
                format!("sum of {} items{} = {}", terms.len(), span, fmt(total))
            }
        }
    };
    let sym = match check.op {
        Op::Eq => "≠",
        Op::Ge => "<",
        Op::Le => ">",
    };
    let diff = fmt((lhs - rhs).abs());
    let zh = format!(
        "{}：{} {sym} {}（差 {diff}）",
        check.scope.zh,
        side(&check.lhs, lhs, true),
        side(&check.rhs, rhs, true)
    );
    let en = format!(
        "{}: {} {sym} {} (off by {diff})",
        check.scope.en,
        side(&check.lhs, lhs, false),
        side(&check.rhs, rhs, false)
    );
    let (mut zh, mut en) = (zh, en);
    if let Some(file) = values
        .prior_file
        .as_ref()
        .filter(|_| check.lhs.iter().chain(&check.rhs).any(|t| t.prior))
    {
        zh.push_str(&format!("（上年报表：{file}）"));
        en.push_str(&format!(" (last year's return: {file})"));
    }
    let all = check.lhs.iter().chain(&check.rhs);
    Some(Violation {
        rule: check.rule.clone(),
        severity: check.severity,
        fields: all
            .clone()
            .map(|t| FieldRef {
                index: t.field,
                prior: t.prior,
            })
            .collect(),
        cells: all
            .filter(|t| !t.prior)
            .filter_map(|t| values.cell(t.field).cloned())
            .collect(),
        expected: Some(fmt(lhs)),
        actual: Some(fmt(rhs)),
        message: Msg::new(zh, en),
        ..Default::default()
    })
}

/// A total left blank while its parts are not all zero: the parts stand, the total is taken as
/// their sum, and a warning names the cell. Returns the warnings.
pub fn fill_blank_totals(rules: &RuleSet, readings: &mut [Reading]) -> Vec<Violation> {
    let mut out = Vec::new();
    if !readings.iter().any(|r| r.blank) {
        return out;
    }
    for check in rules.total_order.iter().map(|&i| &rules.checks[i]) {
        let total = &check.rhs[0];
        let r = &readings[total.field];
        if !r.blank || r.value != Some(0) {
            continue;
        }
        let Some(parts) = check
            .lhs
            .iter()
            .try_fold(0i64, |acc, t| Some(acc + readings[t.field].value?))
        else {
            continue;
        };
        if parts == 0 {
            continue;
        }
        let field = &fields()[total.field];
        let v = format_value(field.kind, parts);
        let at = r.cell.as_ref().map(|c| c.to_string()).unwrap_or_default();
        readings[total.field].value = Some(parts);
        out.push(Violation {
            rule: nianbao_format::problem::TOTAL_BLANK.into(),
            severity: Severity::Warning,
            fields: vec![FieldRef::this_year(total.field)],
            cells: readings[total.field].cell.iter().cloned().collect(),
            expected: Some(v.clone()),
            actual: None,
            message: Msg::new(
                format!(
                    "{at}（{}）总计栏空白，按各分项之和计为 {v}",
                    field.label_zh()
                ),
                format!(
                    "{at} ({}) total left blank; taken as the sum of its parts, {v}",
                    field.id
                ),
            ),
            ..Default::default()
        });
    }
    out
}

#[cfg(test)]
mod tests;

/// Evaluates a unit's values and names, on every failed rule, the cells most likely wrong
/// ("最可能出错：D24，应为 264"), or the candidates when several repairs fit equally.
pub fn check_unit(rules: &RuleSet, values: &Values<'_>) -> Vec<Violation> {
    let mut out = evaluate(rules, values);
    attach_suspects(rules, values, &mut out);
    out.extend(year_on_year(rules, values));
    out
}

/// The year-on-year warnings (`[[yoy]]`): a field whose value grew or shrank by more than the
/// factor since last year, the larger of the two at least the floor. Nothing without last
/// year's values; a field unreadable in either year is skipped.
pub fn year_on_year(rules: &RuleSet, values: &Values<'_>) -> Vec<Violation> {
    let Some(prior) = &values.prior else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for y in &rules.yoy {
        let (Some(now), Some(last)) = (
            values.values.get(y.field).copied().flatten(),
            prior.get(y.field).copied().flatten(),
        ) else {
            continue;
        };
        let (hi, lo) = (now.max(last), now.min(last));
        // hi > factor · lo, exactly (factor in hundredths).
        if hi < y.floor || i128::from(hi) * 100 <= i128::from(y.factor) * i128::from(lo) {
            continue;
        }
        let field = &fields()[y.field];
        let fmt = |v: i64| format_value(field.kind, v);
        let ratio = |zh: bool| -> String {
            match (now, last) {
                (_, 0) => if zh {
                    "（上年为 0）"
                } else {
                    " (0 last year)"
                }
                .to_string(),
                (0, _) => if zh {
                    "（本年为 0）"
                } else {
                    " (0 this year)"
                }
                .to_string(),
                _ => {
                    // One decimal, rounded half up, of the larger over the smaller.
                    let tenths = (i128::from(hi) * 20 / i128::from(lo) + 1) / 2;
                    let sym = if now >= last { "×" } else { "÷" };
                    let r = format!("{sym}{}.{}", tenths / 10, tenths % 10);
                    if zh {
                        format!("（{r}）")
                    } else {
                        format!(" ({r})")
                    }
                }
            }
        };
        let label = yoy_label(field);
        out.push(Violation {
            rule: y.rule.clone(),
            severity: y.severity,
            fields: vec![
                FieldRef::this_year(y.field),
                FieldRef {
                    index: y.field,
                    prior: true,
                },
            ],
            cells: values.cell(y.field).cloned().into_iter().collect(),
            expected: Some(fmt(now)),
            actual: Some(fmt(last)),
            message: Msg::new(
                format!(
                    "{label}：本年 {}，上年 {}{}",
                    fmt(now),
                    fmt(last),
                    ratio(true)
                ),
                format!(
                    "{}: this year {}, last year {}{}",
                    field.id,
                    fmt(now),
                    fmt(last),
                    ratio(false)
                ),
            ),
            year_on_year: Some(nianbao_format::YearOnYear {
                field: field.id.clone(),
                this_year: now,
                last_year: last,
            }),
            ..Default::default()
        });
    }
    out
}

/// "表三 本年新收 自然人", "表三 办理结果 总计", "表二 行政许可 本年处理决定数量", "表四 行政复议 总计".
fn yoy_label(field: &nianbao_format::Field) -> String {
    let row = field.row_label.rsplit(" › ").next().unwrap_or_default();
    let row = match (field.table, field.id.split('.').nth(1)) {
        (nianbao_format::Table::T3, Some("new")) => "本年新收",
        (nianbao_format::Table::T3, Some("carried_over")) => "上年结转",
        (nianbao_format::Table::T3, Some("carried_forward")) => "结转下年度",
        (nianbao_format::Table::T3, Some("total")) => "办理结果",
        _ => nianbao_format::strip_enumerator(row),
    };
    format!("{} {row} {}", field.table.short_zh(), field.col_label)
}

/// Names, on every failed rule, the cells most likely wrong (error localisation).
fn attach_suspects(rules: &RuleSet, values: &Values<'_>, out: &mut [Violation]) {
    if out.is_empty() {
        return;
    }
    let repairs = localise(rules, values);
    for v in out.iter_mut() {
        let touches = |r: &&Repair| {
            r.changes
                .iter()
                .any(|c| v.fields.contains(&FieldRef::this_year(c.field)))
        };
        let relevant: Vec<&Repair> = repairs.iter().filter(touches).collect();
        let Some(first) = relevant.first() else {
            continue;
        };
        let (best_size, tied) = (first.changes.len(), first.tied);
        let mut seen = std::collections::HashSet::new();
        for r in relevant.iter().filter(|r| r.changes.len() == best_size) {
            // A two-cell repair names, on each rule, only its cell in that rule.
            for c in r
                .changes
                .iter()
                .filter(|c| v.fields.contains(&FieldRef::this_year(c.field)))
            {
                let field = &fields()[c.field];
                if seen.insert(c.field) {
                    v.suspects.push(nianbao_format::Suspect {
                        cell: values.cell(c.field).cloned(),
                        field: field.id.clone(),
                        value: c.value,
                        suggested: c.suggested,
                    });
                }
            }
        }
        v.suspects_tied = tied && v.suspects.len() > 1;
        if let Some(text) = suspect_text(v) {
            v.message.zh.push_str(&text.zh);
            v.message.en.push_str(&text.en);
        }
    }
}

fn suspect_text(v: &Violation) -> Option<Msg> {
    let name =
        |s: &nianbao_format::Suspect| s.cell.as_ref().map_or_else(|| s.field.clone(), |c| c.a1());
    let first = v.suspects.first()?;
    if v.suspects_tied {
        let list: Vec<String> = v
            .suspects
            .iter()
            .take(6)
            .map(|s| format!("{} 应为 {}", name(s), s.suggested_text()))
            .collect();
        let en: Vec<String> = v
            .suspects
            .iter()
            .take(6)
            .map(|s| format!("{} should be {}", name(s), s.suggested_text()))
            .collect();
        Some(Msg::new(
            format!(
                "；多种修正同样可能，无法确定哪一格出错：{}",
                list.join("，或 ")
            ),
            format!(
                "; several repairs fit equally, cannot tell which cell is wrong: {}",
                en.join(", or ")
            ),
        ))
    } else {
        Some(Msg::new(
            format!(
                "；最可能出错：{}，应为 {}",
                name(first),
                first.suggested_text()
            ),
            format!(
                "; most likely wrong: {}, should be {}",
                name(first),
                first.suggested_text()
            ),
        ))
    }
}
