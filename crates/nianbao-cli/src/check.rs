//! `nianbao check`: one return, reconciled rule by rule for a clerk on the phone.

use std::path::Path;

use anyhow::{Context, Result};

use nianbao_consolidate::Options;
use nianbao_format::{Lang, Severity};
use nianbao_write::{WriteOptions, json_report, write_atomic};

use crate::run::{load_roster, read_input};
use crate::{EXIT_FOUND_ERRORS, EXIT_OK};

pub fn check(file: &Path, roster: Option<&Path>, json: Option<&Path>, lang: Lang) -> Result<u8> {
    if !file.is_file() {
        anyhow::bail!("文件不存在：{}", file.display());
    }
    let roster = load_roster(roster)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let input = read_input(&name, file);
    let report =
        nianbao_consolidate::consolidate(vec![input], roster.as_ref(), &Options::default()).report;
    let zh = lang == Lang::Zh;
    let mut lines = Vec::new();
    if let Some(f) = report
        .files
        .iter()
        .find(|f| f.error.is_some() && f.status == nianbao_format::FileStatus::Failed)
    {
        let why = f.error.as_ref().map(|m| m.get(lang)).unwrap_or_default();
        lines.push(if zh {
            format!("无法读取 {}：{why}", f.file)
        } else {
            format!("cannot read {}: {why}", f.file)
        });
    }
    for u in report.units.iter().filter(|u| u.readings.is_some()) {
        lines.push(if zh {
            format!(
                "单位：{}（{}）  文件：{}  留空单元格：{}",
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
    }
    let unit_violations: Vec<_> = report
        .violations
        .iter()
        .filter(|v| v.unit != "district")
        .collect();
    let failed_checks = unit_violations
        .iter()
        .filter(|v| {
            nianbao_rules::checks()
                .iter()
                .any(|c| c.rule == v.violation.rule)
        })
        .count();
    let total_checks = nianbao_rules::checks().len();
    if report.units.iter().any(|u| u.readings.is_some()) {
        lines.push(if zh {
            format!(
                "勾稽校验：{}/{total_checks} 项通过",
                total_checks - failed_checks
            )
        } else {
            format!(
                "balance checks: {}/{total_checks} pass",
                total_checks - failed_checks
            )
        });
    }
    for v in &unit_violations {
        if v.violation.severity == Severity::Info && v.violation.rule == "value.blank" {
            continue;
        }
        lines.push(format!(
            "  [{}] {}",
            v.violation.severity.label(lang),
            v.violation.message.get(lang)
        ));
    }
    let errors = report.error_count();
    let verdict = match (report.has_errors(), zh) {
        (false, true) => "结论：通过，表内勾稽关系全部成立".to_string(),
        (false, false) => "verdict: passes; every balance rule holds".to_string(),
        (true, true) => format!("结论：不通过，{errors} 处错误"),
        (true, false) => format!("verdict: fails, {errors} errors"),
    };
    lines.push(verdict);
    println!("{}", lines.join("\n"));
    if let Some(json) = json {
        let text = serde_json::to_vec_pretty(&json_report(
            &report,
            &WriteOptions {
                lang,
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
