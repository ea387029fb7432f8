//! Shared helpers of the end-to-end tests: the seed report's tables, parsed from its text.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The 200 values of the seed report (Jinshan District 2022), in canonical field order as
/// strings ("21147.95" for the amount), parsed from `fixtures/seed/jinshan-2022-report.txt`.
/// The seed comes from a PDF: rows have stray tabs, "3.其他" is shifted one column left and
/// the 总计 row lacks （七）, so table 3 is read as "the last seven numbers of each row".
pub fn seed_values() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("fixtures/seed/jinshan-2022-report.txt"))
        .expect("seed");
    let lines: Vec<&str> = text.lines().collect();
    let numbers = |line: &str| -> Vec<String> {
        line.split('\t')
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .map(String::from)
            .collect()
    };
    let start = |title: &str| {
        lines
            .iter()
            .position(|l| l.trim() == title)
            .unwrap_or_else(|| panic!("{title}"))
    };
    let (t2, t3, t4, end) = (
        start("二、主动公开政府信息情况"),
        start("三、收到和处理政府信息公开申请情况"),
        start("四、政府信息公开行政复议、行政诉讼情况"),
        start("五、存在的主要问题及改进情况"),
    );
    let mut out = Vec::new();
    for label in [
        "规章",
        "行政规范性文件",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ] {
        let line = lines[t2..t3]
            .iter()
            .find(|l| l.split('\t').next() == Some(label))
            .expect(label);
        out.extend(numbers(line));
    }
    let mut rows = 0;
    for line in &lines[t3..t4] {
        let n = numbers(line);
        if n.len() >= 7 {
            out.extend(n[n.len() - 7..].iter().cloned());
            rows += 1;
        }
    }
    assert_eq!(rows, 25, "table 3 rows in the seed");
    let t4_rows: Vec<Vec<String>> = lines[t4..end]
        .iter()
        .map(|l| numbers(l))
        .filter(|n| n.len() == 15)
        .collect();
    assert_eq!(t4_rows.len(), 1, "table 4 value row in the seed");
    out.extend(t4_rows[0].iter().cloned());
    assert_eq!(out.len(), 200);
    out
}

/// A JSON value as the seed writes it: counts as integers, the amount as a 2-decimal string.
pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The nianbao binary built for these tests.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

/// A fresh, empty temporary folder under the target directory, unique to each call (tests run
/// in parallel threads of one process).
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the binary with these arguments.
pub fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).output().expect("run nianbao")
}

/// What a run printed on stderr.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A JSON file a run wrote.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("json written")).expect("valid json")
}

/// A copy of the 42 Jinshan 2022 returns (and their roster) in a fresh folder.
pub fn jinshan_copy(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let src = root().join("fixtures/jinshan-2022");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".xlsx") || n.ends_with(".xls") || n.ends_with(".ods") {
            std::fs::copy(e.path(), returns.join(&n)).unwrap();
        }
    }
    std::fs::copy(src.join("roster.csv"), dir.join("roster.csv")).unwrap();
    (dir, returns)
}

/// One return of the folder (the first in name order).
pub fn a_return(returns: &Path, ext: &str) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(returns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files.remove(0)
}

/// Replaces a return of the folder by the same unit's values with one count changed (its
/// balance then fails); gives the file and its original bytes.
pub fn plant_error(returns: &Path) -> (PathBuf, Vec<u8>) {
    let file = a_return(returns, "xlsx");
    let before = std::fs::read(&file).unwrap();
    let ret = nianbao_read::read_path(&file).unwrap();
    let mut values: Vec<i64> = ret.readings.iter().map(|r| r.value.unwrap()).collect();
    let i = nianbao_format::field_index("t3.new.natural_person").unwrap();
    values[i] += 1;
    let unit = ret.unit_name.unwrap();
    let bytes = nianbao_write::return_bytes(&unit, ret.year, &values).unwrap();
    std::fs::write(&file, bytes).unwrap();
    (file, before)
}

/// A new 2022 workspace (`nianbao init`) on the Jinshan roster, with `prior` as last year's if
/// given; no returns in it yet.
pub fn init_workspace(name: &str, prior: Option<&Path>) -> PathBuf {
    let dir = temp_dir(name).join("年报2022");
    let roster = root().join("fixtures/jinshan-2022/roster.csv");
    let mut args = vec!["init", s(&dir), "--year", "2022", "--roster", s(&roster)];
    if let Some(p) = prior {
        args.extend(["--prior", s(p)]);
    }
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir
}

/// Rewrites the return at `path` (nianbao's own layout, as `return_bytes` lays a return out)
/// with `field` moved by `by`: by 0, the same values in other bytes.
pub fn change_value(path: &Path, field: &str, by: i64) {
    let ret = nianbao_read::read_path(path).unwrap();
    let mut values: Vec<i64> = ret.readings.iter().map(|r| r.value.unwrap()).collect();
    values[nianbao_format::field_index(field).unwrap()] += by;
    let bytes = nianbao_write::return_bytes(&ret.unit_name.unwrap(), ret.year, &values).unwrap();
    std::fs::write(path, bytes).unwrap();
}
