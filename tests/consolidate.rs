//! End-to-end tests: the built `nianbao` binary on the bundled fixtures.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use crate::common::*;
use nianbao_format::fields;
use serde_json::Value;

fn consolidate_jinshan(out: &Path) -> (Output, Value) {
    let fixtures = root().join("fixtures/jinshan-2022");
    let xlsx = out.join("汇总.xlsx");
    let json = out.join("report.json");
    let o = run(&[
        "consolidate",
        fixtures.to_str().unwrap(),
        "--roster",
        fixtures.join("roster.csv").to_str().unwrap(),
        "--out",
        xlsx.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("valid json");
    (o, report)
}

fn values_of(map: &Value) -> Vec<String> {
    fields()
        .iter()
        .map(|f| json_text(&map[f.id.as_str()]))
        .collect()
}

fn assert_same_as_seed(got: &[String], what: &str) {
    let seed = seed_values();
    let diffs: Vec<String> = fields()
        .iter()
        .zip(seed.iter().zip(got))
        .filter(|(_, (s, g))| s != g)
        .map(|(f, (s, g))| format!("{}: seed {s}, got {g}", f.id))
        .collect();
    assert!(
        diffs.is_empty(),
        "{what} differs from the seed:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn jinshan_2022_reproduces_every_seed_value() {
    let dir = temp_dir("jinshan");
    let (o, report) = consolidate_jinshan(&dir);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(0),
        "exit status; stderr:\n{stderr}\nviolations: {}",
        report["violations"]
    );
    assert_same_as_seed(&values_of(&report["totals"]), "the district totals");
    assert_eq!(report["coverage"]["expected"], 42);
    assert_eq!(report["coverage"]["received"], 42);
    assert_eq!(report["coverage"]["missing"], Value::Array(vec![]));
    assert_eq!(report["year"], 2022);
    assert!(report["totals"]["t2.fees.amount"].is_string());
    assert!(report["totals"]["t3.new.total"].is_u64());
    let errors: Vec<&Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(stderr.contains("42/42 单位"), "summary line: {stderr}");
}

#[test]
fn every_unit_reads_as_generated() {
    let dir = temp_dir("units");
    let (_, report) = consolidate_jinshan(&dir);
    let expected = std::fs::read_to_string(root().join("fixtures/jinshan-2022/expected.csv"))
        .expect("expected.csv");
    let mut lines = expected.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut checked = 0;
    for line in lines {
        let cols: Vec<&str> = line.split(',').collect();
        let unit = report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == cols[0])
            .expect(cols[0]);
        for (h, want) in header.iter().zip(&cols).skip(1) {
            assert_eq!(
                json_text(&unit["values"][*h]),
                *want,
                "{} {h} (file {})",
                cols[0],
                unit["file"]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 42);
}

#[test]
fn the_district_sheet_reads_back_as_a_return() {
    let dir = temp_dir("readback");
    let (o, _) = consolidate_jinshan(&dir);
    assert!(o.status.success());
    let json = dir.join("back.json");
    let o = run(&[
        "check",
        dir.join("汇总.xlsx").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    let back: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let units = back["units"].as_array().unwrap();
    assert_eq!(units.len(), 1);
    assert_same_as_seed(
        &values_of(&units[0]["values"]),
        "the 全区汇总 sheet read back",
    );
}

#[test]
fn a_missing_unit_makes_exit_status_1() {
    let dir = temp_dir("missing");
    let fixtures = root().join("fixtures/jinshan-2022");
    let mut roster = std::fs::read_to_string(fixtures.join("roster.csv")).unwrap();
    roster.push_str("U99,区测试局,测试局,department\n");
    std::fs::write(dir.join("roster.csv"), roster).unwrap();
    let json = dir.join("r.json");
    let o = run(&[
        "consolidate",
        fixtures.to_str().unwrap(),
        "--roster",
        dir.join("roster.csv").to_str().unwrap(),
        "--out",
        dir.join("o.xlsx").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["coverage"]["missing"], serde_json::json!(["U99"]));
    let u = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "U99")
        .unwrap();
    assert_eq!(u["status"], "missing");
    assert!(String::from_utf8_lossy(&o.stderr).contains("42/43 单位"));
}

#[test]
fn a_broken_file_fails_alone() {
    let dir = temp_dir("broken");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let fixtures = root().join("fixtures/jinshan-2022");
    let mut copied = 0;
    for e in std::fs::read_dir(&fixtures).unwrap() {
        let p = e.unwrap().path();
        if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("xlsx" | "xls" | "ods")
        ) && copied < 3
        {
            std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    std::fs::write(returns.join("坏文件.xlsx"), b"PK\x03\x04 truncated").unwrap();
    std::fs::write(returns.join("~$lock.xlsx"), b"lock").unwrap();
    let json = dir.join("r.json");
    let o = run(&[
        "consolidate",
        returns.to_str().unwrap(),
        "--out",
        dir.join("o.xlsx").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 4, "the lock file is not a return: {files:?}");
    let bad: Vec<_> = files.iter().filter(|f| f["status"] == "failed").collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["file"], "坏文件.xlsx");
    assert!(
        bad[0]["error"].as_str().unwrap().contains("损坏"),
        "{}",
        bad[0]["error"]
    );
    assert_eq!(report["units"].as_array().unwrap().len(), 3);
    assert!(String::from_utf8_lossy(&o.stderr).contains("坏文件.xlsx"));
}

#[test]
fn cannot_run_is_exit_status_2_and_leaves_no_output() {
    let dir = temp_dir("cannot");
    let out = dir.join("o.xlsx");
    let o = run(&[
        "consolidate",
        dir.join("nope").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    let o = run(&["consolidate", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    let fixtures = root().join("fixtures/jinshan-2022");
    let o = run(&[
        "consolidate",
        fixtures.to_str().unwrap(),
        "--out",
        dir.join("no/such/dir/o.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "no stray files"
    );
}
