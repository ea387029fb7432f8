//! Output files: replaced in one step, no temporary file left behind, sets written whole.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::PathBuf;

use nianbao_pipeline::outputs::{Kind, OutputSet, resolve, write_atomic};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("nianbao-pipeline-outputs")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn entries(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn creates_then_replaces_without_leftovers() {
    let dir = scratch("replace");
    let path = dir.join("汇总.xlsx");
    write_atomic(&path, b"first").expect("write");
    assert_eq!(fs::read(&path).expect("read"), b"first");
    assert_eq!(entries(&dir), ["汇总.xlsx"]);

    write_atomic(&path, b"second, longer than the first").expect("replace");
    assert_eq!(
        fs::read(&path).expect("read"),
        b"second, longer than the first"
    );
    write_atomic(&path, b"3").expect("replace with shorter");
    assert_eq!(fs::read(&path).expect("read"), b"3");
    assert_eq!(entries(&dir), ["汇总.xlsx"]);
}

#[test]
fn failure_leaves_no_temporary_file() {
    let dir = scratch("fail");
    // The target is a non-empty directory: the final rename fails.
    let target = dir.join("out.json");
    fs::create_dir(&target).expect("dir");
    fs::write(target.join("keep"), b"x").expect("file");
    assert!(write_atomic(&target, b"{}").is_err());
    assert_eq!(entries(&dir), ["out.json"]);
    assert_eq!(entries(&target), ["keep"]);

    // The folder does not exist: nothing is created.
    let nowhere = dir.join("missing").join("out.json");
    assert!(write_atomic(&nowhere, b"{}").is_err());
    assert_eq!(entries(&dir), ["out.json"]);
}

#[test]
fn a_path_without_a_file_name_is_rejected() {
    assert!(write_atomic(std::path::Path::new("/"), b"x").is_err());
}

#[test]
fn a_set_is_renamed_only_when_every_file_was_written() {
    let dir = scratch("set");
    let a = dir.join("a.xlsx");
    let b = dir.join("b.json");
    fs::write(&a, b"old a").unwrap();
    fs::write(&b, b"old b").unwrap();
    let ta = resolve(&a, Kind::Workbook).unwrap();
    let tb = resolve(&b, Kind::Json).unwrap();
    // The second file's folder disappears between the check and the commit: nothing renamed.
    let gone = dir.join("gone");
    fs::create_dir(&gone).unwrap();
    let tc = resolve(&gone.join("c.json"), Kind::Json).unwrap();
    fs::remove_dir(&gone).unwrap();
    let mut set = OutputSet::default();
    set.add(&ta, b"new a".to_vec());
    set.add(&tc, b"new c".to_vec());
    set.add(&tb, b"new b".to_vec());
    assert!(set.commit().is_err());
    assert_eq!(fs::read(&a).unwrap(), b"old a");
    assert_eq!(fs::read(&b).unwrap(), b"old b");
    assert_eq!(entries(&dir), ["a.xlsx", "b.json"]);
    // Both present: both replaced.
    let mut set = OutputSet::default();
    set.add(&ta, b"new a".to_vec());
    set.add(&tb, b"new b".to_vec());
    set.commit().unwrap();
    assert_eq!(fs::read(&a).unwrap(), b"new a");
    assert_eq!(fs::read(&b).unwrap(), b"new b");
}

#[test]
fn a_workbook_must_be_xlsx_and_a_regular_file() {
    let dir = scratch("kinds");
    assert!(resolve(&dir.join("o.csv"), Kind::Workbook).is_err());
    assert!(resolve(std::path::Path::new("-"), Kind::Workbook).is_err());
    assert!(resolve(std::path::Path::new("-"), Kind::Json).is_ok());
    assert!(resolve(&dir, Kind::Json).is_err(), "a folder");
    assert!(resolve(&dir.join("missing/o.xlsx"), Kind::Workbook).is_err());
}

#[test]
fn a_commit_cut_between_its_renames_is_completed_by_the_next_run() {
    let dir = scratch("journal");
    let (book, report) = (dir.join("汇总.xlsx"), dir.join("report.json"));
    fs::write(&book, "old book").unwrap();
    fs::write(&report, "old report").unwrap();
    // What a process killed after its first rename leaves: the new book in place, the new
    // report still a temporary, and the journal of the set. The pid is one no process has.
    let tmp_book = dir.join(".汇总.xlsx.4000000000-1-0.tmp");
    let tmp_report = dir.join(".report.json.4000000000-1-1.tmp");
    fs::write(&book, "new book").unwrap();
    fs::write(&tmp_report, "new report").unwrap();
    let journal = dir.join(format!(
        ".4000000000{}",
        nianbao_pipeline::outputs::JOURNAL_SUFFIX
    ));
    fs::write(
        &journal,
        format!(
            "{}\t{}\n{}\t{}\n",
            tmp_book.display(),
            book.display(),
            tmp_report.display(),
            report.display()
        ),
    )
    .unwrap();
    let done = nianbao_pipeline::outputs::complete_interrupted_commits(&dir);
    assert_eq!(done, vec![report.clone()]);
    assert_eq!(fs::read_to_string(&book).unwrap(), "new book");
    assert_eq!(fs::read_to_string(&report).unwrap(), "new report");
    assert_eq!(entries(&dir), ["report.json", "汇总.xlsx"]);
}
