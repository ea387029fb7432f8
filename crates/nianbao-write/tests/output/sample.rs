//! A unit's return as the checks really see it: balanced values with planted errors, written as
//! a file of its own (the layout of `全区汇总`, whose tables start three rows higher than those of
//! the annotated return), read back by `nianbao-read` (so every value has the cell of that file),
//! checked by `nianbao-rules` with last year's values. Every violation's message names the cells
//! of that file. Also used by `examples/sample.rs`.

use nianbao_format::{
    CellRef, Coverage, FIELD_COUNT, Msg, Reading, Report, Severity, T3_CARRIED_FORWARD,
    T3_CARRIED_OVER, T3_COLS, T3_NEW, T3_RESULT_ROWS, T3_ROWS, T3_TOTAL, T4_GROUPS, T4_RESULTS,
    T4_TOTAL, UnitEntry, UnitStatus, Violation, field_index, fields, t2_index, t3_index, t4_index,
};
use nianbao_rules::{RuleSet, Values, check_unit, fill_blank_totals};
use nianbao_write::{WriteOptions, workbook_bytes};

pub const NAME: &str = "区教育局";

/// Values that pass every built-in rule, all distinct enough that a value read from a
/// neighbouring cell (three rows up or down, one column over) is a different number.
pub fn balanced() -> Vec<i64> {
    let mut v = vec![0i64; FIELD_COUNT];
    for (i, x) in v.iter_mut().enumerate().take(10) {
        *x = 30 + 11 * i as i64;
    }
    let applicants = T3_COLS.len() - 1;
    for c in 0..applicants {
        let c64 = c as i64;
        let mut total = 0;
        for r in T3_RESULT_ROWS {
            let x = 1 + 7 * r as i64 + c64;
            v[t3_index(r, c)] = x;
            total += x;
        }
        v[t3_index(T3_TOTAL, c)] = total;
        let (over, forward) = (2 + c64, 3 + 2 * c64);
        v[t3_index(T3_CARRIED_OVER, c)] = over;
        v[t3_index(T3_CARRIED_FORWARD, c)] = forward;
        v[t3_index(T3_NEW, c)] = total + forward - over;
    }
    for r in 0..T3_ROWS.len() {
        v[t3_index(r, applicants)] = (0..applicants).map(|c| v[t3_index(r, c)]).sum();
    }
    for g in 0..T4_GROUPS.len() {
        let parts: Vec<i64> = (0..T4_TOTAL)
            .map(|k| 1 + 13 * g as i64 + 3 * k as i64)
            .collect();
        for (k, x) in parts.iter().enumerate() {
            v[t4_index(g, k)] = *x;
        }
        v[t4_index(g, T4_TOTAL)] = parts.iter().sum();
    }
    debug_assert_eq!(T4_RESULTS.len(), T4_TOTAL + 1);
    v
}

fn idx(id: &str) -> usize {
    field_index(id).unwrap_or_else(|| panic!("no field {id}"))
}

/// The unit, its violations (as the checks report them, with the cells of its own file) and
/// last year's values.
pub struct Case {
    pub unit: UnitEntry,
    pub violations: Vec<Violation>,
    pub prior: Vec<Option<i64>>,
}

/// Fields the planted errors concern. 上年结转 of 自然人 is one too many: it breaks its column,
/// its row, and agrees no more with last year's 结转下年度.
pub const WRONG_CARRIED_OVER: &str = "t3.carried_over.natural_person";
pub const WRONG_RESULT: &str = "t3.withheld.third_party.research";
pub const WRONG_T4_TOTAL: &str = "t4.review.total";
pub const BLANK_TOTAL: &str = "t4.suit_direct.total";
pub const UNREADABLE: &str = "t4.suit_after_review.upheld";
/// The column whose 上年结转 disagrees with last year's 结转下年度.
pub const PRIOR_COLUMN: &str = "natural_person";

pub fn case() -> Case {
    let good = balanced();
    let mut values = good.clone();
    values[idx(WRONG_CARRIED_OVER)] += 1;
    values[idx(WRONG_RESULT)] += 5;
    values[idx(WRONG_T4_TOTAL)] -= 2;
    values[idx(BLANK_TOTAL)] = 0;
    let report = Report {
        year: Some(2022),
        units: vec![],
        totals: values,
        violations: vec![],
        files: vec![],
        coverage: Coverage::default(),
        waivers: Default::default(),
    };
    let bytes = workbook_bytes(&report, &WriteOptions::default()).expect("workbook");
    let ret = nianbao_read::read_bytes(&bytes, "教育局.xlsx").expect("reads as a return");
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    let mut readings: Vec<Reading> = ret.readings;

    // A total left blank, and a value that is not a number, as the reader reports it.
    let blank = idx(BLANK_TOTAL);
    readings[blank].blank = true;
    readings[blank].raw = String::new();
    let u = idx(UNREADABLE);
    readings[u].value = None;
    readings[u].raw = "约10".into();
    let at: &CellRef = readings[u].cell.as_ref().expect("a cell");
    let field = &fields()[u];
    let mut violations = vec![Violation {
        rule: "value.not_a_number".into(),
        severity: Severity::Error,
        fields: vec![nianbao_format::FieldRef::this_year(field.index)],
        cells: vec![at.clone()],
        expected: None,
        actual: Some("约10".into()),
        message: Msg::new(
            format!(
                "{at}（{}）“约10”不是数字，请只填写阿拉伯数字（不带单位或文字）",
                field.label_zh()
            ),
            format!(
                "{at} ({}) \"约10\" is not a number: type digits only, no units or words",
                field.id
            ),
        ),
        ..Default::default()
    }];

    let rules = RuleSet::builtin();
    violations.extend(fill_blank_totals(rules, &mut readings));
    // Last year's 结转下年度 is this year's 上年结转 as it should be.
    let mut prior: Vec<Option<i64>> = good.iter().map(|&x| Some(x)).collect();
    for c in 0..T3_COLS.len() {
        prior[t3_index(T3_CARRIED_FORWARD, c)] = Some(good[t3_index(T3_CARRIED_OVER, c)]);
    }
    // 现行有效件数 follows from last year's, except for 规章.
    for d in 0..2 {
        let (issued, repealed, in_force) = (t2_index(d, 0), t2_index(d, 1), t2_index(d, 2));
        let off = if d == 0 { 3 } else { 0 };
        prior[in_force] = Some(good[in_force] - good[issued] + good[repealed] + off);
    }
    let values = Values::from_readings(&readings).with_prior(prior.clone());
    violations.extend(check_unit(rules, &values));
    let errors = violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .count();
    let warnings = violations
        .iter()
        .filter(|v| v.severity == Severity::Warning)
        .count();
    let unit = UnitEntry {
        unit: "U05".into(),
        name: NAME.into(),
        kind: Some("department".into()),
        files: vec!["教育局.xlsx".into()],
        status: UnitStatus::Errors,
        readings: Some(readings),
        values: None,
        in_totals: false,
        errors,
        warnings,
        blanks: 1,
        note: None,
    };
    Case {
        unit,
        violations,
        prior,
    }
}
