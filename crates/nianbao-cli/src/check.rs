//! `nianbao check`: one return, reconciled rule by rule for a clerk on the phone: each rule passes
//! in one short line, each failure in full with its cells and the cell most likely wrong, and the
//! verdict last.

use std::path::PathBuf;

use anyhow::{Context, Result};

use nianbao_consolidate::Options;
use nianbao_format::{FileStatus, Lang, Report, Severity, UnitViolation};
use nianbao_rules::{RuleSet, Values};
use nianbao_write::{WriteOptions, json_report, write_atomic};

use crate::run::{load_roster, load_rules, prior_values, read_input};
use crate::{EXIT_FOUND_ERRORS, EXIT_OK};

pub struct CheckArgs {
    pub file: PathBuf,
    pub roster: Option<PathBuf>,
    pub prior: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub annotate: Option<PathBuf>,
    pub lang: Lang,
}

fn name_of(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn check(a: CheckArgs) -> Result<u8> {
    for p in std::iter::once(&a.file).chain(&a.prior) {
        if !p.is_file() {
            anyhow::bail!("文件不存在：{}", p.display());
        }
    }
    let roster = load_roster(a.roster.as_deref())?;
    let rules = load_rules(a.rules.as_deref())?;
    let mut opts = Options {
        rules,
        ..Default::default()
    };
    // Read once; consolidated again only when last year's values join (keyed by the unit found).
    let input = read_input(&name_of(&a.file), &a.file);
    let mut report =
        nianbao_consolidate::consolidate(vec![input.clone()], roster.as_ref(), &opts).report;
    if let Some(prior) = &a.prior {
        let last = nianbao_consolidate::consolidate(
            vec![read_input(&name_of(prior), prior)],
            None,
            &Options::default(),
        )
        .report;
        let unit = report
            .units
            .iter()
            .find(|u| u.readings.is_some())
            .map(|u| u.unit.clone());
        if let (Some(unit), Some(values)) = (unit, prior_values(last).into_values().next()) {
            opts.prior.insert(unit, values);
            report = nianbao_consolidate::consolidate(vec![input], roster.as_ref(), &opts).report;
        } else {
            eprintln!(
                "{}",
                if a.lang == Lang::Zh {
                    "上年报表无法读取，跨年度规则未校验"
                } else {
                    "last year's return could not be read; cross-year rules not checked"
                }
            );
        }
    }
    // The roster only names the unit here: the other roster units are not missing from a check.
    report
        .units
        .retain(|u| u.status != nianbao_format::UnitStatus::Missing);
    // One unit: the district's totals are that unit's values, checked already.
    report
        .violations
        .retain(|v| v.violation.rule != "unit.missing" && v.unit != "district");
    report.coverage.missing.clear();
    report.coverage.expected = report.coverage.received;
    println!(
        "{}",
        reconciliation(&report, &opts.rules, !opts.prior.is_empty(), a.lang)
    );
    if let Some(out) = &a.annotate {
        let wopts = WriteOptions {
            lang: a.lang,
            year: report.year,
            ..Default::default()
        };
        if let Some(unit) = report.units.iter().find(|u| u.readings.is_some()) {
            crate::run::write_annotated(&report, unit, out, &wopts)?;
        }
    }
    if let Some(json) = &a.json {
        let text = serde_json::to_vec_pretty(&json_report(
            &report,
            &WriteOptions {
                lang: a.lang,
                ..Default::default()
            },
        ))?;
        write_atomic(json, &text).with_context(|| format!("无法写入 {}", json.display()))?;
    }
    Ok(if report.has_errors() {
        EXIT_FOUND_ERRORS
    } else {
        EXIT_OK
    })
}

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
        .filter(|v| v.unit != "district")
        .collect();
    for u in report.units.iter() {
        let Some(readings) = &u.readings else {
            continue;
        };
        lines.push(if zh {
            format!(
                "单位：{}（{}）　文件：{}　留空单元格：{} 个",
                u.name,
                u.unit,
                u.files.join("、"),
                u.blanks
            )
        } else {
            format!(
                "unit: {} ({})  file: {}  blank cells: {}",
                u.name,
                u.unit,
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
                .count();
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
                lines.push(format!("    {}", v.violation.message.get(lang)));
            }
        }
    }
    let ruled: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    for v in unit_violations
        .iter()
        .filter(|v| !ruled.contains(&v.violation.rule.as_str()))
    {
        if v.violation.rule == "value.blank" {
            continue;
        }
        lines.push(format!(
            "[{}] {}",
            v.violation.severity.label(lang),
            v.violation.message.get(lang)
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
                format!("；最可能出错：{at}，应为 {}", s.suggested)
            } else {
                format!("; most likely wrong: {at}, should be {}", s.suggested)
            }
        })
        .unwrap_or_default();
    lines.push(match (report.has_errors(), zh) {
        (false, true) => "结论：通过，勾稽关系全部成立".to_string(),
        (false, false) => "verdict: passes, every balance rule holds".to_string(),
        (true, true) => format!("结论：不通过，{errors} 处错误{top}"),
        (true, false) => format!("verdict: fails, {errors} errors{top}"),
    });
    lines.join("\n")
}
