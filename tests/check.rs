//! End-to-end tests of `nianbao check`: planted errors found and localised, cross-year rules,
//! rule files.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::common::*;
use nianbao_format::{field_index, fields};
use serde_json::Value;

/// The seed's 200 values as stored (amount in hundredths).
fn seed() -> Vec<i64> {
    seed_values()
        .iter()
        .map(|s| match s.split_once('.') {
            Some((i, f)) => i.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap(),
            None => s.parse().unwrap(),
        })
        .collect()
}

/// Writes `values` as a return in the official layout (the 全区汇总 sheet of nianbao's own
/// workbook, which is itself a return).
fn write_return(dir: &Path, name: &str, values: &[i64]) -> PathBuf {
    // The unit as the file names it: "朱泾镇.xlsx" is 朱泾镇's return.
    let unit = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let bytes = nianbao_write::return_bytes(unit, Some(2022), values).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn check(args: &[&str]) -> (i32, String, Value) {
    let json = temp_dir("check-json").join("r.json");
    let o = bin()
        .arg("check")
        .args(args)
        .args(["--json", json.to_str().unwrap()])
        .output()
        .unwrap();
    let report = std::fs::read(&json)
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or(Value::Null);
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        report,
    )
}

fn set(values: &mut [i64], id: &str, v: i64) -> i64 {
    let i = field_index(id).unwrap();
    std::mem::replace(&mut values[i], v)
}

fn failed_rules(report: &Value) -> Vec<String> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_clean_return_passes() {
    let dir = temp_dir("clean");
    let file = write_return(&dir, "clean.xlsx", &seed());
    let (code, out, report) = check(&[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.trim_end().ends_with("结论：通过，勾稽关系全部成立"),
        "{out}"
    );
    assert!(!out.contains('✗'), "{out}");
    assert_eq!(report["violations"], serde_json::json!([]));
}

#[test]
fn a_single_wrong_cell_is_named_first_with_its_value() {
    let dir = temp_dir("single");
    let mut v = seed();
    let was = set(&mut v, "t3.new.natural_person", 265);
    assert_eq!(was, 264);
    let file = write_return(&dir, "single.xlsx", &v);
    let (code, out, report) = check(&[file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let rules = failed_rules(&report);
    assert_eq!(rules, ["balance", "t3.applicant_sum"], "{out}");
    for viol in report["violations"].as_array().unwrap() {
        let s = &viol["suspects"][0];
        assert_eq!(s["field"], "t3.new.natural_person", "{viol}");
        assert_eq!(s["value"], 265);
        assert_eq!(s["suggested"], 264);
        assert_eq!(viol["suspects_tied"], false);
    }
    let cell = report["violations"][0]["suspects"][0]["cell"]
        .as_str()
        .unwrap();
    let a1 = cell.split('!').nth(1).unwrap();
    assert!(
        out.contains(&format!("最可能出错：{a1}，应为 264")),
        "{out}"
    );
    assert!(out.contains(&format!("新收 {a1}=265 + 上年结转")), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with("结论：不通过"),
        "{out}"
    );
}

#[test]
fn a_total_at_odds_with_its_parts_is_suspected_before_them() {
    let dir = temp_dir("total");
    let mut v = seed();
    set(&mut v, "t4.suit_direct.total", 2);
    let file = write_return(&dir, "total.xlsx", &v);
    let (code, _, report) = check(&[file.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(code, 1);
    let viol = &report["violations"][0];
    assert_eq!(viol["rule"], "t4.group_sum");
    assert_eq!(viol["suspects"][0]["field"], "t4.suit_direct.total");
    assert_eq!(viol["suspects"][0]["suggested"], 1);
    assert!(
        viol["message"]
            .as_str()
            .unwrap()
            .contains("most likely wrong"),
        "{viol}"
    );
}

#[test]
fn cross_year_rules_compare_with_last_years_return() {
    let dir = temp_dir("prior");
    let this = seed();
    let mut last = vec![0i64; fields().len()];
    // Last year carried 7 forward as this year's carried over says, split the same way.
    for c in ["natural_person", "commercial", "total"] {
        let id = format!("t3.carried_over.{c}");
        set(
            &mut last,
            &format!("t3.carried_forward.{c}"),
            this[field_index(&id).unwrap()],
        );
        set(
            &mut last,
            &format!("t3.new.{c}"),
            this[field_index(&id).unwrap()],
        );
        set(&mut last, &format!("t3.carried_over.{c}"), 0);
    }
    // 81 in force last year + 20 issued − 21 repealed = 80.
    set(&mut last, "t2.normative_docs.in_force", 81);
    let this_file = write_return(&dir, "2022.xlsx", &this);
    let last_file = write_return(&dir, "2021.xlsx", &last);
    let (code, out, report) = check(&[
        this_file.to_str().unwrap(),
        "--prior",
        last_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ 跨年度"), "{out}");
    // Last year's return is nearly empty: this year's values jumped (year-on-year warnings,
    // tests/yoy.rs), and nothing else is found.
    let rules = failed_rules(&report);
    assert!(
        !rules.is_empty() && rules.iter().all(|r| r.starts_with("yoy.")),
        "{out}"
    );

    // Carried over 6 where last year carried 7 forward: an error; in force off: a warning
    // whose three cells fit equally.
    set(&mut last, "t3.carried_forward.natural_person", 7);
    set(&mut last, "t3.carried_forward.total", 8);
    set(&mut last, "t3.new.natural_person", 7);
    set(&mut last, "t3.new.total", 8);
    set(&mut last, "t2.normative_docs.in_force", 85);
    let last_file = write_return(&dir, "2021b.xlsx", &last);
    let (code, out, report) = check(&[
        this_file.to_str().unwrap(),
        "--prior",
        last_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let rules: Vec<String> = failed_rules(&report)
        .into_iter()
        .filter(|r| !r.starts_with("yoy."))
        .collect();
    assert_eq!(
        rules,
        ["prior.carried_over", "prior.carried_over", "prior.in_force"],
        "{out}"
    );
    let warn = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "prior.in_force")
        .unwrap();
    assert_eq!(warn["severity"], "warning");
    assert_eq!(warn["suspects_tied"], true, "{warn}");
    assert!(out.contains("多种修正同样可能"), "{out}");
}

#[test]
fn consolidating_2022_against_2021_finds_no_cross_year_error() {
    let dir = temp_dir("prior-dir");
    let f = root().join("fixtures");
    let json = dir.join("r.json");
    let o = bin()
        .args(["consolidate", f.join("jinshan-2022").to_str().unwrap()])
        .args([
            "--roster",
            f.join("jinshan-2022/roster.csv").to_str().unwrap(),
        ])
        .args(["--prior", f.join("jinshan-2021").to_str().unwrap()])
        .args([
            "--out",
            dir.join("o.xlsx").to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", report["violations"]);
    assert_eq!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["severity"] != "info")
            .count(),
        0
    );
}

#[test]
fn a_bad_rule_file_is_refused_with_its_line() {
    let dir = temp_dir("rules");
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[[rule]]\nid = \"x\"\nzh = \"x\"\nen = \"x\"\ncheck = \"t3.new.nobody = t3.total.total\"\n").unwrap();
    let file = write_return(&dir, "r.xlsx", &seed());
    let o = bin()
        .args([
            "check",
            file.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("第 5 行") && err.contains("t3.new.nobody"),
        "{err}"
    );

    // A valid replacement applies instead of the built-in rules.
    std::fs::write(&rules, "[[rule]]\nid = \"mine\"\nzh = \"新收自然人不超过 100\"\nen = \"x\"\ncheck = \"t3.new.natural_person <= t3.carried_over.natural_person\"\n").unwrap();
    let (code, out, report) = check(&[file.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(failed_rules(&report), ["mine"]);
}

#[test]
fn annotate_writes_the_return_to_send_back() {
    let dir = temp_dir("annotate");
    let mut v = seed();
    set(&mut v, "t3.new.natural_person", 265);
    let file = write_return(&dir, "single.xlsx", &v);
    let out = dir.join("退回.xlsx");
    let (code, _, _) = check(&[file.to_str().unwrap(), "--annotate", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    let bytes = std::fs::read(&out).expect("annotated file written");
    assert!(
        bytes.windows(16).any(|w| w == b"xl/comments1.xml"),
        "the suspect carries a note"
    );
    // The unit can correct that file and send it back: it reads as the same return.
    let (code, out_text, report) = check(&[out.to_str().unwrap()]);
    assert_eq!(code, 1, "{out_text}");
    assert_eq!(failed_rules(&report), ["balance", "t3.applicant_sum"]);
    assert_eq!(report["units"][0]["values"]["t3.new.natural_person"], 265);

    // A clean return gets no file from consolidate --annotate, a wrong one does.
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    write_return(&returns, "石化街道.xlsx", &seed());
    write_return(&returns, "朱泾镇.xlsx", &v);
    let back = dir.join("back");
    let o = bin()
        .args([
            "consolidate",
            returns.to_str().unwrap(),
            "--annotate",
            back.to_str().unwrap(),
        ])
        .args(["--out", dir.join("o.xlsx").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let names: Vec<String> = std::fs::read_dir(&back)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        names[0].contains("退回修改") && !names[0].contains("石化"),
        "{names:?}"
    );
}

#[test]
fn a_closed_output_pipe_does_not_end_the_command() {
    // `nianbao check x.xlsx | head -1`: every line after the first goes to a closed pipe. The
    // check still ends with its own status, not a panic.
    let dir = temp_dir("check-closed-pipe");
    let path = write_return(&dir, "朱泾镇.xlsx", &seed());
    for closed in ["stdout", "stderr"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = bin();
        cmd.arg("check").arg(&path);
        let o = if closed == "stdout" {
            cmd.stdout(writer).output()
        } else {
            cmd.arg("--lang").arg("en").stderr(writer).output()
        }
        .unwrap();
        assert_eq!(o.status.code(), Some(0), "{closed} closed: {o:?}");
    }
}
