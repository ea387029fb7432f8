//! `nianbao init` and `nianbao run`: a year's workspace and its nightly consolidation. What
//! changed goes to stdout (nothing when nothing changed, so that cron mails only news); the
//! summary to stderr unless `--quiet`; failures always.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use nianbao_format::{
    Changes, Kind, Lang, Report, Scope, Severity, UnitStatus, code_and_name, field_index, fields,
    format_value,
};
use nianbao_pipeline::date::Date;
use nianbao_pipeline::run::{RunFailure, RunRequest, run};
use nianbao_pipeline::workspace::{Workspace, init};

use crate::summary::{failures, left_alone};
use crate::{EXIT_BUSY, EXIT_FOUND_ERRORS, EXIT_OK, cannot_run};

/// Units named before "等 N 个".
const NAMED: usize = 8;

pub fn init_workspace(
    dir: &Path,
    year: i32,
    roster: &Path,
    prior: Option<&Path>,
    lang: Lang,
) -> u8 {
    match init(dir, year, roster, prior) {
        Ok(ws) => {
            let n = nianbao_pipeline::load_roster(Some(&ws.roster))
                .ok()
                .flatten()
                .map_or(0, |r| r.units.len());
            match lang {
                Lang::Zh => outln!(
                    "已创建 {year} 年的年报工作区：{}（名单 {n} 个单位）\n报表放入 {}，然后运行：nianbao run {}",
                    dir.display(),
                    ws.returns.display(),
                    dir.display()
                ),
                Lang::En => outln!(
                    "created the {year} workspace {} ({n} units on the roster)\nput the returns in {}, then run: nianbao run {}",
                    dir.display(),
                    ws.returns.display(),
                    dir.display()
                ),
            }
            EXIT_OK
        }
        Err(e) => cannot_run(&e, lang),
    }
}

fn names(report: &Report) -> HashMap<&str, &str> {
    report
        .units
        .iter()
        .map(|u| (u.unit.as_str(), u.name.as_str()))
        .collect()
}

fn listed(codes: &[String], names: &HashMap<&str, &str>, lang: Lang) -> String {
    let shown: Vec<String> = codes
        .iter()
        .take(NAMED)
        .map(|c| code_and_name(c, names.get(c.as_str()).copied().unwrap_or_default()))
        .collect();
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let mut s = shown.join(sep);
    if codes.len() > NAMED {
        s.push_str(&match lang {
            Lang::Zh => format!("等 {} 个", codes.len()),
            Lang::En => format!(", … ({} in all)", codes.len()),
        });
    }
    s
}

/// The morning message: a few lines, none when nothing changed.
pub fn news(changes: &Changes, report: &Report, lang: Lang) -> Vec<String> {
    if changes.is_empty() {
        return Vec::new();
    }
    let zh = lang == Lang::Zh;
    let names = names(report);
    let mut lines = vec![match (&changes.since_label(), zh) {
        (Some(t), true) => format!("自上次汇总（{t}）以来："),
        (Some(t), false) => format!("since the last run ({t}):"),
        (None, true) => "本工作区的第一次汇总：".to_string(),
        (None, false) => "the workspace's first run:".to_string(),
    }];
    for (codes, z, e) in changes.unit_lists() {
        if !codes.is_empty() {
            let list = listed(codes, &names, lang);
            lines.push(if zh {
                format!("  {z} {} 个：{list}", codes.len())
            } else {
                format!("  {e}: {} ({list})", codes.len())
            });
        }
    }
    if !changes.status_changed.is_empty() {
        let items: Vec<String> = changes
            .status_changed
            .iter()
            .take(NAMED)
            .map(|c| {
                let who = listed(std::slice::from_ref(&c.unit), &names, lang);
                format!(
                    "{who} {} → {}",
                    UnitStatus::label_of(&c.from, lang),
                    UnitStatus::label_of(&c.to, lang)
                )
            })
            .collect();
        let more = changes.status_changed.len().saturating_sub(NAMED);
        let mut line = if zh {
            format!("  状态变化：{}", items.join("；"))
        } else {
            format!("  status: {}", items.join("; "))
        };
        if more > 0 {
            line.push_str(&if zh {
                format!("；另有 {more} 个")
            } else {
                format!("; {more} more")
            });
        }
        lines.push(line);
    }
    if !changes.totals_changed.is_empty() {
        let items: Vec<String> = changes
            .totals_changed
            .iter()
            .take(NAMED)
            .map(|t| {
                let kind = field_index(&t.field).map_or(Kind::Count, |i| fields()[i].kind);
                let label = field_index(&t.field)
                    .map_or_else(|| t.field.clone(), |i| fields()[i].label_zh());
                let label = if zh { label } else { t.field.clone() };
                format!(
                    "{label} {} → {}",
                    format_value(kind, t.from),
                    format_value(kind, t.to)
                )
            })
            .collect();
        lines.push(if zh {
            format!(
                "  全区合计变化 {} 项：{}",
                changes.totals_changed.len(),
                items.join("；")
            )
        } else {
            format!(
                "  {} district totals moved: {}",
                changes.totals_changed.len(),
                items.join("; ")
            )
        });
    }
    // Where the district's imbalances come from, when there are any.
    let mut from: Vec<String> = Vec::new();
    let mut off = 0;
    for v in report.violations.iter().filter(|v| {
        v.scope() == Scope::District
            && v.violation.severity == Severity::Error
            && v.violation.counts()
    }) {
        off += 1;
        for u in &v.violation.from_units {
            if !from.contains(&u.unit) {
                from.push(u.unit.clone());
            }
        }
    }
    if off > 0 {
        let list = listed(&from, &names, lang);
        lines.push(if zh {
            format!("  全区合计不平 {off} 处，来自 {list}")
        } else {
            format!("  the district totals fail {off} checks, from {list}")
        });
    }
    lines
}

/// "距报送截止（2024-01-31）还有 12 天，未报送 3 个：…", or after it "已过报送截止日期…逾期 …".
pub fn deadline_line(deadline: Date, today: Date, report: &Report, lang: Lang) -> String {
    let missing: Vec<String> = nianbao_pipeline::run::not_filed(report)
        .iter()
        .map(|u| u.unit.clone())
        .collect();
    let list = listed(&missing, &names(report), lang);
    let left = deadline.days() - today.days();
    match (lang, left >= 0, missing.is_empty()) {
        (Lang::Zh, true, true) => {
            format!("距报送截止（{deadline}）还有 {left} 天，全部单位均已报送")
        }
        (Lang::Zh, true, false) => format!(
            "距报送截止（{deadline}）还有 {left} 天，未报送 {} 个：{list}",
            missing.len()
        ),
        (Lang::Zh, false, true) => format!("已过报送截止日期（{deadline}），全部单位均已报送"),
        (Lang::Zh, false, false) => format!(
            "已过报送截止日期（{deadline}）{} 天，逾期未报 {} 个：{list}",
            -left,
            missing.len()
        ),
        (Lang::En, true, _) => format!(
            "{left} days to the deadline ({deadline}); {} not filed: {list}",
            missing.len()
        ),
        (Lang::En, false, _) => format!(
            "the deadline ({deadline}) passed {} days ago; {} overdue: {list}",
            -left,
            missing.len()
        ),
    }
}

pub fn run_workspace(req: RunRequest, quiet: bool) -> u8 {
    let started = Instant::now();
    let lang = req.lang;
    let outcome = match run(&req, &nianbao_pipeline::Silent) {
        Ok(o) => o,
        Err(RunFailure::Cannot(e)) => return cannot_run(&e, lang),
        Err(RunFailure::Busy { message }) => {
            errln!("nianbao: {}", message.get(lang));
            return EXIT_BUSY;
        }
    };
    for line in failures(&outcome.report, lang) {
        errln!("{line}");
    }
    if let Some(line) = left_alone(&outcome.left_alone, &outcome.workspace.annotate, lang) {
        errln!("{line}");
    }
    for line in news(&outcome.changes, &outcome.report, lang) {
        outln!("{line}");
    }
    if !quiet {
        errln!(
            "{}",
            run_summary(&outcome.workspace, &outcome.report, lang, &outcome, started)
        );
    }
    if outcome.report.has_errors() {
        EXIT_FOUND_ERRORS
    } else {
        EXIT_OK
    }
}

fn run_summary(
    ws: &Workspace,
    report: &Report,
    lang: Lang,
    o: &nianbao_pipeline::run::RunOutcome,
    started: Instant,
) -> String {
    let secs = started.elapsed().as_secs_f64();
    let mut s = match lang {
        Lang::Zh => format!(
            "汇总完成：计入汇总 {}；读取 {} 个文件，{} 个来自缓存；{}（{secs:.1} 秒）",
            report.coverage.label(lang),
            o.fresh,
            o.cached,
            if o.written {
                format!("已写入 {}", ws.workbook.display())
            } else {
                "无变化，输出未改动".to_string()
            }
        ),
        Lang::En => format!(
            "done: totals over {}; {} files read, {} from the cache; {} ({secs:.1} s)",
            report.coverage.label(lang),
            o.fresh,
            o.cached,
            if o.written {
                format!("wrote {}", ws.workbook.display())
            } else {
                "nothing changed, outputs untouched".to_string()
            }
        ),
    };
    if let Some(d) = ws.deadline {
        s.push('\n');
        s.push_str(&deadline_line(d, Date::today(), report, lang));
    }
    s
}
