//! Reads the returns of a folder in parallel, and tells our own earlier outputs from returns.

use std::path::Path;

use rayon::prelude::*;

use nianbao_consolidate::Input;
use nianbao_format::{
    FileEntry, FileStatus, GENERATED_ANNOTATED, GENERATED_SUMMARY, Msg, Reading, laid_values,
    values_fingerprint,
};

use nianbao_read::Return;

use crate::cache::{Cache, Stamp, read_hashed};
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
    /// A workbook nianbao wrote itself: never a return; listed as skipped with why.
    Ours(FileEntry),
}

/// Why a workbook that carries nianbao's marker is not read as a return, if it is not: the
/// combined workbook always; an annotated return while its values are those nianbao wrote (one
/// a unit corrected is its new return).
pub fn own_output(mark: Option<&str>, readings: &[Reading]) -> Option<Msg> {
    let mark = mark?;
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

/// A file's read result, through the cache when there is one; with its content hash then.
fn outcome_of(path: &Path, cache: Option<&Cache>) -> (Result<Return, Msg>, Option<String>) {
    let fresh = || nianbao_read::read_path(path).map_err(|e| e.message);
    let Some(cache) = cache else {
        return (fresh(), None);
    };
    // A file whose stamp has not changed since its hash was taken is not read or hashed again.
    let now = std::time::SystemTime::now();
    let stamp = Stamp::of(path);
    if let Some(sha) = stamp.as_ref().and_then(|s| cache.known_hash(path, s))
        && let Some(outcome) = cache.get(&sha)
    {
        if let Some(stamp) = stamp {
            cache.remember(path, stamp, &sha, now);
        }
        return (outcome, Some(sha));
    }
    let Ok((bytes, sha)) = read_hashed(path) else {
        return (fresh(), None); // the reader says why in the clerk's words
    };
    if let Some(stamp) = stamp {
        cache.remember(path, stamp, &sha, now);
    }
    if let Some(outcome) = cache.get(&sha) {
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
    (outcome, Some(sha))
}

/// Reads one file: a return, a failure, or one of our own outputs.
pub fn read_file(rel: &str, path: &Path) -> Read {
    read_one(rel, path, None).0
}

fn read_one(rel: &str, path: &Path, cache: Option<&Cache>) -> (Read, Option<String>) {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let (outcome, sha) = outcome_of(path, cache);
    if let Ok(r) = &outcome
        && let Some(why) = own_output(r.generated.as_deref(), &r.readings)
    {
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
        assessed: None,
    };
    (Read::Input(input), sha)
}

/// Reads every spreadsheet found, in parallel (through the cache when given); the inputs keep
/// the order of `files`.
/// Checks a return on the reader's thread as soon as it is read (see
/// [`nianbao_consolidate::Assessed`]), so that thousands of readings are never held at once.
pub type Assess<'a> = &'a (dyn Fn(&mut Input) + Sync);

pub fn read_all(
    files: &[&Found],
    progress: &dyn Progress,
    cache: Option<&Cache>,
    assess: Option<Assess<'_>>,
) -> ReadSet {
    progress.start(files.len());
    let read: Vec<(Read, Option<String>)> = files
        .par_iter()
        .map(|f| {
            let mut r = read_one(&f.rel, &f.path, cache);
            if let (Some(assess), Read::Input(input)) = (assess, &mut r.0) {
                assess(input);
            }
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
