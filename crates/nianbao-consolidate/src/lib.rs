//! Settles which return stands for which roster unit, builds the per-unit polars DataFrame (one
//! row per unit, one column per field id) and sums it into exact district totals, with the rule
//! violations of every unit and of the totals.

mod export;
mod frame;
mod roster;

pub use export::{ExportError, FrameFormat, analyst_frame, write_frame};
pub use frame::{column_totals, unit_frame, unit_totals};
pub use nianbao_read::decode_text;
pub use roster::{NameMatch, Roster, RosterError, csv_rows, table_rows};

use std::collections::HashMap;
use std::time::SystemTime;

use nianbao_format::problem;
use nianbao_format::{
    Coverage, FileEntry, FileStatus, Msg, Reading, Report, Severity, Unit, UnitEntry, UnitShare,
    UnitStatus, UnitValues, UnitViolation, Violation,
};
use nianbao_rules::{RuleSet, Values, check_unit, evaluate_checks, fill_blank_totals};

/// A return as read from one file, or why it could not be.
#[derive(Debug, Clone)]
pub struct Input {
    /// Path relative to the returns folder, with '/' separators.
    pub file: String,
    pub modified: Option<SystemTime>,
    pub outcome: Result<ReadReturn, Msg>,
    /// The return checked on its own already ([`assess_input`], on the reader's thread): its
    /// readings then live here, kept only where still needed, and `outcome`'s are empty.
    pub assessed: Option<Assessed>,
}

/// A return checked on its own, as soon as it is read: its values, compact, what the reader and
/// the rules found, and its readings only when something was found (or `keep_readings`), so
/// that a clean return's provenance is not held while thousands of others are read.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub readings: Option<Vec<Reading>>,
    pub values: UnitValues,
    /// The reader's problems first, then what the rules found, then the blank-cell note.
    pub found: Vec<Violation>,
    /// How many of `found` are the reader's problems (a wrong year is said after them).
    pub problems: usize,
    pub blanks: usize,
    /// Every value could be read.
    pub complete: bool,
}

/// Checks one return on its own: blank totals filled from their parts, every rule (with last
/// year's values of the unit `key`), blank cells counted.
pub fn assess(ret: &mut ReadReturn, key: Option<&str>, opts: &Options) -> Assessed {
    let mut readings = std::mem::take(&mut ret.readings);
    let mut found = std::mem::take(&mut ret.problems);
    let problems = found.len();
    found.extend(fill_blank_totals(&opts.rules, &mut readings));
    let mut values = Values::from_readings(&readings);
    if let Some(prior) = key.and_then(|k| opts.prior.get(k)) {
        values = values
            .with_prior(prior.values.clone())
            .with_prior_file(prior.file.clone());
    }
    found.extend(check_unit(&opts.rules, &values));
    found.extend(rollup_warnings(ret.generated.as_deref()));
    let blanks = readings.iter().filter(|r| r.blank).count();
    if blanks > 0 {
        found.push(file_violation(
            problem::BLANK,
            Severity::Info,
            Msg::new(
                format!("有 {blanks} 个数值单元格留空（按 0 计）"),
                format!("{blanks} value cells left blank (counted as 0)"),
            ),
        ));
    }
    let something = found.iter().any(|v| v.severity != Severity::Info);
    let complete = readings.iter().all(|r| r.value.is_some());
    // A return whose year differs from the run's will be an error: keep its readings too.
    let other_year = matches!((ret.year, opts.year), (Some(a), Some(b)) if a != b);
    // Held for every return until all are settled: a Vec grown from empty has room for four
    // (1.2 KB for the one blank-cell note most returns have).
    found.shrink_to_fit();
    Assessed {
        values: UnitValues::from_readings(&readings),
        readings: (opts.keep_readings || something || other_year).then_some(readings),
        found,
        problems,
        blanks,
        complete,
    }
}

/// What a named body's combined workbook, read as its return in a roll-up, says of itself that
/// its totals do not show: units its totals leave out, units with errors (warnings: the city
/// knows, and may accept it with a waiver).
fn rollup_warnings(generated: Option<&str>) -> Vec<Violation> {
    let Some((name, c)) = generated.and_then(|m| {
        Some((
            nianbao_format::summary_unit(m)?,
            nianbao_format::summary_counts(m)?,
        ))
    }) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if c.counted < c.of {
        found.push(file_violation(
            problem::ROLLUP_INCOMPLETE,
            Severity::Warning,
            Msg::new(
                format!(
                    "{name}的汇总只计入 {}/{} 个单位（其余未报送或未计入）",
                    c.counted, c.of
                ),
                format!(
                    "{name}'s totals count {} of its {} units (the others did not file or are left out)",
                    c.counted, c.of
                ),
            ),
        ));
    }
    if c.with_errors > 0 {
        found.push(file_violation(
            problem::ROLLUP_UNIT_ERRORS,
            Severity::Warning,
            Msg::new(
                format!("{name}的汇总中有 {} 个单位的报表有错误", c.with_errors),
                format!(
                    "{} of {name}'s units have errors in their returns",
                    c.with_errors
                ),
            ),
        ));
    }
    found
}

/// Assesses a readable input in place (see [`Assessed`]); the unit is told by the roster as
/// [`consolidate`] will tell it.
pub fn assess_input(input: &mut Input, roster: Option<&Roster>, opts: &Options) {
    if input.assessed.is_some() || input.outcome.is_err() {
        return;
    }
    let key = unit_key(roster, input);
    if let Ok(ret) = &mut input.outcome {
        input.assessed = Some(assess(ret, key.as_deref(), opts));
    }
}

/// What the reader got out of a file that holds a return (the reader's own type).
pub use nianbao_read::Return as ReadReturn;

/// Why a consolidation could not be done: the frame the totals come from failed. Never zeros.
#[derive(Debug, thiserror::Error)]
#[error("汇总表（DataFrame）计算失败：{0}")]
pub struct ConsolidateError(#[from] polars::error::PolarsError);

impl ConsolidateError {
    /// The message in the clerk's language or in English.
    pub fn message(&self) -> Msg {
        Msg::new(
            format!("汇总表（DataFrame）计算失败：{}", self.0),
            format!("the unit frame could not be summed: {}", self.0),
        )
    }
}

/// What to do when two files are returns of the same unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prefer {
    /// Both are named, the unit is excluded and marked duplicate.
    #[default]
    Neither,
    /// Take the most recently modified file and say so.
    Newest,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub prefer: Prefer,
    pub rules: RuleSet,
    /// Last year's returns by unit key (roster code, or name without a roster): the cross-year
    /// rules run for the units found here.
    pub prior: HashMap<String, Prior>,
    /// Last year's district totals (a published report of last year), for the cross-year rules
    /// on this year's totals.
    pub prior_district: Option<Prior>,
    /// The year being consolidated; a return whose title names another is kept out of the
    /// totals. None: the year most returns name.
    pub year: Option<i32>,
    /// Keep every unit's readings (values with their cells), not only those of units with
    /// errors or warnings: `check` shows one unit's whole reconciliation.
    pub keep_readings: bool,
}

/// Last year's return of a unit, for the cross-year rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    /// Its file, as named in the messages (path relative to last year's folder).
    pub file: String,
    /// Its values in canonical field order; None where unreadable.
    pub values: Vec<Option<i64>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            prefer: Prefer::default(),
            rules: RuleSet::builtin().clone(),
            prior: HashMap::new(),
            prior_district: None,
            year: None,
            keep_readings: false,
        }
    }
}

/// The outcome of a consolidation: the report and the per-unit frame behind it.
pub struct Consolidation {
    pub report: Report,
}

impl Consolidation {
    /// The unit × field frame of the report's units (built on demand: the totals are summed
    /// column by column, [`unit_totals`]).
    pub fn frame(&self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        unit_frame(&self.report.units)
    }
}

/// The district a set of returns adds up to.
pub fn consolidate(
    inputs: Vec<Input>,
    roster: Option<&Roster>,
    opts: &Options,
) -> Result<Consolidation, ConsolidateError> {
    // Sized once: at 10,000 units each list growing by doubling held twice its size for a
    // moment, and the allocator kept it.
    let mut files = Vec::with_capacity(inputs.len());
    // unit key -> (roster index if any, display name, candidate inputs)
    let mut by_unit: Vec<Claim> = Vec::with_capacity(inputs.len());
    let mut key_of: HashMap<String, usize> = HashMap::with_capacity(inputs.len());
    let mut unknown: Vec<(Claimed, Msg)> = Vec::new();
    let mut year_votes: HashMap<i32, usize> = HashMap::new();

    for input in inputs {
        let ret = match input.outcome {
            Ok(r) => r,
            Err(msg) => {
                // A file that cannot be read may still say by its name whose it is.
                let unit = roster.and_then(|r| match r.match_name(&input.file) {
                    NameMatch::Unit(i) => Some(r.units[i].code.clone()),
                    _ => None,
                });
                files.push(FileEntry {
                    file: input.file,
                    status: FileStatus::Failed,
                    unit,
                    error: Some(msg),
                });
                continue;
            }
        };
        if let Some(y) = ret.year {
            *year_votes.entry(y).or_default() += 1;
        }
        let found = ret.unit_name.clone();
        let (key, roster_idx, name) = match roster {
            Some(roster) => match identify(roster, found.as_deref(), &input.file) {
                Ok(i) => (
                    roster.units[i].code.clone(),
                    Some(i),
                    roster.units[i].name.clone(),
                ),
                Err(why) => {
                    unknown.push((
                        Claimed {
                            file: input.file,
                            modified: input.modified,
                            ret,
                            assessed: input.assessed,
                        },
                        why,
                    ));
                    continue;
                }
            },
            None => {
                let name = found.unwrap_or_else(|| file_stem(&input.file));
                (name.clone(), None, name)
            }
        };
        let slot = *key_of.entry(key.clone()).or_insert_with(|| {
            by_unit.push(Claim {
                key,
                roster_idx,
                name,
                // Nearly always one return a unit: not the four a Vec grown from empty holds
                // (1.2 KB a unit, 12 MB at 10,000 units).
                inputs: Vec::with_capacity(1),
            });
            by_unit.len() - 1
        });
        by_unit[slot].inputs.push(Claimed {
            file: input.file,
            modified: input.modified,
            ret,
            assessed: input.assessed,
        });
    }

    let year = opts.year.or_else(|| {
        year_votes
            .into_iter()
            .max_by_key(|(y, n)| (*n, *y))
            .map(|(y, _)| y)
    });
    let mut units: Vec<UnitEntry> = Vec::with_capacity(by_unit.len() + unknown.len());
    let mut violations: Vec<UnitViolation> = Vec::new();
    // Roster order first, then units found without a roster in file order.
    by_unit.sort_by_key(|c| c.roster_idx.unwrap_or(usize::MAX));
    for claim in by_unit {
        let (entry, vs, fs) = settle(claim, roster, opts, year);
        units.push(entry);
        violations.extend(vs);
        files.extend(fs);
    }
    for (input, why) in unknown {
        let name = input
            .ret
            .unit_name
            .clone()
            .unwrap_or_else(|| file_stem(&input.file));
        files.push(FileEntry {
            file: input.file.clone(),
            status: FileStatus::Ok,
            unit: None,
            error: None,
        });
        violations.push(UnitViolation {
            unit: name.clone(),
            file: Some(input.file.clone()),
            violation: file_violation(problem::UNKNOWN_UNIT, Severity::Error, why),
        });
        units.push(UnitEntry {
            unit: name.clone(),
            name,
            kind: None,
            files: vec![input.file.clone()],
            status: UnitStatus::Unknown,
            values: Some(match &input.assessed {
                Some(a) => a.values.clone(),
                None => UnitValues::from_readings(&input.ret.readings),
            }),
            readings: match input.assessed {
                Some(a) => a.readings,
                None => Some(input.ret.readings),
            },
            in_totals: false,
            errors: 1,
            warnings: 0,
            blanks: 0,
            note: Some(Msg::new(
                "不在报送名单中，未计入汇总",
                "not on the roster; not in the totals",
            )),
        });
    }
    let mut missing = Vec::new();
    if let Some(roster) = roster {
        let filed: std::collections::HashSet<&str> =
            units.iter().map(|e| e.unit.as_str()).collect();
        let mut failed_by_unit: HashMap<&str, Vec<&FileEntry>> = HashMap::new();
        for f in &files {
            if let Some(u) = &f.unit {
                failed_by_unit.entry(u.as_str()).or_default().push(f);
            }
        }
        let mut absent: Vec<(usize, UnitEntry)> = Vec::new();
        for (i, u) in roster.units.iter().enumerate() {
            if filed.contains(u.code.as_str()) {
                continue;
            }
            if let Some(failed) = failed_by_unit.get(u.code.as_str()) {
                // It did file, but nothing it sent could be read: failed, not missing.
                let mut entry = missing_entry(u);
                entry.status = UnitStatus::Failed;
                entry.files = failed.iter().map(|f| f.file.clone()).collect();
                entry.note = failed[0].error.clone();
                absent.push((i, entry));
                continue;
            }
            missing.push(u.code.clone());
            violations.push(UnitViolation {
                unit: u.code.clone(),
                file: None,
                violation: file_violation(
                    problem::MISSING_UNIT,
                    Severity::Error,
                    Msg::new(
                        format!("{} 未报送年报", u.name),
                        format!("{} has not filed", u.name),
                    ),
                ),
            });
            absent.push((i, missing_entry(u)));
        }
        units = merge_in_roster_order(units, absent, roster);
    }

    let totals = unit_totals(&units)?;
    let mut district = Values::from_totals(&totals);
    if let Some(prior) = &opts.prior_district {
        district = district
            .with_prior(prior.values.clone())
            .with_prior_file(prior.file.clone());
    }
    for (check, mut v) in evaluate_checks(&opts.rules, &district) {
        attribute(check, &mut v, &units);
        violations.push(UnitViolation {
            unit: nianbao_format::DISTRICT.into(),
            file: None,
            violation: v,
        });
    }
    let received = units
        .iter()
        .filter(|u| u.was_read() && u.status != UnitStatus::Unknown)
        .count();
    let coverage = Coverage {
        expected: roster.map_or(received, |r| r.units.len()),
        received,
        in_totals: units.iter().filter(|u| u.in_totals).count(),
        missing,
    };
    Ok(Consolidation {
        report: Report {
            year,
            units,
            totals,
            violations,
            files,
            coverage,
            waivers: Default::default(),
        },
    })
}

/// The key the unit of a readable input goes by in a report: its roster code, or without a
/// roster the name in the file (else the file's name). None when it cannot be told.
pub fn unit_key(roster: Option<&Roster>, input: &Input) -> Option<String> {
    let ret = input.outcome.as_ref().ok()?;
    match roster {
        Some(r) => identify(r, ret.unit_name.as_deref(), &input.file)
            .ok()
            .map(|i| r.units[i].code.clone()),
        None => Some(
            ret.unit_name
                .clone()
                .unwrap_or_else(|| file_stem(&input.file)),
        ),
    }
}

/// Names the units in the totals whose own values are off on the district's failing check, with
/// their part, and says so in the message: "来自 U05 亭林镇（差 1）". One pass over the units per
/// failing check; the parts add up to the district's difference (the checks are linear).
fn attribute(check: &nianbao_rules::Check, v: &mut Violation, units: &[UnitEntry]) {
    let mut shares: Vec<UnitShare> = Vec::new();
    let mut total = 0i64;
    for u in units.iter().filter(|u| u.in_totals) {
        let Some(values) = &u.values else {
            continue;
        };
        if let Some(d) = Values::from_values(values.iter().collect()).residual(check)
            && d != 0
        {
            total += d;
            shares.push(UnitShare {
                unit: u.unit.clone(),
                name: u.name.clone(),
                diff: d,
            });
        }
    }
    if total < 0 {
        for s in &mut shares {
            s.diff = -s.diff;
        }
    }
    if shares.is_empty() {
        return;
    }
    let kind = nianbao_format::fields()[check.lhs[0].field].kind;
    let shown = |s: &UnitShare| {
        let who = nianbao_format::code_and_name(&s.unit, &s.name);
        (who, nianbao_format::format_value(kind, s.diff))
    };
    const NAMED: usize = 5;
    let zh: Vec<String> = shares
        .iter()
        .take(NAMED)
        .map(|s| {
            let (who, d) = shown(s);
            format!("{who}（差 {d}）")
        })
        .collect();
    let en: Vec<String> = shares
        .iter()
        .take(NAMED)
        .map(|s| {
            let (who, d) = shown(s);
            format!("{who} (off by {d})")
        })
        .collect();
    let more = shares.len().saturating_sub(NAMED);
    v.message.zh.push_str(&format!("；来自 {}", zh.join("、")));
    v.message.en.push_str(&format!("; from {}", en.join(", ")));
    if more > 0 {
        v.message
            .zh
            .push_str(&format!(" 等 {} 个单位", shares.len()));
        v.message.en.push_str(&format!(" and {more} more units"));
    }
    v.from_units = shares;
}

struct Claim {
    key: String,
    roster_idx: Option<usize>,
    name: String,
    inputs: Vec<Claimed>,
}

/// A readable return claimed by a unit: its file, modification time and contents.
struct Claimed {
    file: String,
    modified: Option<SystemTime>,
    ret: ReadReturn,
    assessed: Option<Assessed>,
}

fn file_stem(file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    base.rsplit_once('.').map_or(base, |(s, _)| s).to_string()
}

/// The roster unit a return belongs to: the name inside the file first, then the file's path.
fn identify(roster: &Roster, found: Option<&str>, file: &str) -> Result<usize, Msg> {
    let in_file = found.map(|n| roster.match_name(n));
    if let Some(NameMatch::Unit(i)) = in_file {
        return Ok(i);
    }
    match roster.match_name(file) {
        NameMatch::Unit(i) => Ok(i),
        NameMatch::Ambiguous(v) => {
            let names: Vec<&str> = v.iter().map(|&i| roster.units[i].name.as_str()).collect();
            Err(Msg::new(
                format!("无法确定报送单位：文件名同时符合 {}", names.join("、")),
                format!(
                    "cannot tell the unit: the file name fits {}",
                    names.join(", ")
                ),
            ))
        }
        NameMatch::None => Err(match found {
            Some(n) => Msg::new(
                format!("填报单位“{n}”不在报送名单中，文件名也未注明名单内的单位"),
                format!("the unit \"{n}\" is not on the roster, nor does the file name name one"),
            ),
            None => Msg::new(
                "文件中未写明填报单位，文件名也未注明名单内的单位",
                "the file names no unit, nor does its file name name one on the roster",
            ),
        }),
    }
}

fn file_violation(rule: &str, severity: Severity, message: Msg) -> Violation {
    Violation {
        rule: rule.into(),
        severity,
        message,
        ..Default::default()
    }
}

fn missing_entry(u: &Unit) -> UnitEntry {
    UnitEntry {
        unit: u.code.clone(),
        name: u.name.clone(),
        kind: Some(u.kind.clone()),
        files: vec![],
        status: UnitStatus::Missing,
        readings: None,
        values: None,
        in_totals: false,
        errors: 1,
        warnings: 0,
        blanks: 0,
        note: None,
    }
}

/// Puts the units that did not file (by roster index) among those that did, in roster order;
/// units off the roster stay last, in their order. Linear in the number of units.
fn merge_in_roster_order(
    filed: Vec<UnitEntry>,
    absent: Vec<(usize, UnitEntry)>,
    roster: &Roster,
) -> Vec<UnitEntry> {
    let rank: HashMap<&str, usize> = roster
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let mut out = Vec::with_capacity(filed.len() + absent.len());
    let mut absent = absent.into_iter().peekable();
    for e in filed {
        let r = rank.get(e.unit.as_str()).copied().unwrap_or(usize::MAX);
        while let Some((_, a)) = absent.next_if(|(i, _)| *i < r) {
            out.push(a);
        }
        out.push(e);
    }
    out.extend(absent.map(|(_, a)| a));
    out
}

/// Whether a unit's returns are copies of one: every value read, and the same year and values
/// (a blank and a typed 0 told apart) in each.
fn same_return(inputs: &[Claimed]) -> bool {
    let whole = |c: &Claimed| -> Option<(Option<i32>, UnitValues)> {
        let values = match &c.assessed {
            Some(a) => a.complete.then(|| a.values.clone())?,
            None => {
                let readings = &c.ret.readings;
                let complete = readings.iter().all(|r| r.value.is_some());
                complete.then(|| UnitValues::from_readings(readings))?
            }
        };
        Some((c.ret.year, values))
    };
    let Some(first) = inputs.first().and_then(whole) else {
        return false;
    };
    inputs[1..]
        .iter()
        .all(|c| whole(c).as_ref() == Some(&first))
}

/// Settles a unit on the first of its returns: the others are listed as skipped, each for
/// `why(the file taken)`; returns the unit's note, `note(how many files, the file taken)`.
fn take_first(
    inputs: &mut Vec<Claimed>,
    key: &str,
    files: &mut Vec<FileEntry>,
    why: fn(&str) -> Msg,
    note: fn(usize, &str) -> Msg,
) -> Msg {
    let n = inputs.len();
    let taken = inputs.remove(0);
    for other in inputs.drain(..) {
        files.push(FileEntry {
            file: other.file,
            status: FileStatus::Skipped,
            unit: Some(key.to_string()),
            error: Some(why(&taken.file)),
        });
    }
    let note = note(n, &taken.file);
    inputs.push(taken);
    note
}

/// Turns one unit's claimed returns into its entry, violations and file lines.
fn settle(
    claim: Claim,
    roster: Option<&Roster>,
    opts: &Options,
    year: Option<i32>,
) -> (UnitEntry, Vec<UnitViolation>, Vec<FileEntry>) {
    let Claim {
        key,
        roster_idx,
        name,
        mut inputs,
    } = claim;
    let kind = roster_idx.and_then(|i| roster.map(|r| r.units[i].kind.clone()));
    let mut files = Vec::new();
    let mut violations = Vec::new();
    let mut note = None;
    if inputs.len() > 1 && same_return(&inputs) {
        // Copies of one return (sent twice, or saved again under another name): the totals are
        // the same whichever is taken, so it is counted once and the others are listed.
        inputs.sort_by(|a, b| a.file.cmp(&b.file));
        note = Some(take_first(
            &mut inputs,
            &key,
            &mut files,
            |t| {
                Msg::new(
                    format!("与 {t} 数值相同，只计一次"),
                    format!("the same values as {t}: counted once"),
                )
            },
            |n, t| {
                Msg::new(
                    format!("有 {n} 个文件，数值相同，采用 {t}"),
                    format!("{n} files with the same values; took {t}"),
                )
            },
        ));
    }
    if inputs.len() > 1 {
        let names: Vec<String> = inputs.iter().map(|i| i.file.clone()).collect();
        if opts.prefer == Prefer::Newest {
            inputs.sort_by_key(|i| std::cmp::Reverse(i.modified));
            note = Some(take_first(
                &mut inputs,
                &key,
                &mut files,
                |t| {
                    Msg::new(
                        format!("同一单位有更新的文件 {t}"),
                        format!("a newer file of the same unit was taken: {t}"),
                    )
                },
                |n, t| {
                    Msg::new(
                        format!("有 {n} 个文件，采用最新的 {t}"),
                        format!("{n} files; took the newest, {t}"),
                    )
                },
            ));
        } else {
            for f in &names {
                files.push(FileEntry {
                    file: f.clone(),
                    status: FileStatus::Ok,
                    unit: Some(key.clone()),
                    error: None,
                });
            }
            violations.push(UnitViolation {
                unit: key.clone(),
                file: None,
                violation: file_violation(
                    problem::DUPLICATE_UNIT,
                    Severity::Error,
                    Msg::new(
                        format!("{name} 报送了 {} 个文件（{}），未计入汇总；请确认后只保留一个，或使用 --prefer newest", names.len(), names.join("、")),
                        format!("{name} sent {} files ({}); not in the totals: keep one, or use --prefer newest", names.len(), names.join(", ")),
                    ),
                ),
            });
            let entry = UnitEntry {
                unit: key,
                name,
                kind,
                files: names,
                status: UnitStatus::Duplicate,
                readings: None,
                values: None,
                in_totals: false,
                errors: 1,
                warnings: 0,
                blanks: 0,
                note: None,
            };
            return (entry, violations, files);
        }
    }
    let input = inputs.pop().expect("a claim has at least one return");
    files.push(FileEntry {
        file: input.file.clone(),
        status: FileStatus::Ok,
        unit: Some(key.clone()),
        error: None,
    });
    let mut ret = input.ret;
    let wrong_year = match (ret.year, year) {
        (Some(theirs), Some(ours)) if theirs != ours => Some((theirs, ours)),
        _ => None,
    };
    let assessed = match input.assessed {
        Some(a) => a,
        None => assess(&mut ret, Some(&key), opts),
    };
    let Assessed {
        readings,
        values: compact,
        mut found,
        problems,
        blanks,
        complete,
    } = assessed;
    if let Some((theirs, ours)) = wrong_year {
        found.insert(
            problems,
            file_violation(
                problem::WRONG_YEAR,
                Severity::Error,
                Msg::new(
                    format!("年份不符：文件为 {theirs} 年报表，本次汇总为 {ours} 年；未计入汇总"),
                    format!("wrong year: the file is a {theirs} return, this run is {ours}; not in the totals"),
                ),
            ),
        );
    }
    let errors = found
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .count();
    let warnings = found
        .iter()
        .filter(|v| v.severity == Severity::Warning)
        .count();
    let status = if errors > 0 {
        UnitStatus::Errors
    } else if warnings > 0 {
        UnitStatus::Warnings
    } else {
        UnitStatus::Ok
    };
    if !complete {
        note = Some(Msg::new(
            "有无法读取的数值，未计入汇总",
            "has unreadable values; not in the totals",
        ));
    }
    if wrong_year.is_some() {
        note = Some(Msg::new(
            "年份不符，未计入汇总",
            "wrong year; not in the totals",
        ));
    }
    violations.extend(found.into_iter().map(|v| UnitViolation {
        unit: key.clone(),
        file: Some(input.file.clone()),
        violation: v,
    }));
    let entry = UnitEntry {
        unit: key,
        name,
        kind,
        files: vec![input.file],
        status,
        values: Some(compact),
        // Provenance is kept where it is still needed (the messages and the annotated return
        // of a unit with errors or warnings, a check); a clean unit keeps its values only.
        readings,
        in_totals: complete && wrong_year.is_none(),
        errors,
        warnings,
        blanks,
        note,
    };
    (entry, violations, files)
}

#[cfg(test)]
mod tests;
