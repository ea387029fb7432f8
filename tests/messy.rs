//! What units really send: `fixtures/messy/` must all be read, `fixtures/bad/` must each give
//! exactly its stated result (error cell and raw text, layout error, or failed file with its own
//! reason), and rosters must say who is duplicate, unknown or missing. The fixtures come from
//! `scripts/gen_bad_fixtures.py`; their `MANIFEST.md` lists every case, `expected.csv` the values.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::common::*;
use nianbao_format::fields;
use serde_json::Value;

// ---- running the binary ------------------------------------------------------------------------

/// Address-space cap (KiB) for runs that must stay small: a normal `check` runs in under 64 MiB;
/// unpacking the zip bomb (320 MiB) or a dense sheet would not fit.
const MEMORY_CAP_KIB: u64 = 256 * 1024;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    report: Value,
}

fn fresh_dir(what: &str) -> PathBuf {
    temp_dir(&format!("messy-{what}"))
}

fn finish(cmd: &mut Command, json: &Path) -> Run {
    let o = cmd.output().expect("run nianbao");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let text = std::fs::read(json).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            o.status.code()
        )
    });
    let report = serde_json::from_slice(&text).expect("valid JSON report");
    Run {
        code: o.status.code(),
        stdout,
        stderr,
        report,
    }
}

/// `nianbao check FILE --json …`, optionally under [`MEMORY_CAP_KIB`].
fn check_with(file: &Path, capped: bool) -> Run {
    let json = fresh_dir("check").join("report.json");
    let mut cmd = if capped {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -v {MEMORY_CAP_KIB} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_nianbao"))
            .env("MALLOC_ARENA_MAX", "2"); // few malloc arenas: the cap measures data, not reservations
        c
    } else {
        bin()
    };
    cmd.arg("check").arg(file).arg("--json").arg(&json);
    finish(&mut cmd, &json)
}

fn check(file: &Path) -> Run {
    check_with(file, false)
}

/// `nianbao consolidate DIR [--roster R] --out … --json … [extra]`.
fn consolidate(dir: &Path, roster: Option<&Path>, extra: &[&str]) -> Run {
    let out = fresh_dir("out");
    let json = out.join("report.json");
    let mut cmd = bin();
    cmd.arg("consolidate").arg(dir);
    if let Some(r) = roster {
        cmd.arg("--roster").arg(r);
    }
    cmd.arg("--out")
        .arg(out.join("汇总.xlsx"))
        .arg("--json")
        .arg(&json)
        .args(extra);
    finish(&mut cmd, &json)
}

fn messy(file: &str) -> PathBuf {
    root().join("fixtures/messy").join(file)
}

fn bad(file: &str) -> PathBuf {
    root().join("fixtures/bad").join(file)
}

// ---- expected values ---------------------------------------------------------------------------

/// `expected.csv` of a fixture folder: file → (code, field id → value text, "" for null).
fn expected(folder: &str) -> BTreeMap<String, (String, BTreeMap<String, String>)> {
    let text = std::fs::read_to_string(root().join("fixtures").join(folder).join("expected.csv"))
        .expect("expected.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..2], ["file", "code"]);
    assert_eq!(header.len(), 2 + fields().len());
    lines
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            assert_eq!(cols.len(), header.len(), "{line}");
            let values = header[2..]
                .iter()
                .zip(&cols[2..])
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (cols[0].to_string(), (cols[1].to_string(), values))
        })
        .collect()
}

fn expected_values(folder: &str, file: &str) -> BTreeMap<String, String> {
    expected(folder)
        .remove(file)
        .unwrap_or_else(|| panic!("{file} not in fixtures/{folder}/expected.csv"))
        .1
}

/// Every one of the 200 values of a unit as expected ("" = null), with a readable diff.
fn assert_values(unit: &Value, want: &BTreeMap<String, String>, what: &str) {
    let values = &unit["values"];
    assert!(values.is_object(), "{what}: no values in {unit}");
    let diffs: Vec<String> = fields()
        .iter()
        .filter_map(|f| {
            let got = match &values[f.id.as_str()] {
                Value::Null => String::new(),
                v => json_text(v),
            };
            let w = &want[&f.id];
            (got != *w).then(|| format!("{}: expected {w:?}, got {got:?}", f.id))
        })
        .collect();
    assert!(
        diffs.is_empty(),
        "{what}: {} values differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// (severity, rule, cells) of every violation of the units (not of the district totals), sorted.
fn unit_findings(report: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["unit"] != "district")
        .map(|v| {
            let cells = v["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (
                v["severity"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
                cells,
            )
        })
        .collect();
    out.sort();
    out
}

fn owned(findings: &[(&str, &str, &[&str])]) -> Vec<(String, String, Vec<String>)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|(s, r, c)| {
            (
                s.to_string(),
                r.to_string(),
                c.iter().map(|x| x.to_string()).collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn only_unit(report: &Value) -> &Value {
    let units = report["units"].as_array().expect("units");
    let summary: Vec<String> = units
        .iter()
        .map(|u| format!("{} {}", u["unit"], u["status"]))
        .collect();
    assert_eq!(units.len(), 1, "one unit: {summary:?}");
    &units[0]
}

fn roster_name(folder: &str, code: &str) -> String {
    let text = std::fs::read_to_string(root().join("fixtures").join(folder).join("roster.csv"))
        .expect("roster");
    text.lines()
        .find_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            (cols[0] == code).then(|| cols[1].to_string())
        })
        .unwrap_or_else(|| panic!("{code} not in {folder}/roster.csv"))
}

// ---- fixtures/messy: every return is read ------------------------------------------------------

/// `check FILE`: the file is read, the unit has `status` and `blanks`, its violations are exactly
/// `findings`, and all 200 values are those it was written with.
fn assert_messy(file: &str, status: &str, blanks: u64, findings: &[(&str, &str, &[&str])]) -> Run {
    let run = check(&messy(file));
    let r = &run.report;
    let errors = findings.iter().any(|f| f.0 == "error");
    assert_eq!(
        run.code,
        Some(if errors { 1 } else { 0 }),
        "{file}: exit status\n{}",
        run.stdout
    );
    assert_eq!(
        r["files"],
        serde_json::json!([{"file": file, "status": "ok", "unit": r["units"][0]["unit"], "error": null}])
    );
    let u = only_unit(r);
    let (code, want) = expected("messy").remove(file).expect("in expected.csv");
    let name = if file.starts_with("messy-unit-in-filename-") {
        file.rsplit_once('.').unwrap().0.to_string() // no 填报单位: the file's stem names it
    } else {
        roster_name("messy", &code)
    };
    assert_eq!(
        u["unit"],
        name.as_str(),
        "{file}: the unit as named in the file"
    );
    assert_eq!(u["status"], status, "{file}: {}", run.stdout);
    assert_eq!(u["blanks"], blanks, "{file}: blank cells");
    assert_eq!(u["in_totals"], !errors, "{file}");
    assert_eq!(
        unit_findings(r),
        owned(findings),
        "{file}: violations\n{}",
        run.stdout
    );
    assert_values(u, &want, file);
    assert_eq!(r["year"], 2022, "{file}");
    run
}

fn assert_messy_ok(file: &str) -> Run {
    let run = assert_messy(file, "ok", 0, &[]);
    assert!(run.stdout.contains("结论：通过"), "{file}: {}", run.stdout);
    run
}

#[test]
fn numbers_as_text_with_spaces_and_ideographic_spaces() {
    let run = assert_messy_ok("messy-text-spaces.ods");
    let v = &run.report["units"][0]["values"];
    assert_eq!(
        v["t2.fees.amount"],
        expected_values("messy", "messy-text-spaces.ods")["t2.fees.amount"].as_str()
    );
}

#[test]
fn numbers_with_thousands_separators() {
    let run = assert_messy_ok("messy-thousands-separators.xls");
    let v = &run.report["units"][0]["values"];
    assert_eq!(v["t2.licensing.decisions"], 12345);
    assert_eq!(v["t2.penalty.decisions"], 1204);
    assert_eq!(v["t2.fees.amount"], "1234.56");
}

#[test]
fn full_width_digits_and_punctuation() {
    let run = assert_messy_ok("messy-fullwidth-digits.xlsx");
    assert_eq!(
        run.report["units"][0]["values"]["t2.fees.amount"], "12345.67",
        "１２，３４５．６７"
    );
}

#[test]
fn leading_apostrophe_and_quote_prefix() {
    assert_messy_ok("messy-apostrophe-text.xlsx");
}

#[test]
fn blank_markers_count_as_blanks() {
    let run = assert_messy(
        "messy-blank-markers.xls",
        "ok",
        10,
        &[("info", "value.blank", &[])],
    );
    let v = &run.report["units"][0]["values"];
    // "-", "—", "－", "/", "无" (twice each) → 0, counted as blanks, not as typed zeros.
    for f in [
        "t3.carried_over.commercial",
        "t3.withheld.state_secret.commercial",
        "t3.withheld.third_party.legal_service",
        "t3.not_processed.excessive.total",
    ] {
        assert_eq!(v[f], 0, "{f}");
    }
    let info = run.report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "value.blank")
        .unwrap();
    assert!(info["message"].as_str().unwrap().contains("10"), "{info}");
}

#[test]
fn a_blank_total_is_taken_from_its_parts_with_a_warning() {
    let run = assert_messy(
        "messy-total-blank.xlsx",
        "warnings",
        1,
        &[
            ("info", "value.blank", &[]),
            ("warning", "total.blank", &["Sheet1!J26"]),
        ],
    );
    assert_eq!(run.code, Some(0));
    let v = &run.report["units"][0]["values"];
    assert_eq!(v["t3.granted.total"], 20);
    let w = run.report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "total.blank")
        .unwrap();
    assert_eq!(w["fields"], serde_json::json!(["t3.granted.total"]));
    assert_eq!(w["expected"], "20");
    assert!(run.stdout.contains("Sheet1!J26"), "{}", run.stdout);
}

#[test]
fn sum_formulas_without_cached_values_are_evaluated() {
    let run = assert_messy_ok("messy-formulas-uncached.xlsx");
    let v = &run.report["units"][0]["values"];
    let want = expected_values("messy", "messy-formulas-uncached.xlsx");
    // The corner sums a row of SUM formulas, none with a cached value.
    assert_eq!(json_text(&v["t3.total.total"]), want["t3.total.total"]);
    assert_ne!(want["t3.total.total"], "0");
}

#[test]
fn an_uncached_formula_that_is_not_a_sum_is_an_error_on_its_cell() {
    let file = "messy-formula-if-uncached.xlsx";
    let run = assert_messy(
        file,
        "errors",
        0,
        &[("error", "value.uncached_formula", &["Sheet1!J48"])],
    );
    let v = run.report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["unit"] != "district")
        .unwrap();
    assert_eq!(v["fields"], serde_json::json!(["t3.carried_forward.total"]));
    assert_eq!(v["actual"], "=IF(SUM(D48:I48)>0,SUM(D48:I48),0)");
    assert!(v["message"].as_str().unwrap().contains("Sheet1!J48"));
    assert_eq!(
        run.report["units"][0]["values"]["t3.carried_forward.total"],
        Value::Null
    );
    assert_eq!(run.report["coverage"]["in_totals"], 0);
}

#[test]
fn label_with_half_width_brackets() {
    assert_messy_ok("messy-labels-halfwidth.xls");
}

#[test]
fn label_other_shifted_into_the_group_column() {
    assert_messy_ok("messy-labels-other-shifted.xlsx");
}

#[test]
fn label_total_without_its_enumerator() {
    assert_messy_ok("messy-labels-total-no-qi.ods");
}

#[test]
fn label_result_with_a_space_in_table_4() {
    assert_messy_ok("messy-labels-t4-space.xlsx");
}

#[test]
fn label_enumerators_swapped() {
    assert_messy_ok("messy-labels-enumerators.xlsx");
}

#[test]
fn label_line_breaks_and_spaces() {
    assert_messy_ok("messy-labels-linebreaks-spaces.ods");
}

#[test]
fn tables_on_three_sheets() {
    assert_messy_ok("messy-three-sheets.xlsx");
}

#[test]
fn tables_spread_among_notes() {
    assert_messy_ok("messy-spread-notes.xlsx");
}

#[test]
fn a_hidden_old_copy_loses_to_the_visible_sheet() {
    assert_messy_ok("messy-hidden-old-copy.xlsx");
}

#[test]
fn xls_content_with_an_xlsx_name() {
    assert_messy_ok("messy-xls-content-named.xlsx");
}

#[test]
fn xlsx_content_with_an_xls_name() {
    assert_messy_ok("messy-xlsx-content-named.xls");
}

#[test]
fn macro_enabled_workbook() {
    assert_messy_ok("messy-macro-enabled.xlsm");
}

#[test]
fn upper_case_extension() {
    assert_messy_ok("messy-upper-case-ext.XLSX");
}

#[test]
fn a_stray_cell_in_xfd1048576_is_read_in_little_memory() {
    assert_messy_ok("messy-stray-far-cell.xlsx");
    let capped = check_with(&messy("messy-stray-far-cell.xlsx"), true);
    assert_eq!(
        capped.code,
        Some(0),
        "under a {MEMORY_CAP_KIB} KiB cap: {}{}",
        capped.stdout,
        capped.stderr
    );
}

#[test]
fn a_stray_cell_far_away_in_an_ods_is_read_in_little_memory() {
    let run = check_with(&messy("messy-stray-far-cell.ods"), true);
    assert_eq!(
        run.code,
        Some(0),
        "under a {MEMORY_CAP_KIB} KiB cap: {}{}",
        run.stdout,
        run.stderr
    );
    assert_values(
        only_unit(&run.report),
        &expected_values("messy", "messy-stray-far-cell.ods"),
        "far .ods",
    );
    assert_messy_ok("messy-stray-far-cell.ods");
}

#[test]
fn unit_named_only_in_the_file_name() {
    assert_messy_ok("messy-unit-in-filename-示范区烟草局.xlsx");
}

#[test]
fn unit_named_in_the_cell_after_its_label() {
    assert_messy_ok("messy-unit-next-cell.xlsx");
}

/// The messy folder as a district: every unit found
/// on the roster by cell or file name, and the totals are exactly the sum of the units in them.
#[test]
fn the_messy_folder_consolidates_and_loses_nothing() {
    let dir = fresh_dir("messy-folder");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let want = expected("messy");
    for file in want.keys() {
        std::fs::copy(messy(file), returns.join(file)).unwrap();
    }
    std::fs::copy(messy("roster.csv"), dir.join("roster.csv")).unwrap();

    let run = consolidate(&returns, Some(&dir.join("roster.csv")), &[]);
    let r = &run.report;
    assert_eq!(
        run.code,
        Some(1),
        "the uncached IF formula is an error\n{}",
        run.stderr
    );
    let n = want.len();
    assert_eq!(r["coverage"]["expected"], n);
    assert_eq!(r["coverage"]["received"], n);
    assert_eq!(r["coverage"]["in_totals"], n - 1);
    assert_eq!(r["coverage"]["label"], format!("{}/{n} 单位", n - 1));
    assert!(
        run.stderr.contains(&format!("{}/{n} 单位", n - 1)),
        "{}",
        run.stderr
    );
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), n);
    assert!(files.iter().all(|f| f["status"] == "ok"), "{files:?}");

    let mut sums = vec![0i64; fields().len()];
    for (file, (code, values)) in want.iter() {
        let u = r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == code.as_str())
            .unwrap_or_else(|| panic!("{code} ({file})"));
        assert_eq!(u["file"], file.as_str(), "{code}");
        let (status, in_totals) = match file.as_str() {
            "messy-formula-if-uncached.xlsx" => ("errors", false),
            "messy-total-blank.xlsx" => ("warnings", true),
            _ => ("ok", true),
        };
        assert_eq!(u["status"], status, "{file}");
        assert_eq!(u["in_totals"], in_totals, "{file}");
        assert_values(u, values, file);
        if in_totals {
            for (i, f) in fields().iter().enumerate() {
                sums[i] += cents(&values[&f.id]);
            }
        }
    }
    for (i, f) in fields().iter().enumerate() {
        assert_eq!(
            cents(&json_text(&r["totals"][f.id.as_str()])),
            sums[i],
            "district total {}",
            f.id
        );
    }
    let errors: Vec<_> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["rule"], "value.uncached_formula");
}

/// A count, or an amount in hundredths ("1234.56" → 123456).
fn cents(text: &str) -> i64 {
    match text.split_once('.') {
        Some((a, b)) => a.parse::<i64>().unwrap() * 100 + b.parse::<i64>().unwrap(),
        None => text.parse().unwrap_or_else(|_| panic!("{text:?}")),
    }
}

// ---- fixtures/bad: one cell wrong -----------------------------------------------------------------

/// `check FILE`: exactly one error, `rule` on `cell` for `field`, with the cell's raw text; the
/// value is null, the unit not in the totals, every other value read.
fn assert_cell_error(file: &str, field: &str, rule: &str, cell: &str, raw: &str) -> Run {
    let run = check(&bad(file));
    let r = &run.report;
    assert_eq!(run.code, Some(1), "{file}: {}", run.stdout);
    let u = only_unit(r);
    assert_eq!(u["status"], "errors", "{file}");
    assert_eq!(u["in_totals"], false, "{file}");
    assert_eq!(u["errors"], 1, "{file}");
    assert_eq!(u["values"][field], Value::Null, "{file}: {field}");
    assert_values(u, &expected_values("bad", file), file);
    let found: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] != "district")
        .collect();
    assert_eq!(found.len(), 1, "{file}: {found:?}");
    let v = found[0];
    assert_eq!(v["rule"], rule, "{file}");
    assert_eq!(v["severity"], "error", "{file}");
    assert_eq!(v["cells"], serde_json::json!([cell]), "{file}");
    assert_eq!(v["fields"], serde_json::json!([field]), "{file}");
    assert_eq!(v["actual"], raw, "{file}: raw text");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains(cell) && msg.contains(raw), "{file}: {msg}");
    assert!(run.stdout.contains(cell), "{file}: {}", run.stdout);
    assert_eq!(r["coverage"]["in_totals"], 0, "{file}");
    run
}

#[test]
fn text_about_10_is_an_error() {
    assert_cell_error(
        "bad-text-approx.xlsx",
        "t3.new.natural_person",
        "value.not_a_number",
        "Sheet1!D24",
        "约10",
    );
}

#[test]
fn text_with_a_unit_is_an_error() {
    assert_cell_error(
        "bad-text-unit-suffix.xlsx",
        "t2.licensing.decisions",
        "value.not_a_number",
        "Sheet1!B11",
        "12件",
    );
}

#[test]
fn an_amount_in_yuan_with_its_unit_is_an_error() {
    assert_cell_error(
        "bad-text-yuan.xlsx",
        "t2.fees.amount",
        "value.not_a_number",
        "Sheet1!B18",
        "251000元",
    );
}

#[test]
fn a_sum_typed_as_text_is_an_error() {
    assert_cell_error(
        "bad-text-sum.xlsx",
        "t3.granted.natural_person",
        "value.not_a_number",
        "Sheet1!D26",
        "10+2",
    );
}

#[test]
fn a_date_is_an_error() {
    assert_cell_error(
        "bad-date.xlsx",
        "t3.unavailable.not_held.natural_person",
        "value.date",
        "Sheet1!D36",
        "2022-01-05",
    );
}

#[test]
fn a_date_is_reported_as_the_date_the_clerk_sees() {
    let run = check(&bad("bad-date.xlsx"));
    let v = run.report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "value.date")
        .unwrap();
    let raw = v["actual"].as_str().unwrap();
    assert!(
        raw.starts_with("2022-01-05") || raw == "2022/1/5",
        "raw {raw:?}"
    );
    assert!(v["message"].as_str().unwrap().contains(raw));
}

#[test]
fn true_is_an_error() {
    assert_cell_error(
        "bad-boolean.xlsx",
        "t4.review.upheld",
        "value.boolean",
        "Sheet1!A54",
        "TRUE",
    );
}

#[test]
fn ref_error_is_an_error() {
    assert_cell_error(
        "bad-ref-error.xlsx",
        "t3.total.natural_person",
        "value.excel_error",
        "Sheet1!D47",
        "#REF!",
    );
}

#[test]
fn a_negative_count_is_an_error() {
    assert_cell_error(
        "bad-negative.xls",
        "t3.carried_over.natural_person",
        "value.negative",
        "Sheet1!D25",
        "-3",
    );
}

#[test]
fn a_fraction_in_a_count_is_an_error() {
    assert_cell_error(
        "bad-fraction.ods",
        "t2.penalty.decisions",
        "value.fraction",
        "Sheet1!B14",
        "2.5",
    );
}

#[test]
fn three_decimals_in_the_fee_amount_is_an_error() {
    assert_cell_error(
        "bad-fee-decimals.xlsx",
        "t2.fees.amount",
        "value.decimals",
        "Sheet1!B18",
        "1.005",
    );
}

// ---- fixtures/bad: template drift ---------------------------------------------------------------

/// The one layout error of `file`: rule and fields; those values null, every other value read.
fn assert_layout_error(file: &str, rule: &str, fields_named: &[String]) -> Value {
    let run = check(&bad(file));
    let r = &run.report;
    assert_eq!(run.code, Some(1), "{file}");
    let u = only_unit(r);
    assert_eq!(u["status"], "errors", "{file}");
    assert_eq!(u["in_totals"], false, "{file}");
    assert_values(u, &expected_values("bad", file), file);
    let found: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] != "district")
        .collect();
    assert_eq!(found.len(), 1, "{file}: {found:?}");
    assert_eq!(found[0]["rule"], rule, "{file}");
    assert_eq!(found[0]["severity"], "error", "{file}");
    let named: BTreeSet<String> = found[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        named,
        fields_named.iter().cloned().collect::<BTreeSet<_>>(),
        "{file}"
    );
    found[0].clone()
}

#[test]
fn a_deleted_column_is_a_missing_column() {
    let research: Vec<String> = fields()
        .iter()
        .filter(|f| f.id.starts_with("t3.") && f.id.ends_with(".research"))
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(research.len(), 25);
    let v = assert_layout_error(
        "bad-missing-column-research.xlsx",
        "layout.missing_column",
        &research,
    );
    assert!(v["message"].as_str().unwrap().contains("科研机构"), "{v}");
}

#[test]
fn a_deleted_row_is_a_missing_row() {
    let row: Vec<String> = fields()
        .iter()
        .filter(|f| f.id.starts_with("t3.withheld.query_matter."))
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(row.len(), 7);
    let v = assert_layout_error("bad-missing-row.xlsx", "layout.missing_row", &row);
    assert!(
        v["message"].as_str().unwrap().contains("属于行政查询事项"),
        "{v}"
    );
}

#[test]
fn an_extra_row_is_an_unknown_row_and_its_values_show_in_the_balance() {
    let file = "bad-unknown-row.xlsx";
    let run = check(&bad(file));
    let r = &run.report;
    assert_eq!(run.code, Some(1));
    let u = only_unit(r);
    assert_eq!(u["status"], "errors");
    assert_values(u, &expected_values("bad", file), file);
    let mut found: Vec<(String, Vec<String>, Value, Value)> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] != "district")
        .map(|v| {
            assert_eq!(v["severity"], "error");
            let cells = v["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect::<Vec<_>>();
            (
                v["rule"].as_str().unwrap().to_string(),
                cells,
                v["expected"].clone(),
                v["actual"].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(found[0].0, "layout.unknown_row");
    assert_eq!(found[0].1, ["Sheet1!C36"]);
    let unknown = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "layout.unknown_row")
        .unwrap();
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("9.涉及商业秘密"),
        "{unknown}"
    );
    // The 总计 row counts the extra row: 21 known rows sum to 2, 1 and 3 less (自然人, 商业企业, 总计).
    let sums: Vec<(String, Value, Value)> = found[1..]
        .iter()
        .map(|(rule, cells, e, a)| {
            (
                format!("{rule} {}", cells.last().unwrap()),
                e.clone(),
                a.clone(),
            )
        })
        .collect();
    assert_eq!(
        sums,
        vec![
            (
                "t3.result_sum Sheet1!D48".to_string(),
                Value::from("30"),
                Value::from("32")
            ),
            (
                "t3.result_sum Sheet1!E48".to_string(),
                Value::from("15"),
                Value::from("16")
            ),
            (
                "t3.result_sum Sheet1!J48".to_string(),
                Value::from("51"),
                Value::from("54")
            ),
        ]
    );
}

// ---- fixtures/bad: not a return at all ----------------------------------------------------------

/// `check FILE`: the file failed with `reason` (checked by `matches`), and nothing else happened.
fn assert_failed(file: &str, matches: impl Fn(&str) -> bool) -> String {
    let run = check(&bad(file));
    let r = &run.report;
    assert_eq!(run.code, Some(1), "{file}: {}", run.stdout);
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{file}: {files:?}");
    assert_eq!(files[0]["file"], file);
    assert_eq!(files[0]["status"], "failed", "{file}");
    assert_eq!(files[0]["unit"], Value::Null, "{file}");
    let reason = files[0]["error"].as_str().expect("a reason").to_string();
    assert!(matches(&reason), "{file}: reason {reason:?}");
    assert_eq!(r["units"], serde_json::json!([]), "{file}");
    assert!(
        run.stdout.contains(&format!("无法读取 {file}：{reason}")),
        "{file}: {}",
        run.stdout
    );
    reason
}

const FAILED: &[(&str, &str)] = &[
    ("bad-encrypted.xlsx", "文件已加密，请去除密码后重新报送"),
    ("bad-empty.xlsx", "文件为空"),
    (
        "bad-csv-renamed.xlsx",
        "这是文本文件，不是 Excel 表格（.xlsx/.xls/.ods）",
    ),
    (
        "bad-docx-renamed.xlsx",
        "这是 Word 文档，不是 Excel 表格；请用 Excel 或 WPS 表格填报",
    ),
    (
        "bad-no-return.xlsx",
        "文件中未找到政府信息公开年报统计表（表二、表三、表四均未找到）",
    ),
    (
        "bad-zip-bomb.xlsx",
        "文件解压后过大（声明 320 MB），不是年报统计表",
    ),
];
const TRUNCATED: &str = "bad-truncated.xlsx";

fn failed_reason(file: &str) -> &'static str {
    FAILED
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, r)| *r)
        .unwrap()
}

#[test]
fn an_encrypted_workbook_fails_asking_for_the_password_to_be_removed() {
    let file = "bad-encrypted.xlsx";
    let bytes = std::fs::read(bad(file)).unwrap();
    assert!(
        bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]),
        "an OLE container"
    );
    assert_failed(file, |r| r == failed_reason(file));
}

#[test]
fn a_truncated_zip_fails_as_corrupt() {
    assert_failed(TRUNCATED, |r| {
        // Said in the clerk's words, the reader's own text kept in parentheses.
        r.starts_with("不是完整的 xlsx/ods 压缩包，文件不完整或已损坏（") && r.ends_with('）')
    });
}

#[test]
fn an_empty_file_fails() {
    assert_failed("bad-empty.xlsx", |r| r == failed_reason("bad-empty.xlsx"));
}

#[test]
fn a_csv_renamed_xlsx_fails_as_text() {
    assert_failed("bad-csv-renamed.xlsx", |r| {
        r == failed_reason("bad-csv-renamed.xlsx")
    });
}

#[test]
fn a_word_document_renamed_xlsx_fails_as_word() {
    assert_failed("bad-docx-renamed.xlsx", |r| {
        r == failed_reason("bad-docx-renamed.xlsx")
    });
}

#[test]
fn a_workbook_without_a_return_fails() {
    assert_failed("bad-no-return.xlsx", |r| {
        r == failed_reason("bad-no-return.xlsx")
    });
}

#[test]
fn a_zip_bomb_fails_before_unpacking_in_little_memory() {
    let file = "bad-zip-bomb.xlsx";
    assert!(std::fs::metadata(bad(file)).unwrap().len() < 1024 * 1024);
    assert_failed(file, |r| r == failed_reason(file));
    let capped = check_with(&bad(file), true);
    assert_eq!(
        capped.code,
        Some(1),
        "under a {MEMORY_CAP_KIB} KiB cap: {}{}",
        capped.stdout,
        capped.stderr
    );
    assert_eq!(capped.report["files"][0]["error"], failed_reason(file));
}

#[test]
fn every_failure_has_its_own_reason() {
    let mut reasons: Vec<String> = FAILED
        .iter()
        .map(|(f, r)| assert_failed(f, |got| got == *r))
        .collect();
    reasons.push(assert_failed(TRUNCATED, |_| true));
    let distinct: BTreeSet<&String> = reasons.iter().collect();
    assert_eq!(distinct.len(), reasons.len(), "{reasons:?}");
}

/// All top-level bad files in one folder: each fails or errs alone, the others are still read.
#[test]
fn the_bad_folder_consolidates_file_by_file() {
    let dir = fresh_dir("bad-folder");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let mut spreadsheets = Vec::new();
    for e in std::fs::read_dir(root().join("fixtures/bad")).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() && p.file_name().unwrap().to_str().unwrap().starts_with("bad-") {
            std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
            spreadsheets.push(p.file_name().unwrap().to_str().unwrap().to_string());
        }
    }
    let run = consolidate(&returns, None, &[]);
    let r = &run.report;
    assert_eq!(run.code, Some(1));
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), spreadsheets.len());
    for f in files {
        let name = f["file"].as_str().unwrap();
        let failed = name == TRUNCATED || FAILED.iter().any(|(x, _)| *x == name);
        assert_eq!(
            f["status"],
            if failed { "failed" } else { "ok" },
            "{name}: {f}"
        );
        if let Some((_, reason)) = FAILED.iter().find(|(x, _)| *x == name) {
            assert_eq!(f["error"], *reason, "{name}");
        }
        if failed {
            assert!(
                run.stderr.contains(&format!("无法读取：{name}：")),
                "{name}: {}",
                run.stderr
            );
        }
    }
    let units = r["units"].as_array().unwrap();
    assert_eq!(units.len(), spreadsheets.len() - FAILED.len() - 1);
    assert!(
        units.iter().all(|u| u["status"] == "errors"),
        "every readable bad file has errors"
    );
    // Only the unknown row leaves all values readable; every other unit is out of the totals.
    let in_totals: Vec<&Value> = units.iter().filter(|u| u["in_totals"] == true).collect();
    assert_eq!(in_totals.len(), 1);
    assert_eq!(in_totals[0]["file"], "bad-unknown-row.xlsx");
    assert_eq!(r["coverage"]["label"], format!("1/{} 单位", units.len()));
}

// ---- rosters: duplicate, unknown, missing --------------------------------------------------------

const DRAFT: &str = "示范区新闻出版局-初稿.xlsx";
const FINAL: &str = "示范区新闻出版局-终稿.xlsx";
const OTHER: &str = "示范区广播电视局.xlsx";

#[test]
fn two_files_of_one_unit_make_it_duplicate() {
    let dir = bad("duplicate");
    let run = consolidate(&dir, Some(&dir.join("roster.csv")), &[]);
    let r = &run.report;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let units = r["units"].as_array().unwrap();
    assert_eq!(units.len(), 2);
    let d = &units[0];
    assert_eq!(d["unit"], "D01");
    assert_eq!(d["status"], "duplicate");
    assert_eq!(d["in_totals"], false);
    assert_eq!(d["files"], serde_json::json!([DRAFT, FINAL]));
    assert_eq!(d["values"], Value::Null);
    assert_eq!(units[1]["unit"], "D02");
    assert_eq!(units[1]["status"], "ok");
    assert_values(
        &units[1],
        &expected_values("bad", &format!("duplicate/{OTHER}")),
        OTHER,
    );
    assert_eq!(unit_findings(r), owned(&[("error", "unit.duplicate", &[])]));
    let v = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "unit.duplicate")
        .unwrap();
    assert_eq!(v["unit"], "D01");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains(DRAFT) && msg.contains(FINAL), "{msg}");
    for f in [DRAFT, FINAL] {
        let e = r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["file"] == f)
            .unwrap();
        assert_eq!(e["status"], "ok");
        assert_eq!(e["unit"], "D01");
    }
    assert_eq!(r["coverage"]["label"], "1/2 单位");
    assert!(run.stderr.contains("1/2 单位"), "{}", run.stderr);
    // The totals are D02's alone.
    assert_eq!(r["totals"], units[1]["values"]);
}

/// The same return twice (sent by mail and saved again under another name, an .xlsx saved as
/// .xls…) is no conflict: counted once, the copy listed as skipped, in a run through the cache too.
#[test]
fn a_copy_of_a_return_is_counted_once() {
    let dir = fresh_dir("copy");
    for f in [FINAL, OTHER, "roster.csv"] {
        std::fs::copy(bad("duplicate").join(f), dir.join(f)).unwrap();
    }
    let copy = "示范区新闻出版局（再次报送）.xlsx";
    std::fs::copy(bad("duplicate").join(FINAL), dir.join(copy)).unwrap();
    let run = consolidate(&dir, Some(&dir.join("roster.csv")), &[]);
    let r = &run.report;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let d = &r["units"][0];
    assert_eq!(d["unit"], "D01");
    assert_eq!(d["status"], "ok");
    assert_eq!(d["in_totals"], true);
    // The first by name is taken: the same choice whichever file arrived first.
    let (taken, skipped) = if copy < FINAL {
        (copy, FINAL)
    } else {
        (FINAL, copy)
    };
    assert_eq!(d["files"], serde_json::json!([taken]));
    assert!(
        d["note"].as_str().unwrap().contains("数值相同"),
        "{}",
        d["note"]
    );
    assert_values(
        d,
        &expected_values("bad", &format!("duplicate/{FINAL}")),
        taken,
    );
    let e = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == skipped)
        .unwrap();
    assert_eq!(e["status"], "skipped");
    assert!(e["error"].as_str().unwrap().contains(taken), "{e}");
    assert_eq!(r["coverage"]["label"], "2/2 单位");
    // The same values laid out anew (other bytes): still a copy.
    change_value(&dir.join(copy), "t3.new.natural_person", 0);
    let run = consolidate(&dir, Some(&dir.join("roster.csv")), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["units"][0]["status"], "ok");
    // One value changed: another version, and the unit is duplicate again.
    change_value(&dir.join(copy), "t3.new.natural_person", 1);
    let run = consolidate(&dir, Some(&dir.join("roster.csv")), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.report["units"][0]["status"], "duplicate");
}

/// With `--prefer newest` the file modified last is taken, whichever its name, and said so.
#[test]
fn prefer_newest_takes_the_file_modified_last() {
    for (newer, older) in [(FINAL, DRAFT), (DRAFT, FINAL)] {
        let dir = fresh_dir("newest");
        for f in [DRAFT, FINAL, OTHER, "roster.csv"] {
            std::fs::copy(bad("duplicate").join(f), dir.join(f)).unwrap();
        }
        let now = SystemTime::now();
        let set = |f: &str, t: SystemTime| {
            std::fs::File::options()
                .write(true)
                .open(dir.join(f))
                .unwrap()
                .set_modified(t)
                .unwrap();
        };
        set(newer, now - Duration::from_secs(3600));
        set(older, now - Duration::from_secs(3 * 86400));
        let run = consolidate(&dir, Some(&dir.join("roster.csv")), &["--prefer", "newest"]);
        let r = &run.report;
        assert_eq!(run.code, Some(0), "newer {newer}: {}", run.stderr);
        let d = &r["units"][0];
        assert_eq!(d["unit"], "D01");
        assert_eq!(d["status"], "ok", "newer {newer}");
        assert_eq!(d["in_totals"], true);
        assert_eq!(d["files"], serde_json::json!([newer]));
        assert!(d["note"].as_str().unwrap().contains(newer), "{}", d["note"]);
        assert_values(
            d,
            &expected_values("bad", &format!("duplicate/{newer}")),
            newer,
        );
        let skipped = r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["file"] == older)
            .unwrap();
        assert_eq!(skipped["status"], "skipped", "{older}");
        assert_eq!(skipped["unit"], "D01");
        assert!(
            skipped["error"].as_str().unwrap().contains(newer),
            "{skipped}"
        );
        assert_eq!(r["coverage"]["label"], "2/2 单位");
    }
}

#[test]
fn unknown_and_missing_units_against_the_roster() {
    let dir = bad("roster-gaps");
    let run = consolidate(&dir, Some(&dir.join("roster.csv")), &[]);
    let r = &run.report;
    assert_eq!(run.code, Some(1));
    let status: Vec<(String, String, bool)> = r["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["status"].as_str().unwrap().to_string(),
                u["in_totals"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("R01".to_string(), "ok".to_string(), true),
            ("R02".to_string(), "missing".to_string(), false),
            ("R03".to_string(), "missing".to_string(), false),
            ("示范区海关局".to_string(), "unknown".to_string(), false),
        ]
    );
    let unknown = &r["units"][3];
    assert_eq!(unknown["files"], serde_json::json!(["外单位报表.xlsx"]));
    assert_values(
        unknown,
        &expected_values("bad", "roster-gaps/外单位报表.xlsx"),
        "unknown unit",
    );
    assert_eq!(
        unit_findings(r),
        owned(&[
            ("error", "unit.missing", &[]),
            ("error", "unit.missing", &[]),
            ("error", "unit.unknown", &[])
        ])
    );
    assert_eq!(r["coverage"]["expected"], 3);
    assert_eq!(r["coverage"]["received"], 1);
    assert_eq!(r["coverage"]["in_totals"], 1);
    assert_eq!(r["coverage"]["missing"], serde_json::json!(["R02", "R03"]));
    assert_eq!(r["coverage"]["label"], "1/3 单位");
    assert!(
        run.stderr.contains("计入汇总 1/3 单位") && run.stderr.contains("未报送 2 个"),
        "{}",
        run.stderr
    );
    assert_eq!(
        r["totals"], r["units"][0]["values"],
        "only R01 in the totals"
    );
}

#[test]
fn a_unit_whose_file_failed_is_failed_not_missing() {
    let dir = fresh_dir("failed-unit");
    std::fs::copy(
        bad("roster-gaps/示范区体育彩票局.xlsx"),
        dir.join("示范区体育彩票局.xlsx"),
    )
    .unwrap();
    std::fs::copy(bad("bad-encrypted.xlsx"), dir.join("示范区政务服务局.xlsx")).unwrap();
    let roster = bad("roster-gaps/roster.csv");
    let run = consolidate(&dir, Some(&roster), &[]);
    let r = &run.report;
    let r02 = r["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "R02")
        .unwrap();
    assert_eq!(r02["status"], "failed", "{r02}");
    assert_eq!(r02["files"], serde_json::json!(["示范区政务服务局.xlsx"]));
    let f = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "示范区政务服务局.xlsx")
        .unwrap();
    assert_eq!(f["unit"], "R02");
    assert_eq!(r["coverage"]["missing"], serde_json::json!(["R03"]));
}

/// `check --roster` names the unit by its code; the other roster units are not "missing".
#[test]
fn check_with_a_roster_names_the_unit_and_nothing_else() {
    let json = fresh_dir("check-roster").join("r.json");
    let o = bin()
        .args([
            "check",
            messy("messy-text-spaces.ods").to_str().unwrap(),
            "--roster",
            messy("roster.csv").to_str().unwrap(),
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(only_unit(&r)["unit"], "M01");
    assert_eq!(unit_findings(&r), vec![]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

// ---- every fixture is a tested case --------------------------------------------------------------

#[test]
fn every_fixture_file_is_covered() {
    let listed = |dir: &Path| -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            if p.is_dir() {
                for e in std::fs::read_dir(&p).unwrap() {
                    out.insert(format!(
                        "{name}/{}",
                        e.unwrap().file_name().to_str().unwrap()
                    ));
                }
            } else {
                out.insert(name);
            }
        }
        out
    };
    let mut messy_want: BTreeSet<String> = expected("messy").into_keys().collect();
    assert_eq!(messy_want.len(), 25);
    messy_want.extend(["MANIFEST.md", "expected.csv", "roster.csv"].map(String::from));
    assert_eq!(listed(&root().join("fixtures/messy")), messy_want);

    let mut bad_want: BTreeSet<String> = expected("bad").into_keys().collect();
    bad_want.extend(FAILED.iter().map(|(f, _)| f.to_string()));
    bad_want.insert(TRUNCATED.to_string());
    bad_want.extend(
        [
            "MANIFEST.md",
            "expected.csv",
            "duplicate/roster.csv",
            "roster-gaps/roster.csv",
        ]
        .map(String::from),
    );
    assert_eq!(listed(&root().join("fixtures/bad")), bad_want);
    // Each messy file's case has a test above; a file added later must come with one.
    let source = std::fs::read_to_string(root().join("tests/messy.rs")).unwrap();
    for f in listed(&root().join("fixtures/messy"))
        .iter()
        .chain(&listed(&root().join("fixtures/bad")))
    {
        if f.ends_with(".md") || f.ends_with(".csv") {
            continue;
        }
        let stem = f.rsplit('/').next().unwrap();
        assert!(
            source.contains(&format!("\"{stem}\"")) || source.contains(&format!("{stem}\"")),
            "{f} has no test"
        );
    }
}
