//! Reads the returns of a folder in parallel, and tells our own earlier outputs from returns.

use std::path::Path;

use rayon::prelude::*;

use nianbao_consolidate::{Assessed, Input};
use nianbao_format::{
    FileEntry, FileStatus, GENERATED_ANNOTATED, GENERATED_SUMMARY, Msg, Reading, laid_values,
    mark_is_return, values_fingerprint,
};

use nianbao_read::Return;

use crate::cache::{Cache, Stamp, assessment_key, read_hashed};
use crate::discover::Found;

/// Told how far reading has got (a progress bar, a log line, nothing).
pub trait Progress: Sync {
    fn start(&self, _files: usize) {}
    fn file_done(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// What one file turned out to be.
#[derive(Debug, Clone)]
pub enum Read {
    /// A return (or a file that should have been one and could not be read).
    Input(Input),
    /// A workbook nianbao wrote itself, or a document (.txt, .html, .docx) that is no report:
    /// never a return; listed as skipped with why.
    Ours(FileEntry),
}

/// Why a document that could not be read as a report is skipped rather than failed: its
/// content is no report format at all (a note, a page without tables), by [`nianbao_read::sniff`].
fn not_a_report(path: &Path) -> Option<Msg> {
    use nianbao_read::Format;
    let bytes = std::fs::read(path).ok()?;
    match nianbao_read::sniff(&bytes) {
        Format::Html | Format::Docx | Format::ReportText => None,
        _ => Some(Msg::new(
            "不是年报（文本、网页或 Word 文件中没有统计表），已跳过",
            "not a report (a text, page or Word file without the tables); skipped",
        )),
    }
}

/// Why a workbook that carries nianbao's marker is not read as a return, if it is not: the
/// combined workbook always; an annotated return while its values are those nianbao wrote (one
/// a unit corrected is its new return); a template never (it is a return form, filled in or
/// not).
pub fn own_output(mark: Option<&str>, readings: &[Reading]) -> Option<Msg> {
    let mark = mark?;
    if nianbao_format::summary_unit(mark).is_some() {
        // A named body's totals: its city's return, settled against the roster (see
        // [`named_summaries_off_roster`]).
        return None;
    }
    if mark_is_return(mark) {
        return None;
    }
    if mark == GENERATED_SUMMARY {
        return Some(Msg::new(
            "本工具生成的文件（汇总工作簿），不作为报表读取",
            "written by nianbao (a consolidated workbook); not read as a return",
        ));
    }
    if let Some(rest) = mark.strip_prefix(GENERATED_ANNOTATED) {
        let fingerprint = rest.strip_prefix(";values=").unwrap_or_default();
        if fingerprint == values_fingerprint(laid_values(readings)) {
            return Some(Msg::new(
                "本工具生成的文件（退回修改文件，未经改动），不作为报表读取",
                "written by nianbao (an annotated return, unchanged); not read as a return",
            ));
        }
        return None;
    }
    Some(Msg::new(
        "本工具生成的文件，不作为报表读取",
        "written by nianbao; not read as a return",
    ))
}

/// Sets aside, as our own outputs, the combined workbooks of named bodies (`summary;unit=金山区`)
/// whose name the roster does not list: read as returns only in a roll-up, where the roster
/// lists the districts (a district's own 汇总.xlsx in its returns folder is never its return).
fn named_summaries_off_roster(
    inputs: Vec<Input>,
    roster: Option<&nianbao_consolidate::Roster>,
) -> (Vec<Input>, Vec<FileEntry>) {
    let mut kept = Vec::with_capacity(inputs.len());
    let mut ours = Vec::new();
    for input in inputs {
        let named = input
            .outcome
            .as_ref()
            .ok()
            .and_then(|r| r.generated.as_deref())
            .and_then(nianbao_format::summary_unit);
        let listed = |name: &str| {
            roster.is_some_and(|r| {
                !matches!(r.match_name(name), nianbao_consolidate::NameMatch::None)
            })
        };
        match named {
            Some(name) if !listed(name) => ours.push(FileEntry {
                file: input.file,
                status: FileStatus::Skipped,
                unit: None,
                error: Some(Msg::new(
                    format!("本工具生成的文件（{name}的汇总工作簿，名单中没有{name}），不作为报表读取"),
                    format!(
                        "written by nianbao (the consolidated workbook of {name}, who is not on the roster); not read as a return"
                    ),
                )),
            }),
            _ => kept.push(input),
        }
    }
    (kept, ours)
}

/// What reading the spreadsheets of a folder gave.
#[derive(Debug, Default)]
pub struct ReadSet {
    /// Returns (and files that should have been returns), in the order of the files.
    pub inputs: Vec<Input>,
    /// Our own earlier outputs, listed as skipped.
    pub ours: Vec<FileEntry>,
    /// Each file's content hash (path relative to the folder → SHA-256), when read through a
    /// cache.
    pub hashes: std::collections::BTreeMap<String, String>,
}

/// What the cache or the reader gave for a file.
enum Outcome {
    /// The reader's result.
    Read(Result<Return, Msg>),
    /// A return's assessment kept for these bytes: the return as the assessment leaves it.
    Assessed(Return, Assessed),
}

/// The assessment kept for a file whose bytes hash to the argument, if one is.
type Kept<'a> = &'a dyn Fn(&str) -> Option<(Return, Assessed)>;

/// A file's read result, through the cache when there is one (and its kept assessment, from
/// `kept`, before its read result); with its content hash then.
fn outcome_of(
    path: &Path,
    meta: Option<&std::fs::Metadata>,
    cache: Option<&Cache>,
    kept: Option<Kept<'_>>,
) -> (Outcome, Option<String>) {
    let fresh = || nianbao_read::read_path(path).map_err(|e| e.message);
    let Some(cache) = cache else {
        return (Outcome::Read(fresh()), None);
    };
    let from_cache = |sha: &str| match kept.and_then(|k| k(sha)) {
        Some((ret, assessed)) => Some(Outcome::Assessed(ret, assessed)),
        None => cache.get(sha).map(Outcome::Read),
    };
    // A file whose stamp has not changed since its hash was taken is not read or hashed again.
    let now = std::time::SystemTime::now();
    let stamp = meta.and_then(Stamp::of_metadata);
    if let Some(sha) = stamp.as_ref().and_then(|s| cache.known_hash(path, s))
        && let Some(outcome) = from_cache(&sha)
    {
        if let Some(stamp) = stamp {
            cache.remember(path, stamp, &sha, now);
        }
        return (outcome, Some(sha));
    }
    let Ok((bytes, sha)) = read_hashed(path) else {
        // the reader says why in the clerk's words
        return (Outcome::Read(fresh()), None);
    };
    if let Some(stamp) = stamp {
        cache.remember(path, stamp, &sha, now);
    }
    if let Some(outcome) = from_cache(&sha) {
        return (outcome, Some(sha));
    }
    let outcome = if bytes.is_empty() {
        fresh()
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        nianbao_read::read_bytes(&bytes, &name).map_err(|e| e.message)
    };
    cache.put(&sha, &outcome);
    (Outcome::Read(outcome), Some(sha))
}

/// Reads one file: a return, a failure, or one of our own outputs.
pub fn read_file(rel: &str, path: &Path) -> Read {
    read_one(rel, path, false, None, None).0
}

fn read_one(
    rel: &str,
    path: &Path,
    document: bool,
    cache: Option<&Cache>,
    kept: Option<Kept<'_>>,
) -> (Read, Option<String>) {
    let meta = std::fs::metadata(path).ok();
    let modified = meta.as_ref().and_then(|m| m.modified().ok());
    let (outcome, sha) = outcome_of(path, meta.as_ref(), cache, kept);
    let (outcome, assessed) = match outcome {
        // Only a return's assessment is kept, never one of our own outputs'.
        Outcome::Assessed(ret, assessed) => (Ok(ret), Some(assessed)),
        Outcome::Read(outcome) => (outcome, None),
    };
    let skipped = match &outcome {
        _ if assessed.is_some() => None,
        Ok(r) => own_output(r.generated.as_deref(), &r.readings),
        Err(_) if document => not_a_report(path),
        Err(_) => None,
    };
    if let Some(why) = skipped {
        let entry = FileEntry {
            file: rel.to_string(),
            status: FileStatus::Skipped,
            unit: None,
            error: Some(why),
        };
        return (Read::Ours(entry), sha);
    }
    let input = Input {
        file: rel.to_string(),
        modified,
        outcome,
        assessed,
    };
    (Read::Input(input), sha)
}

/// Checks a return on the reader's thread as soon as it is read (see
/// [`nianbao_consolidate::Assessed`]), so that thousands of readings are never held at once.
#[derive(Clone, Copy)]
pub struct Assess<'a> {
    pub check: &'a (dyn Fn(&mut Input) + Sync),
    /// The hash of everything `check` depends on besides the file itself (the roster, the
    /// rules, last year's returns, the year): through a cache, a return's assessment is kept
    /// under it, the file's path and the hash of its bytes ([`assessment_key`]), and a file
    /// whose bytes did not change is neither decoded nor checked again.
    pub context: &'a str,
}

/// Reads a file and assesses the return; through a cache, the assessment kept for its bytes
/// (found by the file's stamp, without reading it, while that is unchanged), else the file
/// read (through the cache), assessed and the assessment kept.
fn read_assessed(f: &Found, cache: Option<&Cache>, assess: Assess<'_>) -> (Read, Option<String>) {
    let key = |sha: &str| assessment_key(assess.context, &f.rel, sha);
    let kept = |sha: &str| cache?.get_assessed(&key(sha), sha);
    let (mut read, sha) = read_one(&f.rel, &f.path, f.document, cache, Some(&kept));
    if let Read::Input(input) = &mut read
        && input.assessed.is_none()
    {
        (assess.check)(input);
        if let (Some(cache), Some(sha), Ok(ret), Some(assessed)) =
            (cache, &sha, &input.outcome, &input.assessed)
        {
            cache.put_assessed(&key(sha), ret, assessed);
        }
    }
    (read, sha)
}

/// Reads every spreadsheet found, in parallel (through the cache when given); the inputs keep
/// the order of `files`. A named body's combined workbook is a return only where `roster` lists it
/// ([`named_summaries_off_roster`]).
pub fn read_all(
    files: &[&Found],
    progress: &dyn Progress,
    cache: Option<&Cache>,
    assess: Option<Assess<'_>>,
    roster: Option<&nianbao_consolidate::Roster>,
) -> ReadSet {
    progress.start(files.len());
    let read: Vec<(Read, Option<String>)> = files
        .par_iter()
        .map(|f| {
            let r = match assess {
                Some(assess) => read_assessed(f, cache, assess),
                None => read_one(&f.rel, &f.path, f.document, cache, None),
            };
            progress.file_done();
            r
        })
        .collect();
    let mut set = ReadSet {
        inputs: Vec::with_capacity(read.len()),
        ..Default::default()
    };
    for (f, (r, sha)) in files.iter().zip(read) {
        if let Some(sha) = sha {
            set.hashes.insert(f.rel.clone(), sha);
        }
        match r {
            Read::Input(i) => set.inputs.push(i),
            Read::Ours(f) => set.ours.push(f),
        }
    }
    let (inputs, named) = named_summaries_off_roster(std::mem::take(&mut set.inputs), roster);
    set.inputs = inputs;
    set.ours.extend(named);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings(values: &[i64]) -> Vec<Reading> {
        values
            .iter()
            .map(|&v| Reading {
                value: Some(v),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn a_summary_workbook_is_always_ours() {
        assert!(own_output(Some("summary"), &readings(&[1, 2])).is_some());
        assert!(own_output(None, &readings(&[1, 2])).is_none());
    }

    #[test]
    fn a_template_is_a_return_filled_in_or_not() {
        let blank: Vec<Option<i64>> = vec![None, Some(6), None];
        let mark = nianbao_format::template_mark(&blank);
        assert!(own_output(Some(&mark), &readings(&[0, 6, 0])).is_none());
        assert!(own_output(Some(&mark), &readings(&[5, 6, 7])).is_none());
        assert!(own_output(Some("template"), &readings(&[1])).is_none());
        assert!(own_output(Some("templates-of-something"), &readings(&[1])).is_some());
    }

    #[test]
    fn an_annotated_return_is_ours_only_while_unchanged() {
        let sent = readings(&[1, 2, 3]);
        let mark = nianbao_format::annotated_mark(&sent);
        assert!(own_output(Some(&mark), &sent).is_some());
        let corrected = readings(&[1, 2, 4]);
        assert!(own_output(Some(&mark), &corrected).is_none());
    }

    #[test]
    fn a_blank_cell_reads_back_as_the_blank_it_was_written() {
        // A blank total filled from its parts is written blank and reads back as a blank 0.
        let mut sent = readings(&[1, 2, 3]);
        sent[2].blank = true;
        let mark = nianbao_format::annotated_mark(&sent);
        let mut back = readings(&[1, 2, 0]);
        back[2].blank = true;
        assert!(own_output(Some(&mark), &back).is_some());
    }
}
