//! The path from files to outputs that every front end runs: find the returns, read them in parallel, load last year, consolidate, and write the outputs as one set.
//!
//! One entry per use: [`consolidate_folder`] (the batch), [`run::run`] (the nightly run of a
//! year's [`workspace`]; [`run::run_between_nights`] and [`upload`] for the web page),
//! [`check_file`] (one unit's return, on the phone), [`template::write_templates`] (the blank
//! returns the units fill in) and [`publish::publish`] (the district's tables as the annual
//! report prints them). A run that cannot be done is a [`RunError`] (exit status
//! 2) raised before anything is written; a file that cannot be read fails alone inside the
//! report.

pub mod cache;
mod check;
pub mod date;
mod discover;
mod error;
mod folder;
pub mod outputs;
pub mod publish;
mod read;
mod reconcile;
pub mod run;
pub mod template;
pub mod upload;
pub mod waivers;
pub mod workspace;

pub use check::{CheckOutcome, CheckRequest, check_file, check_file_named};
pub use discover::{Discovery, Found, discover};
pub use error::RunError;
pub use folder::{FolderOutcome, FolderRequest, Prepared, consolidate_folder, prepare, prior_of};
pub use nianbao_consolidate::Prefer;
pub use outputs::abandon_staged_and_exit;
pub use read::{Progress, Read, Silent, own_output, read_all, read_file};
pub use reconcile::reconciliation;

use std::path::Path;

use nianbao_consolidate::{Roster, RosterError};
use nianbao_format::{Report, UnitEntry, Violation};
use nianbao_rules::RuleSet;
use nianbao_write::{WriteOptions, annotated_return};

/// A consolidation that failed (its frame could not be summed) as the run's error.
pub(crate) fn consolidate_failed(e: nianbao_consolidate::ConsolidateError) -> RunError {
    RunError {
        message: e.message(),
    }
}

/// The roster at `path`, if one is given.
pub fn load_roster(path: Option<&Path>) -> Result<Option<Roster>, RunError> {
    Ok(load_roster_hashed(path)?.map(|(roster, _)| roster))
}

/// The same, with the SHA-256 of the bytes it was read from.
pub(crate) fn load_roster_hashed(
    path: Option<&Path>,
) -> Result<Option<(Roster, String)>, RunError> {
    let Some(path) = path else { return Ok(None) };
    let bytes = std::fs::read(path)
        .map_err(|e| RunError::io("无法读取名单", "cannot read the roster", path, &e))?;
    if bytes.len() as u64 > nianbao_read::MAX_FILE_SIZE {
        return Err(RunError::new(
            format!("名单文件过大：{}", path.display()),
            format!("the roster file is too large: {}", path.display()),
        ));
    }
    // A roster kept as a workbook (first sheet), else CSV text in whatever encoding Excel saved.
    let invalid = |e: RosterError| {
        let why = e.message();
        RunError::new(
            format!("名单 {} 有误：{}", path.display(), why.zh),
            format!("the roster {} is invalid: {}", path.display(), why.en),
        )
    };
    let rows = nianbao_consolidate::table_rows(&bytes).map_err(|(line, reason)| match line {
        0 => RunError::new(
            format!("无法读取名单 {}：{}", path.display(), reason.zh),
            format!("cannot read the roster {}: {}", path.display(), reason.en),
        ),
        _ => invalid(RosterError::Invalid { line, reason }),
    })?;
    let roster = Roster::from_rows(rows).map_err(invalid)?;
    Ok(Some((roster, cache::sha256_hex(&bytes))))
}

/// The built-in rules, or the rule file given.
pub fn load_rules(path: Option<&Path>) -> Result<RuleSet, RunError> {
    Ok(load_rules_hashed(path)?.0)
}

/// The same, with the SHA-256 of the rule file it was read from (None: the built-in rules).
pub(crate) fn load_rules_hashed(
    path: Option<&Path>,
) -> Result<(RuleSet, Option<String>), RunError> {
    let Some(path) = path else {
        return Ok((RuleSet::builtin().clone(), None));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| RunError::io("无法读取规则文件", "cannot read the rule file", path, &e))?;
    let rules = RuleSet::parse(&text).map_err(|e| {
        let why = e.message();
        RunError::new(
            format!("规则文件 {} 有误：{}", path.display(), why.zh),
            format!("the rule file {} is invalid: {}", path.display(), why.en),
        )
    })?;
    Ok((rules, Some(cache::sha256_hex(text.as_bytes()))))
}

/// The unit's annotated return (the file sent back to it), from its own violations.
pub fn annotated_bytes(
    unit: &UnitEntry,
    violations: &[Violation],
    wopts: &WriteOptions,
) -> Result<Vec<u8>, RunError> {
    annotated_return(unit, violations, wopts).map_err(|e| {
        let why = e.message();
        RunError::new(
            format!("无法生成 {} 的退回文件：{}", unit.name, why.zh),
            format!(
                "cannot build the annotated return of {}: {}",
                unit.name, why.en
            ),
        )
    })
}

/// Each unit's violations, in one pass over the report.
pub fn violations_by_unit(report: &Report) -> std::collections::HashMap<&str, Vec<Violation>> {
    let mut by: std::collections::HashMap<&str, Vec<Violation>> = Default::default();
    for v in &report.violations {
        by.entry(v.unit.as_str())
            .or_default()
            .push(v.violation.clone());
    }
    by
}
