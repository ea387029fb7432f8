//! write_atomic: replaces in one step, leaves no temporary file behind.

use std::fs;
use std::path::PathBuf;

use nianbao_write::write_atomic;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("nianbao-write-atomic")
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
