//! `nianbao consolidate`: read every return in parallel, consolidate, write atomically.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use nianbao_consolidate::{Input, Options, Prefer, ReadReturn, Roster};
use nianbao_format::{
    FileEntry, FileStatus, Lang, Msg, Report, Severity, UnitEntry, UnitStatus, Violation,
};
use nianbao_rules::RuleSet;
use nianbao_write::{
    WriteOptions, annotated_file_name, annotated_return, json_report, workbook_bytes, write_atomic,
};
use std::collections::HashMap;

use crate::discover::discover;
use crate::{EXIT_FOUND_ERRORS, EXIT_OK};

pub struct ConsolidateArgs {
    pub returns_dir: PathBuf,
    pub roster: Option<PathBuf>,
    pub prior: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub out: PathBuf,
    pub json: Option<PathBuf>,
    pub prefer_newest: bool,
    pub annotate: Option<PathBuf>,
    pub lang: Lang,
    pub quiet: bool,
}

pub fn load_roster(path: Option<&Path>) -> Result<Option<Roster>> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取名单 {}", path.display()))?;
    let roster =
        Roster::from_csv(&text).with_context(|| format!("名单 {} 有误", path.display()))?;
    Ok(Some(roster))
}

/// The built-in rules, or the rule file given.
pub fn load_rules(path: Option<&Path>) -> Result<RuleSet> {
    let Some(path) = path else {
        return Ok(RuleSet::builtin().clone());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取规则文件 {}", path.display()))?;
    RuleSet::parse(&text).with_context(|| format!("规则文件 {} 有误", path.display()))
}

/// Reads every return of a folder in parallel.
pub fn read_folder(
    dir: &Path,
    skip: &[&Path],
    bar: &ProgressBar,
) -> Result<(Vec<Input>, Vec<String>)> {
    if !dir.is_dir() {
        bail!("报表文件夹不存在或不是文件夹：{}", dir.display());
    }
    let files: Vec<_> = discover(dir)?
        .into_iter()
        .filter(|(_, p, _)| !skip.iter().any(|o| same_file(p, o)))
        .collect();
    let (sheets, others): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| f.2);
    bar.set_length(sheets.len() as u64);
    let inputs = sheets
        .par_iter()
        .map(|(rel, path, _)| {
            let input = read_input(rel, path);
            bar.inc(1);
            input
        })
        .collect();
    Ok((inputs, others.into_iter().map(|o| o.0).collect()))
}

/// Last year's values by unit key, from a folder of last year's returns.
pub fn load_prior(
    dir: Option<&Path>,
    roster: Option<&Roster>,
) -> Result<HashMap<String, Vec<Option<i64>>>> {
    let Some(dir) = dir else {
        return Ok(HashMap::new());
    };
    let (inputs, _) = read_folder(dir, &[], &ProgressBar::hidden()).context("上年报表")?;
    Ok(prior_values(
        nianbao_consolidate::consolidate(inputs, roster, &Options::default()).report,
    ))
}

/// The values of every unit with exactly one readable return.
pub fn prior_values(report: Report) -> HashMap<String, Vec<Option<i64>>> {
    report
        .units
        .into_iter()
        .filter(|u| u.status.in_totals())
        .filter_map(|u| Some((u.unit, u.readings?.into_iter().map(|r| r.value).collect())))
        .collect()
}

/// Reads one file into the consolidation's input.
pub fn read_input(rel: &str, path: &Path) -> Input {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let outcome = nianbao_read::read_path(path)
        .map(|r| ReadReturn {
            unit_name: r.unit_name,
            year: r.year,
            readings: r.readings,
            problems: r.problems,
        })
        .map_err(|e| e.message);
    Input {
        file: rel.to_string(),
        modified,
        outcome,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn consolidate(a: ConsolidateArgs) -> Result<u8> {
    let started = Instant::now();
    let roster = load_roster(a.roster.as_deref())?;
    let rules = load_rules(a.rules.as_deref())?;
    let prior = load_prior(a.prior.as_deref(), roster.as_ref())?;
    let own: Vec<&Path> = [
        Some(a.out.as_path()),
        a.json.as_deref(),
        a.roster.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();

    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        let label = if a.lang == Lang::Zh {
            "读取报表"
        } else {
            "reading"
        };
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{label} {{bar:40}} {{pos}}/{{len}} {{wide_msg}}"
        )) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let (inputs, others) = read_folder(&a.returns_dir, &own, &bar)?;
    bar.finish_and_clear();

    let prefer = if a.prefer_newest {
        Prefer::Newest
    } else {
        Prefer::Neither
    };
    let opts = Options {
        prefer,
        rules,
        prior,
    };
    let mut report = nianbao_consolidate::consolidate(inputs, roster.as_ref(), &opts).report;
    for rel in others {
        report.files.push(FileEntry {
            file: rel,
            status: FileStatus::Skipped,
            unit: None,
            error: Some(Msg::new(
                "不是表格文件（.xlsx/.xls/.ods），已跳过",
                "not a spreadsheet (.xlsx/.xls/.ods); skipped",
            )),
        });
    }
    report.files.sort_by(|x, y| x.file.cmp(&y.file));

    let wopts = WriteOptions {
        lang: a.lang,
        year: report.year,
        ..Default::default()
    };
    let bytes = workbook_bytes(&report, &wopts).context("生成汇总工作簿失败")?;
    write_atomic(&a.out, &bytes).with_context(|| format!("无法写入 {}", a.out.display()))?;
    if let Some(json) = &a.json {
        let text = serde_json::to_vec_pretty(&json_report(&report, &wopts))?;
        write_atomic(json, &text).with_context(|| format!("无法写入 {}", json.display()))?;
    }
    if let Some(dir) = &a.annotate {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("无法创建文件夹 {}", dir.display()))?;
        for u in report
            .units
            .iter()
            .filter(|u| u.status == UnitStatus::Errors)
        {
            write_annotated(&report, u, &dir.join(annotated_file_name(u)), &wopts)?;
        }
    }
    if !a.quiet {
        print_failures(&report, a.lang);
        eprintln!(
            "{}",
            summary(&report, a.lang, &a.out, started.elapsed().as_secs_f64())
        );
    }
    Ok(if report.has_errors() {
        EXIT_FOUND_ERRORS
    } else {
        EXIT_OK
    })
}

fn print_failures(report: &Report, lang: Lang) {
    for f in report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
    {
        let why = f.error.as_ref().map(|m| m.get(lang)).unwrap_or_default();
        match lang {
            Lang::Zh => eprintln!("无法读取：{}：{why}", f.file),
            Lang::En => eprintln!("failed: {}: {why}", f.file),
        }
    }
}

/// Writes the unit's return re-laid with its wrong cells marked: the file sent back to it.
pub fn write_annotated(
    report: &Report,
    unit: &UnitEntry,
    path: &Path,
    wopts: &WriteOptions,
) -> Result<()> {
    let vs: Vec<Violation> = report
        .violations
        .iter()
        .filter(|v| v.unit == unit.unit)
        .map(|v| v.violation.clone())
        .collect();
    let bytes = annotated_return(unit, &vs, wopts)
        .with_context(|| format!("无法生成 {} 的退回文件", unit.name))?;
    write_atomic(path, &bytes).with_context(|| format!("无法写入 {}", path.display()))
}

/// The one line a clerk or a nightly log reads at the end.
pub fn summary(report: &Report, lang: Lang, out: &Path, secs: f64) -> String {
    let count = |s: FileStatus| report.files.iter().filter(|f| f.status == s).count();
    let (read, failed) = (count(FileStatus::Ok), count(FileStatus::Failed));
    let sev = |s: Severity| {
        report
            .violations
            .iter()
            .filter(|v| v.violation.severity == s)
            .count()
    };
    let (errors, warnings) = (sev(Severity::Error), sev(Severity::Warning));
    let cov = &report.coverage;
    match lang {
        Lang::Zh => format!(
            "汇总完成：读取 {read} 个文件，失败 {failed} 个；计入汇总 {}；未报送 {} 个；错误 {errors} 处，警告 {warnings} 处；已写入 {}（{secs:.1} 秒）",
            cov.label(lang),
            cov.missing.len(),
            out.display()
        ),
        Lang::En => format!(
            "done: {read} files read, {failed} failed; totals over {}; {} missing; {errors} errors, {warnings} warnings; wrote {} ({secs:.1} s)",
            cov.label(lang),
            cov.missing.len(),
            out.display()
        ),
    }
}
