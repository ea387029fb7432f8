//! The reconciliation of one checked return as a clerk reads it, rule by rule: each rule that
//! passes in one short line, each failure in full with its cells and the cell most likely wrong,
//! and the verdict last. `nianbao check` prints it; the web page shows the same lines.

use nianbao_format::{FileStatus, Lang, Report, Scope, Severity, UnitViolation};
use nianbao_rules::{RuleSet, Values};

/// The printed reconciliation of a one-unit report.
pub fn reconciliation(report: &Report, rules: &RuleSet, with_prior: bool, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut lines = Vec::new();
    for f in report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
    {
        let why = f.error.as_ref().map(|m| m.get(lang)).unwrap_or_default();
        lines.push(if zh {
            format!("无法读取 {}：{why}", f.file)
        } else {
            format!("cannot read {}: {why}", f.file)
        });
    }
    let unit_violations: Vec<&UnitViolation> = report
        .violations
        .iter()
        .filter(|v| v.scope() != Scope::District)
        .collect();
    for u in report.units.iter() {
        let Some(readings) = &u.readings else {
            continue;
        };
        // Without a roster the unit goes by its own name: say it once.
        let who = if u.unit == u.name {
            u.name.clone()
        } else if zh {
            format!("{}（{}）", u.name, u.unit)
        } else {
            format!("{} ({})", u.name, u.unit)
        };
        lines.push(if zh {
            format!(
                "单位：{who}　文件：{}　留空单元格：{} 个",
                u.files.join("、"),
                u.blanks
            )
        } else {
            format!(
                "unit: {who}  file: {}  blank cells: {}",
                u.files.join(", "),
                u.blanks
            )
        });
        let values = Values::from_readings(readings);
        for rule in &rules.rules {
            let checks: Vec<_> = rules.checks.iter().filter(|c| c.rule == rule.id).collect();
            let evaluated = checks
                .iter()
                .filter(|c| values.residual(c).is_some() || rule.cross_year)
                .count()
                + rules.yoy.iter().filter(|y| y.rule == rule.id).count();
            let failed: Vec<&&UnitViolation> = unit_violations
                .iter()
                .filter(|v| v.violation.rule == rule.id)
                .collect();
            let mark = if failed.is_empty() { "✓" } else { "✗" };
            let desc = rule.description.get(lang);
            if rule.cross_year && !with_prior {
                continue;
            }
            lines.push(if zh {
                format!(
                    "{mark} {desc}：{}/{evaluated} 通过",
                    evaluated.saturating_sub(failed.len())
                )
            } else {
                format!(
                    "{mark} {desc}: {}/{evaluated} pass",
                    evaluated.saturating_sub(failed.len())
                )
            });
            for v in failed {
                lines.push(format!(
                    "    {}{}",
                    v.violation.message.get(lang),
                    explained(v, lang)
                ));
            }
        }
    }
    let ruled: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    for v in unit_violations
        .iter()
        .filter(|v| !ruled.contains(&v.violation.rule.as_str()))
    {
        if v.violation.rule == nianbao_format::problem::BLANK {
            continue;
        }
        lines.push(format!(
            "[{}] {}{}",
            v.violation.severity.label(lang),
            v.violation.message.get(lang),
            explained(v, lang)
        ));
    }
    let failed_files = report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
        .count();
    let errors = failed_files
        + unit_violations
            .iter()
            .filter(|v| v.violation.severity == Severity::Error)
            .count();
    let top = unit_violations
        .iter()
        .find_map(|v| {
            v.violation
                .suspects
                .first()
                .filter(|_| !v.violation.suspects_tied)
        })
        .map(|s| {
            let at = s.cell.as_ref().map_or_else(|| s.field.clone(), |c| c.a1());
            if zh {
                format!("；最可能出错：{at}，应为 {}", s.suggested_text())
            } else {
                format!(
                    "; most likely wrong: {at}, should be {}",
                    s.suggested_text()
                )
            }
        })
        .unwrap_or_default();
    let warned = |waived: bool| {
        unit_violations
            .iter()
            .filter(|v| {
                v.violation.severity == Severity::Warning && v.violation.waived.is_some() == waived
            })
            .count()
    };
    let (warnings, waived) = (warned(false), warned(true));
    // A pass with warnings says so: a warning is a figure to confirm with the unit.
    let mut also = Vec::new();
    if warnings > 0 {
        also.push(match zh {
            true => format!("有 {warnings} 处警告，请核实"),
            false => format!("{warnings} warnings to confirm"),
        });
    }
    if waived > 0 {
        also.push(match zh {
            true => format!("{waived} 处警告已说明"),
            false => format!("{waived} warnings explained"),
        });
    }
    lines.push(match (report.has_errors(), zh, also.is_empty()) {
        (false, true, true) => "结论：通过，勾稽关系全部成立".to_string(),
        (false, false, true) => "verdict: passes, every balance rule holds".to_string(),
        (false, true, false) => format!("结论：通过，{}", also.join("，")),
        (false, false, false) => format!("verdict: passes, {}", also.join(", ")),
        (true, true, _) => format!("结论：不通过，{errors} 处错误{top}"),
        (true, false, _) => format!("verdict: fails, {errors} errors{top}"),
    });
    lines.join("\n")
}

/// "（已说明：…）" after a violation an explanation (出错说明) accepts.
fn explained(v: &UnitViolation, lang: Lang) -> String {
    let Some(w) = &v.violation.waived else {
        return String::new();
    };
    match lang {
        Lang::Zh => format!("（已说明：{}）", w.reason),
        Lang::En => format!(" (explained: {})", w.reason),
    }
}
