//! `check` one return: read it (and last year's), run every rule on it alone, and write its
//! JSON report and annotated return as one set.

use std::path::{Path, PathBuf};

use nianbao_consolidate::{Input, Options, Prior};
use nianbao_format::{Lang, Report, Scope, UnitStatus};
use nianbao_rules::RuleSet;
use nianbao_write::{WriteOptions, write_json_report};

use crate::outputs::{self, Kind, OutputSet, Target};
use crate::{RunError, annotated_bytes, consolidate_failed, load_roster, load_rules};

/// What `check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub file: PathBuf,
    /// Only names the unit by its code: the roster's other units are not missing from a check.
    pub roster: Option<PathBuf>,
    /// Last year's return of the same unit, for the cross-year rules.
    pub prior: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// The JSON report; `-` is standard output.
    pub json: Option<PathBuf>,
    /// The annotated return to write (.xlsx).
    pub annotate: Option<PathBuf>,
    /// Explanations (出错说明) the office accepted: the unit's own apply, as in a consolidation.
    pub waivers: Option<PathBuf>,
    pub lang: Lang,
}

/// What a check found.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The report of one unit (no district totals of its own, no missing units).
    pub report: Report,
    pub rules: RuleSet,
    /// Last year's return was read and the cross-year rules ran.
    pub with_prior: bool,
    /// Last year's return was given but could not be read (the cross-year rules did not run).
    pub prior_unreadable: bool,
}

fn input_file(path: &Path, what_zh: &str, what_en: &str) -> Result<(), RunError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(RunError::new(
            format!(
                "{what_zh}是文件夹，不是文件：{}；要汇总整个文件夹，请用 nianbao consolidate {}",
                path.display(),
                path.display()
            ),
            format!(
                "{what_en} is a folder, not a file: {}; to consolidate a folder use nianbao consolidate {}",
                path.display(),
                path.display()
            ),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(RunError::io(
            &format!("无法打开{what_zh}"),
            &format!("cannot open {what_en}"),
            path,
            &e,
        )),
    }
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a file as a return whatever marker it carries: a clerk may check anything. `name` is
/// the file name the return goes by (in messages, and to tell its unit by).
fn read(path: &Path, name: String) -> Input {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    Input {
        file: name,
        modified,
        outcome: nianbao_read::read_path(path).map_err(|e| e.message),
        assessed: None,
    }
}

/// Checks one return.
pub fn check_file(req: &CheckRequest) -> Result<CheckOutcome, RunError> {
    check_file_named(req, &name_of(&req.file))
}

/// Checks one return kept under a name that is not its own (an upload stored by its content
/// hash): `name` stands for the file's name in messages and in telling its unit.
pub fn check_file_named(req: &CheckRequest, name: &str) -> Result<CheckOutcome, RunError> {
    input_file(&req.file, "要检查的报表", "the return")?;
    if let Some(p) = &req.prior {
        input_file(p, "上年报表", "last year's return")?;
    }
    let json = req
        .json
        .as_deref()
        .map(|j| outputs::resolve(j, Kind::Json))
        .transpose()?;
    let annotate = req
        .annotate
        .as_deref()
        .map(|a| outputs::resolve(a, Kind::Workbook))
        .transpose()?;
    let targets: Vec<&Target> = json.iter().chain(&annotate).collect();
    outputs::refuse_same_twice(&targets)?;
    let inputs: Vec<&PathBuf> = std::iter::once(&req.file)
        .chain(&req.prior)
        .chain(&req.roster)
        .chain(&req.rules)
        .chain(&req.waivers)
        .collect();
    for t in &targets {
        for i in &inputs {
            outputs::refuse_input(t, i)?;
        }
    }
    let roster = load_roster(req.roster.as_deref())?;
    let rules = load_rules(req.rules.as_deref())?;
    let waivers = req
        .waivers
        .as_deref()
        .map(|p| crate::waivers::load(p, &rules, roster.as_ref()))
        .transpose()?;

    let input = read(&req.file, name.to_string());
    let mut opts = Options {
        rules,
        // One unit: its whole reconciliation is shown, cells and all.
        keep_readings: true,
        ..Default::default()
    };
    let mut prior_unreadable = false;
    if let Some(prior) = &req.prior {
        let last = read(prior, name_of(prior));
        let key = nianbao_consolidate::unit_key(roster.as_ref(), &input);
        match (key, last.outcome) {
            (Some(key), Ok(ret)) if ret.readings.iter().all(|r| r.value.is_some()) => {
                let values = ret.readings.iter().map(|r| r.value).collect();
                opts.prior.insert(
                    key,
                    Prior {
                        file: last.file,
                        values,
                    },
                );
            }
            _ => prior_unreadable = true,
        }
    }
    let mut report = nianbao_consolidate::consolidate(vec![input], roster.as_ref(), &opts)
        .map_err(consolidate_failed)?
        .report;
    // The roster only names the unit: its other units are not missing from a check, and the
    // district's totals are this unit's values, checked already.
    report.units.retain(|u| u.status != UnitStatus::Missing);
    report.violations.retain(|v| {
        v.violation.rule != nianbao_format::problem::MISSING_UNIT && v.scope() != Scope::District
    });
    report.coverage.missing.clear();
    report.coverage.expected = report.coverage.received;
    if let Some(mut waivers) = waivers {
        // The unit's own: the others' are neither applied nor unused in a check of this one.
        waivers.retain(|w| report.units.iter().any(|u| u.unit == w.unit));
        crate::waivers::apply(&mut report, &waivers, crate::date::Date::today());
    }

    let wopts = WriteOptions {
        lang: req.lang,
        year: report.year,
        // The rules the run checked, so that messages and titles are rendered from them.
        rules: Some(std::sync::Arc::new(opts.rules.clone())),
        ..Default::default()
    };
    let mut set = OutputSet::default();
    if let Some(target) = &annotate
        && let Some(unit) = report.units.iter().find(|u| u.readings.is_some())
    {
        let by_unit = crate::violations_by_unit(&report);
        let own = by_unit
            .get(unit.unit.as_str())
            .map_or(&[][..], Vec::as_slice);
        set.add(target, annotated_bytes(unit, own, &wopts)?);
    }
    if let Some(target) = &json {
        let mut text = Vec::new();
        write_json_report(&report, &wopts, &mut text).map_err(|e| {
            RunError::new(
                format!("生成 JSON 报告失败：{e}"),
                format!("cannot build the JSON report: {e}"),
            )
        })?;
        set.add(target, text);
    }
    set.commit()?;
    Ok(CheckOutcome {
        with_prior: !opts.prior.is_empty(),
        report,
        rules: opts.rules,
        prior_unreadable,
    })
}
