//! What a clerk or a nightly log reads at the end of `consolidate`: counts that add up and say
//! what they count, and the units concerned by name.

use std::collections::HashMap;
use std::path::Path;

use nianbao_format::{
    FileStatus, Lang, Report, Scope, Severity, UnitEntry, UnitStatus, Waiver, WaiverOutcome,
};
use nianbao_pipeline::{FolderOutcome, FolderRequest};

/// Units named in a line before "等 N 个".
const NAMED: usize = 5;

/// One line per file that could not be read.
pub fn failures(report: &Report, lang: Lang) -> Vec<String> {
    report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
        .map(|f| {
            let why = f.error.as_ref().map(|m| m.get(lang)).unwrap_or_default();
            match lang {
                Lang::Zh => format!("无法读取：{}：{why}", f.file),
                Lang::En => format!("failed: {}: {why}", f.file),
            }
        })
        .collect()
}

/// The annotated returns a run did not write because a file it did not write is in their
/// place (a unit's correction, an edit): one line, said even with --quiet.
pub fn left_alone(names: &[String], dir: &Path, lang: Lang) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let dir = dir.display();
    Some(match lang {
        Lang::Zh => format!(
            "{dir} 中的退回文件 {} 已被改动（不是本工具所写，或数值已被修改），未覆盖；\
             如是单位的改正，请放入报表文件夹，再删除它以便重新生成",
            names.join("、")
        ),
        Lang::En => format!(
            "left as they are in {dir}, changed since nianbao wrote them (or not written by it): \
             {}; if a unit's correction, put it among the returns, and delete it here to have it \
             written again",
            names.join(", ")
        ),
    })
}

/// "U05 朱泾镇、U12 漕泾镇…等 7 个" (the first few, then how many in all).
fn names(units: &[&UnitEntry], lang: Lang) -> String {
    let shown: Vec<String> = units.iter().take(NAMED).map(|u| u.label()).collect();
    match (lang, units.len() > NAMED) {
        (Lang::Zh, false) => shown.join("、"),
        (Lang::Zh, true) => format!("{}等 {} 个", shown.join("、"), units.len()),
        (Lang::En, false) => shown.join(", "),
        (Lang::En, true) => format!("{}, … ({} in all)", shown.join(", "), units.len()),
    }
}

/// "已说明 2 处（2 个单位）；过期的说明 1 条（U05 prior.in_force，第 3 行，2023-12-31 到期）；
/// 未用到的说明 1 条（U07 total.blank，第 4 行）".
fn waivers_line(report: &Report, w: &WaiverOutcome, lang: Lang) -> String {
    let explained: Vec<&str> = report
        .violations
        .iter()
        .filter(|v| !v.violation.counts())
        .map(|v| v.unit.as_str())
        .collect();
    let mut units = explained.clone();
    units.sort_unstable();
    units.dedup();
    let zh = lang == Lang::Zh;
    let listed = |ws: &[Waiver], expired: bool| -> String {
        let mut shown: Vec<String> = ws
            .iter()
            .take(NAMED)
            .map(|w| {
                let until = w.expires.as_deref().filter(|_| expired);
                match (zh, until) {
                    (true, Some(d)) => format!("{} {}，第 {} 行，{d} 到期", w.unit, w.rule, w.line),
                    (true, None) => format!("{} {}，第 {} 行", w.unit, w.rule, w.line),
                    (false, Some(d)) => {
                        format!("{} {}, line {}, expired {d}", w.unit, w.rule, w.line)
                    }
                    (false, None) => format!("{} {}, line {}", w.unit, w.rule, w.line),
                }
            })
            .collect();
        if ws.len() > NAMED {
            shown.push("…".into());
        }
        shown.join(if zh { "；" } else { "; " })
    };
    let mut line = match (zh, explained.len()) {
        (true, 0) => "已说明 0 处".to_string(),
        (false, 0) => "0 violations explained".to_string(),
        (true, n) => format!("已说明 {n} 处（{} 个单位）", units.len()),
        (false, n) => format!("{n} violations explained ({} units)", units.len()),
    };
    if !w.expired.is_empty() {
        line.push_str(&if zh {
            format!(
                "；过期的说明 {} 条（{}）",
                w.expired.len(),
                listed(&w.expired, true)
            )
        } else {
            format!(
                "; {} expired explanations ({})",
                w.expired.len(),
                listed(&w.expired, true)
            )
        });
    }
    if !w.unused.is_empty() {
        line.push_str(&if zh {
            format!(
                "；未用到的说明 {} 条（{}）",
                w.unused.len(),
                listed(&w.unused, false)
            )
        } else {
            format!(
                "; {} unused explanations ({})",
                w.unused.len(),
                listed(&w.unused, false)
            )
        });
    }
    line
}

pub fn summary(out: &FolderOutcome, req: &FolderRequest, lang: Lang, secs: f64) -> Vec<String> {
    let report = &out.report;
    let zh = lang == Lang::Zh;
    let mut lines = Vec::new();

    let count = |s: FileStatus| report.files.iter().filter(|f| f.status == s).count();
    let (read, failed, skipped) = (
        count(FileStatus::Ok),
        count(FileStatus::Failed),
        count(FileStatus::Skipped),
    );
    let all = report.files.len();
    lines.push(if zh {
        format!("共 {all} 个文件：读取 {read}，失败 {failed}，跳过 {skipped}")
    } else {
        format!("{all} files: {read} read, {failed} failed, {skipped} skipped")
    });

    let with = |f: &dyn Fn(&UnitEntry) -> bool| -> Vec<&UnitEntry> {
        report.units.iter().filter(|u| f(u)).collect()
    };
    let listed = report
        .units
        .iter()
        .filter(|u| u.status != UnitStatus::Unknown)
        .count();
    let groups: [(Vec<&UnitEntry>, &str, &str); 5] = [
        (
            with(&|u| u.status == UnitStatus::Missing),
            "未报送",
            "missing",
        ),
        (
            with(&|u| u.status == UnitStatus::Failed),
            "无法读取",
            "unreadable",
        ),
        (
            with(&|u| u.status == UnitStatus::Duplicate),
            "重复报送",
            "duplicate",
        ),
        (
            with(&|u| u.status.in_totals() && !u.in_totals),
            "有无法读取的数值",
            "with unreadable values",
        ),
        (
            with(&|u| u.status == UnitStatus::Unknown),
            "名单外单位",
            "not on the roster",
        ),
    ];
    let totals_over = report.coverage.label(lang);
    let mut line = if zh {
        format!("应报 {listed} 个单位：计入汇总 {totals_over}")
    } else {
        format!("{listed} units expected: totals over {totals_over}")
    };
    for (units, z, e) in &groups {
        if units.is_empty() {
            continue;
        }
        let n = units.len();
        let named = names(units, lang);
        line.push_str(&if zh {
            format!("，{z} {n} 个（{named}）")
        } else {
            format!(", {n} {e} ({named})")
        });
    }
    lines.push(line);

    let of_units = |sev: Severity| {
        report.violations.iter().filter(move |v| {
            v.violation.severity == sev && v.violation.counts() && v.scope() != Scope::District
        })
    };
    let status: HashMap<&str, UnitStatus> = report
        .units
        .iter()
        .map(|u| (u.unit.as_str(), u.status))
        .collect();
    let rule_errors = of_units(Severity::Error)
        .filter(|v| status.get(v.unit.as_str()) == Some(&UnitStatus::Errors))
        .count();
    let wrong = with(&|u| u.status == UnitStatus::Errors);
    let district_errors: Vec<_> = report
        .violations
        .iter()
        .filter(|v| {
            v.scope() == Scope::District
                && v.violation.severity == Severity::Error
                && v.violation.counts()
        })
        .collect();
    let district = district_errors.len();
    // Against last year's published report (`--prior` a file): not from this year's units.
    let cross_year = district_errors
        .iter()
        .filter(|v| v.violation.fields.iter().any(|f| f.this_years().is_none()))
        .count();
    let warnings = of_units(Severity::Warning).count();
    let warned = with(&|u| u.warnings > 0).len();
    let mut line = match (wrong.is_empty(), zh) {
        (true, true) => "各单位勾稽关系全部成立".to_string(),
        (true, false) => "every unit's balance rules hold".to_string(),
        (false, true) => format!(
            "{} 个单位有错误（{rule_errors} 处）：{}",
            wrong.len(),
            names(&wrong, lang)
        ),
        (false, false) => format!(
            "{} units with errors ({rule_errors} in all): {}",
            wrong.len(),
            names(&wrong, lang)
        ),
    };
    if district > cross_year {
        line.push_str(&if zh {
            format!(
                "；全区合计不平 {} 处，均来自计入汇总的有错误单位",
                district - cross_year
            )
        } else {
            format!(
                "; the district totals fail {} checks, all from units with errors in the totals",
                district - cross_year
            )
        });
    }
    if cross_year > 0 {
        line.push_str(&if zh {
            format!("；全区合计与上年报告不符 {cross_year} 处")
        } else {
            format!("; the district totals disagree with last year's report in {cross_year} checks")
        });
    }
    if warnings > 0 {
        line.push_str(&if zh {
            format!("；警告 {warnings} 处（{warned} 个单位）")
        } else {
            format!("; {warnings} warnings ({warned} units)")
        });
    }
    lines.push(line);
    if !out.waivers.is_empty() {
        lines.push(waivers_line(report, &out.waivers, lang));
    }

    let mut wrote = vec![req.workbook.display().to_string()];
    if let Some(j) = &req.json {
        wrote.push(j.display().to_string());
    }
    let mut line = if zh {
        format!("已写入 {}", wrote.join("、"))
    } else {
        format!("wrote {}", wrote.join(", "))
    };
    if let Some(dir) = &req.annotate {
        line.push_str(&if zh {
            format!(
                "；退回修改文件 {} 个，在 {}",
                out.annotated.len(),
                dir.display()
            )
        } else {
            format!(
                "; {} annotated returns in {}",
                out.annotated.len(),
                dir.display()
            )
        });
        if !out.stale_removed.is_empty() {
            line.push_str(&if zh {
                format!(
                    "；已删除单位改正后不再需要的旧退回文件 {} 个（{}）",
                    out.stale_removed.len(),
                    out.stale_removed.join("、")
                )
            } else {
                format!(
                    "; removed {} annotated returns no longer needed ({})",
                    out.stale_removed.len(),
                    out.stale_removed.join(", ")
                )
            });
        }
    }
    line.push_str(&if zh {
        format!("（{secs:.1} 秒）")
    } else {
        format!(" ({secs:.1} s)")
    });
    lines.push(line);
    lines
}
