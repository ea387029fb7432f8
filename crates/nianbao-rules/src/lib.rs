//! The balance rules (勾稽关系) of the format, evaluated on one unit's values (with its cells)
//! or on the district totals, each failure a violation a clerk can read aloud.

use std::sync::OnceLock;

use nianbao_format::{
    CellRef, Msg, Reading, Severity, T3_CARRIED_FORWARD, T3_CARRIED_OVER, T3_COLS, T3_NEW,
    T3_RESULT_ROWS, T3_ROWS, T3_TOTAL, T3_TOTAL_COL, T4_GROUPS, T4_RESULTS, T4_TOTAL, Violation,
    fields, format_value, t3_index, t4_index,
};

/// A value named in a check, with the short words used in messages.
#[derive(Debug, Clone)]
pub struct Term {
    pub field: usize,
    pub zh: String,
    pub en: String,
}

/// One linear equality: the sum of `lhs` equals the sum of `rhs`.
#[derive(Debug, Clone)]
pub struct Check {
    /// Rule id, e.g. `balance`, `t3.result_sum`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Where it applies: "表三 自然人列".
    pub scope: Msg,
    pub lhs: Vec<Term>,
    pub rhs: Vec<Term>,
    /// Whether `rhs` is a single total of the `lhs` parts (a blank total may then be filled).
    pub is_total: bool,
}

fn term(field: usize, zh: &str, en: &str) -> Term {
    Term {
        field,
        zh: zh.into(),
        en: en.into(),
    }
}

fn t3_row_term(r: usize, c: usize) -> Term {
    let (zh, en) = match T3_ROWS[r].id {
        "new" => ("新收", "new"),
        "carried_over" => ("上年结转", "carried over"),
        "total" => ("办理结果总计", "results total"),
        "carried_forward" => ("结转下年度", "carried forward"),
        _ => (strip_enum(T3_ROWS[r].label), T3_ROWS[r].id),
    };
    term(t3_index(r, c), zh, en)
}

fn strip_enum(label: &str) -> &str {
    label
        .split_once(['.', '、', '）'])
        .map_or(label, |(_, rest)| rest)
}

/// Every check of the format, in a stable order.
pub fn checks() -> &'static [Check] {
    static CHECKS: OnceLock<Vec<Check>> = OnceLock::new();
    CHECKS.get_or_init(build_checks)
}

fn build_checks() -> Vec<Check> {
    let mut out = Vec::new();
    for (c, (cid, clabel, _)) in T3_COLS.iter().enumerate() {
        let scope = Msg::new(format!("表三 {clabel}列"), format!("table 3, column {cid}"));
        out.push(Check {
            rule: "balance",
            severity: Severity::Error,
            scope: scope.clone(),
            lhs: vec![t3_row_term(T3_NEW, c), t3_row_term(T3_CARRIED_OVER, c)],
            rhs: vec![t3_row_term(T3_TOTAL, c), t3_row_term(T3_CARRIED_FORWARD, c)],
            is_total: false,
        });
        out.push(Check {
            rule: "t3.result_sum",
            severity: Severity::Error,
            scope,
            lhs: T3_RESULT_ROWS.map(|r| t3_row_term(r, c)).collect(),
            rhs: vec![t3_row_term(T3_TOTAL, c)],
            is_total: true,
        });
    }
    for (r, row) in T3_ROWS.iter().enumerate() {
        out.push(Check {
            rule: "t3.applicant_sum",
            severity: Severity::Error,
            scope: Msg::new(
                format!("表三 “{}”行", strip_enum(row.label)),
                format!("table 3, row {}", row.id),
            ),
            lhs: (0..T3_TOTAL_COL)
                .map(|c| term(t3_index(r, c), T3_COLS[c].1, T3_COLS[c].0))
                .collect(),
            rhs: vec![term(t3_index(r, T3_TOTAL_COL), "总计", "total")],
            is_total: true,
        });
    }
    for (g, (gid, glabel, _)) in T4_GROUPS.iter().enumerate() {
        out.push(Check {
            rule: "t4.group_sum",
            severity: Severity::Error,
            scope: Msg::new(format!("表四 {glabel}"), format!("table 4, {gid}")),
            lhs: (0..T4_TOTAL)
                .map(|i| term(t4_index(g, i), T4_RESULTS[i].1, T4_RESULTS[i].0))
                .collect(),
            rhs: vec![term(t4_index(g, T4_TOTAL), "总计", "total")],
            is_total: true,
        });
    }
    out
}

/// The values a check sees: one per field, None when unreadable, with cells when known.
pub struct Values<'a> {
    values: Vec<Option<i64>>,
    cells: Option<&'a [Reading]>,
}

impl<'a> Values<'a> {
    pub fn from_readings(readings: &'a [Reading]) -> Values<'a> {
        Values {
            values: readings.iter().map(|r| r.value).collect(),
            cells: Some(readings),
        }
    }

    pub fn from_totals(totals: &[i64]) -> Values<'static> {
        Values {
            values: totals.iter().map(|&v| Some(v)).collect(),
            cells: None,
        }
    }

    fn cell(&self, field: usize) -> Option<&CellRef> {
        self.cells
            .and_then(|c| c.get(field))
            .and_then(|r| r.cell.as_ref())
    }
}

/// Evaluates every check; a check touching an unreadable value is skipped (that value is already
/// an error of its own).
pub fn evaluate(values: &Values<'_>) -> Vec<Violation> {
    checks()
        .iter()
        .filter_map(|c| evaluate_check(c, values))
        .collect()
}

fn sum(terms: &[Term], values: &Values<'_>) -> Option<i64> {
    terms.iter().try_fold(0i64, |acc, t| {
        acc.checked_add(values.values.get(t.field).copied().flatten()?)
    })
}

fn evaluate_check(check: &Check, values: &Values<'_>) -> Option<Violation> {
    let lhs = sum(&check.lhs, values)?;
    let rhs = sum(&check.rhs, values)?;
    if lhs == rhs {
        return None;
    }
    let kind = fields()[check.lhs[0].field].kind;
    let fmt = |v: i64| format_value(kind, v);
    let side = |terms: &[Term], total: i64, zh: bool| -> String {
        let name = |t: &Term| if zh { t.zh.clone() } else { t.en.clone() };
        let shown = |t: &Term| {
            let v = values.values[t.field].map(fmt).unwrap_or_default();
            match values.cell(t.field) {
                Some(c) => format!("{} {}={}", name(t), c.a1(), v),
                None => format!("{}={}", name(t), v),
            }
        };
        if terms.len() == 1 {
            shown(&terms[0])
        } else if terms.len() <= 6 {
            format!(
                "{} = {}",
                terms.iter().map(shown).collect::<Vec<_>>().join(" + "),
                fmt(total)
            )
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
    let diff = fmt((lhs - rhs).abs());
    let zh = format!(
        "{}：{} ≠ {}（差 {diff}）",
        check.scope.zh,
        side(&check.lhs, lhs, true),
        side(&check.rhs, rhs, true)
    );
    let en = format!(
        "{}: {} ≠ {} (off by {diff})",
        check.scope.en,
        side(&check.lhs, lhs, false),
        side(&check.rhs, rhs, false)
    );
    let all = check.lhs.iter().chain(&check.rhs);
    Some(Violation {
        rule: check.rule.into(),
        severity: check.severity,
        fields: all.clone().map(|t| fields()[t.field].id.clone()).collect(),
        cells: all.filter_map(|t| values.cell(t.field).cloned()).collect(),
        expected: Some(fmt(lhs)),
        actual: Some(fmt(rhs)),
        message: Msg::new(zh, en),
    })
}

/// A total left blank while its parts are not all zero: the parts stand, the total is taken as
/// their sum, and a warning names the cell. Returns the warnings.
pub fn fill_blank_totals(readings: &mut [Reading]) -> Vec<Violation> {
    let mut out = Vec::new();
    // Row totals before column totals, so that the corner (总计 × 总计) sees filled rows.
    let mut order: Vec<&Check> = checks()
        .iter()
        .filter(|c| c.is_total && c.rule != "t3.result_sum")
        .collect();
    order.extend(checks().iter().filter(|c| c.rule == "t3.result_sum"));
    for check in order {
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
            rule: "total.blank".into(),
            severity: Severity::Warning,
            fields: vec![field.id.clone()],
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
        });
    }
    out
}

#[cfg(test)]
mod tests;
