//! Explanations (出错说明): the office accepts a unit's warnings of a rule, with a reason and
//! until a date. The waiver file is CSV (UTF-8 or GB18030, as Excel saves it) with the columns
//! `unit,rule,reason,expires` (or 单位,规则,说明,到期).
//!
//! [`load`] refuses, with the file's line, what would silently explain nothing or explain what
//! must be fixed: an unknown unit or rule id, a date that is not one, an empty reason, the same
//! unit and rule twice, and an error rule that the rule file does not mark `waivable = true`.
//! [`apply`] marks the violations it explains (they stay listed, 已说明, and no longer count),
//! recounts each unit's errors, warnings and status, and tells which explanations expired and
//! which matched nothing.

use std::collections::HashMap;
use std::path::Path;

use nianbao_consolidate::Roster;
use nianbao_format::{
    DISTRICT, Msg, Report, Severity, UnitStatus, Waived, Waiver, WaiverOutcome, normalize_label,
    problem,
};
use nianbao_rules::RuleSet;

use crate::RunError;
use crate::date::Date;

/// Why a waiver file cannot be used: the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverError {
    pub line: usize,
    pub reason: Msg,
}

fn refuse(line: usize, zh: impl Into<String>, en: impl Into<String>) -> WaiverError {
    WaiverError {
        line,
        reason: Msg::new(zh, en),
    }
}

/// The explanations of the waiver file at `path`, checked against the rules and the roster
/// (without a roster, units are the names found, and any is taken). Any problem is the run's
/// error, naming the file and its line.
pub fn load(
    path: &Path,
    rules: &RuleSet,
    roster: Option<&Roster>,
) -> Result<Vec<Waiver>, RunError> {
    let bytes = std::fs::read(path).map_err(|e| {
        RunError::io(
            "无法读取出错说明文件",
            "cannot read the waiver file",
            path,
            &e,
        )
    })?;
    if bytes.len() as u64 > nianbao_read::MAX_FILE_SIZE {
        return Err(RunError::new(
            format!("出错说明文件过大：{}", path.display()),
            format!("the waiver file is too large: {}", path.display()),
        ));
    }
    parse(&bytes, rules, roster).map_err(|e| {
        // Line 0: the file as a whole (a workbook that cannot be read).
        let (zh_at, en_at) = match e.line {
            0 => (String::new(), String::new()),
            n => (format!(" 第 {n} 行"), format!(", line {n}")),
        };
        RunError::new(
            format!("出错说明文件 {}{zh_at}：{}", path.display(), e.reason.zh),
            format!("the waiver file {}{en_at}: {}", path.display(), e.reason.en),
        )
    })
}

/// The explanations in a waiver file's bytes (see [`load`]).
pub fn parse(
    bytes: &[u8],
    rules: &RuleSet,
    roster: Option<&Roster>,
) -> Result<Vec<Waiver>, WaiverError> {
    // Kept as a workbook (its first sheet), as rosters may be; else CSV in any encoding.
    let rows = nianbao_consolidate::table_rows(bytes).map_err(|(line, why)| match line {
        0 => refuse(
            0,
            format!("无法读取此表格：{}", why.zh),
            format!("cannot read the workbook: {}", why.en),
        ),
        _ => WaiverError { line, reason: why },
    })?;
    let mut rows = rows.into_iter();
    let Some((header_line, headers)) = rows.next() else {
        return Ok(Vec::new());
    };
    let col = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{FEFF}');
            names.iter().any(|n| h.eq_ignore_ascii_case(n))
        })
    };
    let (Some(c_unit), Some(c_rule), Some(c_reason)) = (
        col(&["unit", "单位", "单位代码", "代码", "code"]),
        col(&["rule", "规则", "规则编号", "rule id"]),
        col(&["reason", "说明", "原因", "理由", "出错说明"]),
    ) else {
        return Err(refuse(
            header_line,
            "表头须为 unit,rule,reason,expires（或 单位,规则,说明,到期）",
            "the header must be unit,rule,reason,expires (or 单位,规则,说明,到期)",
        ));
    };
    let c_expires = col(&["expires", "到期", "到期日", "有效期至", "截止日期"]);
    let mut out: Vec<Waiver> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (line, rec) in rows {
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map_or("", |s| s.as_str())
                .trim()
                .to_string()
        };
        let (unit, rule, reason, expires) = (
            get(Some(c_unit)),
            get(Some(c_rule)),
            get(Some(c_reason)),
            get(c_expires),
        );
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if unit.is_empty() || rule.is_empty() {
            return Err(refuse(
                line,
                "单位和规则不能为空",
                "unit and rule cannot be empty",
            ));
        }
        if reason.is_empty() {
            return Err(refuse(
                line,
                "说明不能为空：写明为什么接受",
                "the reason cannot be empty: say why it is accepted",
            ));
        }
        let unit = unit_code(&unit, roster).ok_or_else(|| {
            refuse(
                line,
                format!("单位“{unit}”不在报送名单中（写名单中的单位代码或名称）"),
                format!("the unit \"{unit}\" is not on the roster (write its code or name)"),
            )
        })?;
        check_rule(&rule, rules).map_err(|why| WaiverError { line, reason: why })?;
        let expires = if expires.is_empty() {
            None
        } else {
            let date = Date::parse(&expires).ok_or_else(|| {
                refuse(
                    line,
                    format!("到期日期“{expires}”不是日期（写作 2024-12-31）"),
                    format!("the expiry \"{expires}\" is not a date (write 2024-12-31)"),
                )
            })?;
            Some(date.to_string())
        };
        if let Some(first) = seen.insert((unit.clone(), rule.clone()), line) {
            return Err(refuse(
                line,
                format!("{unit} 的规则 {rule} 已在第 {first} 行说明过，只保留一行"),
                format!("{unit}, rule {rule} is already explained on line {first}; keep one"),
            ));
        }
        out.push(Waiver {
            unit,
            rule,
            reason,
            expires,
            line,
        });
    }
    Ok(out)
}

/// The roster code a waiver's unit names: a code (any case), else a unit's name or alias as
/// written on the roster. Without a roster, the text itself.
fn unit_code(text: &str, roster: Option<&Roster>) -> Option<String> {
    let Some(roster) = roster else {
        return Some(text.to_string());
    };
    if let Some(u) = roster.units.iter().find(|u| u.code == text).or_else(|| {
        roster
            .units
            .iter()
            .find(|u| u.code.eq_ignore_ascii_case(text))
    }) {
        return Some(u.code.clone());
    }
    let key = normalize_label(text);
    roster
        .units
        .iter()
        .find(|u| {
            std::iter::once(&u.name)
                .chain(&u.aliases)
                .any(|n| normalize_label(n) == key)
        })
        .map(|u| u.code.clone())
}

/// Whether a rule id may be explained: a warning rule, an error rule marked `waivable`, or the
/// warning a blank total gives. Why not, otherwise.
fn check_rule(id: &str, rules: &RuleSet) -> Result<(), Msg> {
    if let Some(rule) = rules.rules.iter().find(|r| r.id == id) {
        return match rule.severity {
            Severity::Error if !rule.waivable => Err(Msg::new(
                format!(
                    "规则 {id} 是错误，错误须改正，不能以说明代替（规则文件中标明 waivable = true 的规则除外）"
                ),
                format!(
                    "rule {id} is an error: an error must be fixed, not explained (unless the rule file marks it waivable = true)"
                ),
            )),
            _ => Ok(()),
        };
    }
    if id == problem::TOTAL_BLANK {
        return Ok(());
    }
    if id == problem::BLANK {
        return Err(Msg::new(
            format!("{id} 只是提示，不计为错误或警告，无需说明"),
            format!("{id} is a note, neither an error nor a warning: nothing to explain"),
        ));
    }
    if problem::TITLES.iter().any(|t| t.0 == id) {
        return Err(Msg::new(
            format!("{id} 是错误，错误须改正，不能以说明代替"),
            format!("{id} is an error: an error must be fixed, not explained"),
        ));
    }
    Err(Msg::new(
        format!("未知的规则编号“{id}”（见校验结果表的“规则编号”列）"),
        format!("unknown rule id \"{id}\" (see the Rule id column of 校验结果)"),
    ))
}

/// Marks the violations the explanations accept (on or before their date, `today`), recounts
/// each unit's errors, warnings and status (a unit whose every error and warning is explained
/// is [`UnitStatus::Explained`]), and records the outcome in the report too. The waivers are
/// those [`load`] accepted: an error-severity violation they name is taken as waivable.
///
/// A district violation is explained too when every unit it comes from (`from_units`) has that
/// rule explained: the totals then fail only by what was accepted.
pub fn apply(report: &mut Report, waivers: &[Waiver], today: Date) -> WaiverOutcome {
    let mut by_key: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, uv) in report.violations.iter().enumerate() {
        let v = &uv.violation;
        if uv.unit != DISTRICT && matches!(v.severity, Severity::Error | Severity::Warning) {
            by_key
                .entry((uv.unit.as_str(), v.rule.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut marks: Vec<(usize, Waived)> = Vec::new();
    let mut out = WaiverOutcome::default();
    for w in waivers {
        let expired = w
            .expires
            .as_deref()
            .and_then(Date::parse)
            .is_some_and(|d| d < today);
        if expired {
            out.expired.push(w.clone());
            continue;
        }
        let hits = by_key
            .get(&(w.unit.as_str(), w.rule.as_str()))
            .map_or(&[][..], Vec::as_slice);
        if hits.is_empty() {
            out.unused.push(w.clone());
            continue;
        }
        for &i in hits {
            marks.push((
                i,
                Waived {
                    reason: w.reason.clone(),
                    expires: w.expires.clone(),
                },
            ));
        }
        out.applied.push(w.clone());
    }
    let explained: HashMap<(&str, &str), &Waiver> = out
        .applied
        .iter()
        .map(|w| ((w.unit.as_str(), w.rule.as_str()), w))
        .collect();
    for (i, uv) in report.violations.iter().enumerate() {
        let v = &uv.violation;
        if uv.unit != DISTRICT
            || v.from_units.is_empty()
            || !matches!(v.severity, Severity::Error | Severity::Warning)
        {
            continue;
        }
        let sources: Option<Vec<&Waiver>> = v
            .from_units
            .iter()
            .map(|s| explained.get(&(s.unit.as_str(), v.rule.as_str())).copied())
            .collect();
        if let Some(sources) = sources {
            // The units' own reasons, each once, in the clerk's words.
            let mut reasons: Vec<&str> = Vec::new();
            for w in &sources {
                if !reasons.contains(&w.reason.as_str()) {
                    reasons.push(&w.reason);
                }
            }
            marks.push((
                i,
                Waived {
                    reason: reasons.join("；"),
                    expires: sources.iter().filter_map(|w| w.expires.clone()).min(),
                },
            ));
        }
    }
    // What each unit no longer counts: (errors, warnings).
    let mut uncounted: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, waived) in marks {
        let uv = &mut report.violations[i];
        if uv.violation.waived.is_some() {
            continue;
        }
        uv.violation.waived = Some(waived);
        let n = uncounted.entry(uv.unit.clone()).or_default();
        match uv.violation.severity {
            Severity::Error => n.0 += 1,
            _ => n.1 += 1,
        }
    }
    for u in &mut report.units {
        let Some(&(errors, warnings)) = uncounted.get(&u.unit) else {
            continue;
        };
        if !matches!(
            u.status,
            UnitStatus::Ok | UnitStatus::Warnings | UnitStatus::Errors | UnitStatus::Explained
        ) {
            continue;
        }
        u.errors = u.errors.saturating_sub(errors);
        u.warnings = u.warnings.saturating_sub(warnings);
        u.status = if u.errors > 0 {
            UnitStatus::Errors
        } else if u.warnings > 0 {
            UnitStatus::Warnings
        } else {
            UnitStatus::Explained
        };
    }
    report.waivers = out.clone();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use nianbao_format::{Coverage, UnitEntry, UnitShare, UnitViolation, Violation};

    const ROSTER: &str =
        "code,name,aliases,kind\nU01,石化街道,石化,town\nU02,朱泾镇,,town\nU03,枫泾镇,,town\n";

    fn roster() -> Roster {
        Roster::from_csv(ROSTER).unwrap()
    }

    fn rules() -> &'static RuleSet {
        RuleSet::builtin()
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn parsed(text: &str) -> Result<Vec<Waiver>, WaiverError> {
        parse(text.as_bytes(), rules(), Some(&roster()))
    }

    fn waiver(unit: &str, rule: &str, expires: Option<&str>) -> Waiver {
        Waiver {
            unit: unit.into(),
            rule: rule.into(),
            reason: format!("{unit} 已说明"),
            expires: expires.map(Into::into),
            line: 2,
        }
    }

    fn entry(unit: &str, status: UnitStatus, errors: usize, warnings: usize) -> UnitEntry {
        UnitEntry {
            unit: unit.into(),
            name: unit.into(),
            kind: None,
            files: vec![format!("{unit}.xlsx")],
            status,
            readings: None,
            values: None,
            in_totals: status.in_totals(),
            errors,
            warnings,
            blanks: 0,
            note: None,
        }
    }

    fn found(unit: &str, rule: &str, severity: Severity) -> UnitViolation {
        UnitViolation {
            unit: unit.into(),
            file: Some(format!("{unit}.xlsx")),
            violation: Violation {
                rule: rule.into(),
                severity,
                ..Default::default()
            },
        }
    }

    /// U01: one warning; U02: an error and a warning; U03: missing; the district fails the
    /// error rule of U02.
    fn report() -> Report {
        let mut district = found(DISTRICT, "balance", Severity::Error);
        district.file = None;
        district.violation.from_units = vec![UnitShare {
            unit: "U02".into(),
            name: "朱泾镇".into(),
            diff: 1,
        }];
        Report {
            year: Some(2022),
            units: vec![
                entry("U01", UnitStatus::Warnings, 0, 1),
                entry("U02", UnitStatus::Errors, 1, 1),
                entry("U03", UnitStatus::Missing, 1, 0),
            ],
            totals: vec![],
            violations: vec![
                found("U01", "prior.in_force", Severity::Warning),
                found("U02", "balance", Severity::Error),
                found("U02", "prior.in_force", Severity::Warning),
                found("U02", "value.blank", Severity::Info),
                found("U03", "unit.missing", Severity::Error),
                district,
            ],
            files: vec![],
            coverage: Coverage::default(),
            waivers: WaiverOutcome::default(),
        }
    }

    fn unit<'a>(r: &'a Report, code: &str) -> &'a UnitEntry {
        r.units.iter().find(|u| u.unit == code).unwrap()
    }

    #[test]
    fn parses_utf8_with_its_lines_and_dates() {
        let text = "unit,rule,reason,expires\nU01,prior.in_force,废止文件计在区司法局,2025-06-30\n\nu02,total.blank,\"总计已核实，按分项之和\",\n";
        let ws = parsed(text).unwrap();
        assert_eq!(
            ws,
            [
                Waiver {
                    unit: "U01".into(),
                    rule: "prior.in_force".into(),
                    reason: "废止文件计在区司法局".into(),
                    expires: Some("2025-06-30".into()),
                    line: 2,
                },
                Waiver {
                    unit: "U02".into(),
                    rule: "total.blank".into(),
                    reason: "总计已核实，按分项之和".into(),
                    expires: None,
                    line: 4,
                },
            ]
        );
        // A BOM, a header alone, or nothing at all: no waivers, no error.
        assert_eq!(parsed("\u{FEFF}unit,rule,reason,expires\n").unwrap(), []);
        assert_eq!(parsed("").unwrap(), []);
    }

    #[test]
    fn parses_gb18030_with_chinese_headers_and_unit_names() {
        let text = "单位,规则,说明,到期\n石化街道,prior.in_force,废止的文件计在别处,2025/6/30\n朱泾镇,prior.in_force,同上,\n";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        assert!(std::str::from_utf8(&bytes).is_err(), "really GB18030");
        let ws = parse(&bytes, rules(), Some(&roster())).unwrap();
        assert_eq!(ws.len(), 2);
        assert_eq!((ws[0].unit.as_str(), ws[1].unit.as_str()), ("U01", "U02"));
        assert_eq!(ws[0].reason, "废止的文件计在别处");
        assert_eq!(ws[0].expires.as_deref(), Some("2025-06-30"));
        // Without a roster the unit is taken as written.
        let ws = parse(&bytes, rules(), None).unwrap();
        assert_eq!(ws[0].unit, "石化街道");
    }

    #[test]
    fn an_error_rule_is_refused_with_its_line() {
        let e = parsed("unit,rule,reason\nU01,prior.in_force,x\nU02,balance,已核实\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.zh.contains("错误须改正"), "{}", e.reason.zh);
        assert!(e.reason.en.contains("must be fixed"), "{}", e.reason.en);
        // A problem id that is an error, too; a note has nothing to explain.
        let e = parsed("unit,rule,reason\nU01,value.not_a_number,x\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.zh.contains("错误须改正"), "{}", e.reason.zh);
        assert!(parsed("unit,rule,reason\nU01,value.blank,x\n").is_err());
    }

    #[test]
    fn a_waivable_error_rule_is_accepted_and_stops_counting() {
        let set = RuleSet::parse(
            concat!(
                "[[rule]]\nid = \"balance\"\nzh = \"平衡\"\nen = \"balance\"\nwaivable = true\n",
                "check = \"t3.new.total = t3.total.total\"\n",
                "[[rule]]\nid = \"prior.in_force\"\nseverity = \"warning\"\nzh = \"跨年\"\nen = \"prior\"\n",
                "check = \"t3.new.total = t3.total.total\"\n",
            ),
        )
        .unwrap();
        let ws = parse(
            "unit,rule,reason\nU02,balance,数据已与区统计局核对\nU02,prior.in_force,同上\n"
                .as_bytes(),
            &set,
            Some(&roster()),
        )
        .unwrap();
        let mut r = report();
        let mut plain = report();
        plain.units.retain(|u| u.status != UnitStatus::Missing);
        plain
            .violations
            .retain(|v| v.violation.rule != "unit.missing");
        r.units.retain(|u| u.status != UnitStatus::Missing);
        r.violations.retain(|v| v.violation.rule != "unit.missing");
        assert!(plain.has_errors());
        let out = apply(&mut r, &ws, day("2024-01-01"));
        assert_eq!(out.applied.len(), 2);
        let u02 = unit(&r, "U02");
        assert_eq!((u02.errors, u02.warnings), (0, 0));
        assert_eq!(u02.status, UnitStatus::Explained);
        // The district fails only by what U02 explained: explained too, in U02's words.
        let district = r.violations.iter().find(|v| v.unit == DISTRICT).unwrap();
        assert_eq!(
            district
                .violation
                .waived
                .as_ref()
                .map(|w| w.reason.as_str()),
            Some("数据已与区统计局核对")
        );
        assert_eq!(r.error_count(), 0);
        assert!(!r.has_errors(), "U01 has a warning only");
    }

    #[test]
    fn an_expired_waiver_stops_applying() {
        let ws = [waiver("U01", "prior.in_force", Some("2024-01-01"))];
        // On its last day it applies.
        let mut r = report();
        let out = apply(&mut r, &ws, day("2024-01-01"));
        assert_eq!((out.applied.len(), out.expired.len()), (1, 0));
        assert_eq!(unit(&r, "U01").status, UnitStatus::Explained);
        // The day after, it is expired, and the warning counts again.
        let mut r = report();
        let out = apply(&mut r, &ws, day("2024-01-02"));
        assert_eq!(out.expired, ws);
        assert!(out.applied.is_empty() && out.unused.is_empty());
        assert!(r.violations.iter().all(|v| v.violation.waived.is_none()));
        assert_eq!(unit(&r, "U01").status, UnitStatus::Warnings);
        assert_eq!(unit(&r, "U01").warnings, 1);
        assert_eq!(r.waivers, out);
    }

    #[test]
    fn a_waiver_that_matches_nothing_is_unused() {
        // U03 did not file; U01 has no blank total.
        let ws = [
            waiver("U03", "prior.in_force", None),
            waiver("U01", "total.blank", None),
        ];
        let mut r = report();
        let before = format!("{:?}", r.violations);
        let out = apply(&mut r, &ws, day("2024-01-01"));
        assert_eq!(out.unused, ws);
        assert!(out.applied.is_empty());
        assert_eq!(format!("{:?}", r.violations), before);
    }

    #[test]
    fn unknown_rules_units_and_dates_are_refused_with_their_line() {
        let cases = [
            ("U01,prior.in_forse,x,", "未知的规则编号"),
            ("U09,prior.in_force,x,", "不在报送名单中"),
            ("U01,prior.in_force,x,2024-02-30", "不是日期"),
            ("U01,prior.in_force,x,明年", "不是日期"),
            ("U01,prior.in_force,,", "说明不能为空"),
            (",prior.in_force,x,", "不能为空"),
            ("U02,prior.in_force,again,", "已在第 2 行说明过"),
        ];
        for (row, words) in cases {
            let text = format!("unit,rule,reason,expires\nU02,prior.in_force,x,\n\n{row}\n");
            let e = parsed(&text).expect_err(row);
            assert_eq!(e.line, 4, "{row}: {:?}", e.reason);
            assert!(e.reason.zh.contains(words), "{row}: {}", e.reason.zh);
        }
        let e = parsed("单位,原由\nU01,x\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn units_are_recounted() {
        // U02: its warning explained, its error stays; U01: its only warning explained.
        let ws = [
            waiver("U01", "prior.in_force", Some("2030-12-31")),
            waiver("U02", "prior.in_force", None),
        ];
        let mut r = report();
        let errors = r.error_count();
        let out = apply(&mut r, &ws, day("2024-01-01"));
        assert_eq!(out.applied, ws);
        let (u01, u02) = (unit(&r, "U01"), unit(&r, "U02"));
        assert_eq!(
            (u01.errors, u01.warnings, u01.status),
            (0, 0, UnitStatus::Explained)
        );
        assert_eq!(
            (u02.errors, u02.warnings, u02.status),
            (1, 0, UnitStatus::Errors)
        );
        assert_eq!(unit(&r, "U03").status, UnitStatus::Missing);
        assert_eq!(r.error_count(), errors, "warnings only: the errors stand");
        assert_eq!(
            r.violations[0].violation.waived,
            Some(Waived {
                reason: "U01 已说明".into(),
                expires: Some("2030-12-31".into()),
            })
        );
        // The error and the note are not touched; nor the district (U02's balance stands).
        assert!(r.violations[1].violation.waived.is_none());
        assert!(r.violations[3].violation.waived.is_none());
        assert!(r.violations[5].violation.waived.is_none());
        // Applied twice, nothing changes.
        let once = format!("{:?}", r.units);
        apply(&mut r, &ws, day("2024-01-01"));
        assert_eq!(format!("{:?}", r.units), once);
    }
}
