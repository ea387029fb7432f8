//! Explanations (出错说明, `consolidate --waivers FILE`): a warning explained is kept and marked
//! 已说明 (校验结果, JSON `waived`) and no longer counts; an error only when its rule is
//! `waivable`; an explanation past its date stops applying, one that matched nothing is listed,
//! and a file that would explain an error, or names an unknown rule, is refused with its line.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::path::PathBuf;
use std::process::Output;

use calamine::{Data, Range, Reader, Xlsx};
use serde_json::Value;

use crate::common::*;

/// The planted warning: U01's 现行有效件数 of last year one more than this year's follows from.
const WARNING: (&str, &str) = ("U01_", "t2.normative_docs.in_force");
/// The planted error: U02's 结转下年度 of last year one more than this year's 上年结转.
const ERROR: (&str, &str) = ("U02_", "t3.carried_forward.natural_person");

struct Case {
    dir: PathBuf,
    returns: PathBuf,
    prior: PathBuf,
}

impl Case {
    /// The 42 Jinshan 2022 returns, their roster and last year's returns, with last year's
    /// values of some units changed (`plants`: file prefix, field) so that this year's returns
    /// fail a cross-year rule.
    fn new(name: &str, plants: &[(&str, &str)]) -> Case {
        let dir = temp_dir(name);
        let (returns, prior) = (dir.join("returns"), dir.join("prior"));
        for (src, dst) in [("jinshan-2022", &returns), ("jinshan-2021", &prior)] {
            std::fs::create_dir_all(dst).unwrap();
            let src = root().join("fixtures").join(src);
            for e in std::fs::read_dir(&src).unwrap() {
                let n = e.unwrap().file_name().to_string_lossy().into_owned();
                if [".xlsx", ".xls", ".ods"].iter().any(|x| n.ends_with(x)) {
                    std::fs::copy(src.join(&n), dst.join(&n)).unwrap();
                }
            }
        }
        std::fs::copy(
            root().join("fixtures/jinshan-2022/roster.csv"),
            dir.join("roster.csv"),
        )
        .unwrap();
        for (prefix, field) in plants {
            let file = std::fs::read_dir(&prior)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .unwrap();
            let ret = nianbao_read::read_path(&file).unwrap();
            let mut values: Vec<i64> = ret.readings.iter().map(|r| r.value.unwrap()).collect();
            values[nianbao_format::field_index(field).unwrap()] += 1;
            let bytes =
                nianbao_write::return_bytes(&ret.unit_name.unwrap(), ret.year, &values).unwrap();
            std::fs::write(&file, bytes).unwrap();
        }
        Case {
            dir,
            returns,
            prior,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A waiver file in the case's folder.
    fn waivers(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `consolidate` with last year, the roster, o.xlsx and r.json, and `extra`.
    fn run(&self, extra: &[&str]) -> Output {
        let (roster, out, json) = (
            self.path("roster.csv"),
            self.path("o.xlsx"),
            self.path("r.json"),
        );
        let mut args = vec![
            "consolidate",
            s(&self.returns),
            "--roster",
            s(&roster),
            "--prior",
            s(&self.prior),
            "--out",
            s(&out),
            "--json",
            s(&json),
        ];
        args.extend_from_slice(extra);
        run(&args)
    }

    fn report(&self) -> Value {
        json(&self.path("r.json"))
    }

    /// The 校验结果 sheet of o.xlsx.
    fn checks(&self) -> Range<Data> {
        let bytes = std::fs::read(self.path("o.xlsx")).unwrap();
        let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
        book.worksheet_range("校验结果").unwrap()
    }
}

fn text(range: &Range<Data>, r: usize, c: usize) -> String {
    match range.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The rows of 校验结果 whose unit starts with `unit` and whose rule id is `rule`.
fn rows_of(range: &Range<Data>, unit: &str, rule: &str) -> Vec<usize> {
    let id_col = (0..range.width())
        .find(|&c| text(range, 0, c) == "规则编号")
        .unwrap();
    (1..range.height())
        .filter(|&r| text(range, r, 0).starts_with(unit) && text(range, r, id_col) == rule)
        .collect()
}

fn json_text_of(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn unit<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == code)
        .unwrap()
}

fn violations<'a>(report: &'a Value, code: &str, rule: &str) -> Vec<&'a Value> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] == code && v["rule"] == rule)
        .collect()
}

#[test]
fn an_explained_warning_is_kept_marked_and_no_longer_counts() {
    let case = Case::new("waiver-applied", &[WARNING]);
    // Without the explanation: U01 has a warning.
    let o = case.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = case.report();
    assert_eq!(unit(&r, "U01")["status"], "warnings");
    assert_eq!(unit(&r, "U01")["warnings"], 1);
    assert!(stderr(&o).contains("警告 1 处"), "{}", stderr(&o));

    // The waiver file as Excel on a Chinese Windows saves it: GB18030, Chinese headers, the
    // unit by its name, the date with slashes.
    let (bytes, _, _) = encoding_rs::GB18030
        .encode("单位,规则,说明,到期\r\n石化街道,prior.in_force,废止的规范性文件计在区司法局,2099/12/31\r\n");
    let file = case.waivers("出错说明.csv", &bytes[..]);
    let o = case.run(&["--waivers", s(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("已说明 1 处（1 个单位）"), "{err}");
    assert!(!err.contains("警告 1 处"), "{err}");
    let r = case.report();
    let u01 = unit(&r, "U01");
    assert_eq!(u01["status"], "explained");
    assert_eq!(
        (u01["errors"].as_u64(), u01["warnings"].as_u64()),
        (Some(0), Some(0))
    );
    let vs = violations(&r, "U01", "prior.in_force");
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0]["severity"], "warning", "kept, with its severity");
    assert_eq!(
        vs[0]["waived"],
        serde_json::json!({"reason": "废止的规范性文件计在区司法局", "expires": "2099-12-31"})
    );
    assert_eq!(r["waivers"]["applied"][0]["line"], 2);
    assert!(
        r["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["rule"] != "prior.in_force")
            .all(|v| v["waived"].is_null())
    );

    // 校验结果: the row is still there, marked 已说明 with the reason.
    let checks = case.checks();
    let rows = rows_of(&checks, "U01", "prior.in_force");
    assert_eq!(rows.len(), 1);
    let row: Vec<String> = (0..checks.width())
        .map(|c| text(&checks, rows[0], c))
        .collect();
    assert!(row.contains(&"已说明（警告）".to_string()), "{row:?}");
    assert!(
        row.contains(&"废止的规范性文件计在区司法局（有效期至 2099-12-31）".to_string()),
        "{row:?}"
    );
    // 报送情况: the unit's status.
    let bytes = std::fs::read(case.path("o.xlsx")).unwrap();
    let filing = Xlsx::new(Cursor::new(bytes))
        .unwrap()
        .worksheet_range("报送情况")
        .unwrap();
    let u01_row = (0..filing.height())
        .find(|&r| text(&filing, r, 0) == "U01")
        .unwrap();
    assert_eq!(text(&filing, u01_row, 4), "已说明");
}

#[test]
fn check_marks_the_units_explained_warning_and_ignores_the_others_explanations() {
    let case = Case::new("waiver-check", &[WARNING]);
    // U01 石化街道's return of each year.
    let of_u01 = |dir: &PathBuf| {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                nianbao_read::read_path(p)
                    .is_ok_and(|r| r.unit_name.is_some_and(|n| n.contains("石化")))
            })
            .unwrap()
    };
    let (file, prior) = (of_u01(&case.returns), of_u01(&case.prior));
    let roster = case.path("roster.csv");
    let check = |extra: &[&str]| {
        let json = case.path("check.json");
        let mut args = vec![
            "check",
            s(&file),
            "--prior",
            s(&prior),
            "--roster",
            s(&roster),
            "--json",
            s(&json),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        (o, json_text_of(&json))
    };
    let (o, r) = check(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(unit(&r, "U01")["status"], "warnings");
    let printed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        printed
            .trim_end()
            .ends_with("结论：通过，有 1 处警告，请核实"),
        "{printed}"
    );

    let waivers = case.waivers(
        "waivers.csv",
        "unit,rule,reason,expires
         U01,prior.in_force,废止的规范性文件计在区司法局,
         U07,prior.in_force,另一个单位的说明,
",
    );
    let (o, r) = check(&["--waivers", s(&waivers)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(unit(&r, "U01")["status"], "explained");
    let vs = violations(&r, "U01", "prior.in_force");
    assert_eq!(vs[0]["waived"]["reason"], "废止的规范性文件计在区司法局");
    let printed = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        printed.contains("（已说明：废止的规范性文件计在区司法局）"),
        "{printed}"
    );
    assert!(printed.contains("结论：通过，1 处警告已说明"), "{printed}");
    assert!(
        !printed.contains("U07"),
        "another unit's explanation is not this check's: {printed}"
    );
    assert_eq!(r["waivers"]["unused"], serde_json::json!([]));
}

#[test]
fn a_waiver_file_kept_as_a_workbook_is_read_with_its_dates() {
    let case = Case::new("waiver-xlsx", &[WARNING]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
    for (c, h) in ["单位", "规则", "说明", "到期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "U01").unwrap();
    ws.write_string(1, 1, "prior.in_force").unwrap();
    ws.write_string(1, 2, "废止的规范性文件计在区司法局")
        .unwrap();
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2099, 12, 31).unwrap();
    ws.write_datetime_with_format(1, 3, &day, &date).unwrap();
    let file = case.waivers("出错说明.xlsx", wb.save_to_buffer().unwrap());
    let o = case.run(&["--waivers", s(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = case.report();
    assert_eq!(unit(&r, "U01")["status"], "explained");
    let vs = violations(&r, "U01", "prior.in_force");
    assert_eq!(
        vs[0]["waived"],
        serde_json::json!({"reason": "废止的规范性文件计在区司法局", "expires": "2099-12-31"})
    );
    assert_eq!(r["waivers"]["applied"][0]["line"], 2);
    // A workbook cut short is refused, naming the file.
    let bytes = std::fs::read(&file).unwrap();
    let bad = case.waivers("坏.xlsx", &bytes[..bytes.len() - 200]);
    let o = case.run(&["--waivers", s(&bad)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("坏.xlsx"), "{}", stderr(&o));
}

#[test]
fn an_error_is_explained_only_when_its_rule_is_waivable() {
    let case = Case::new("waiver-error", &[ERROR]);
    let o = case.run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(unit(&case.report(), "U02")["status"], "errors");

    let file = case.waivers(
        "waivers.csv",
        "unit,rule,reason,expires\nU02,prior.carried_over,上年结转数经核实以本年为准,\n",
    );
    // The built-in rule is not waivable: refused, naming the file's line; nothing written.
    std::fs::remove_file(case.path("o.xlsx")).unwrap();
    let o = case.run(&["--waivers", s(&file)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("waivers.csv 第 2 行") && err.contains("错误须改正"),
        "{err}"
    );
    assert!(!case.path("o.xlsx").exists());

    // Marked waivable in the rule file: the error is explained and the run passes.
    let rules = std::fs::read_to_string(root().join("crates/nianbao-rules/rules.toml"))
        .unwrap()
        .replace(
            "id = \"prior.carried_over\"\n",
            "id = \"prior.carried_over\"\nwaivable = true\n",
        );
    let rules_file = case.waivers("rules.toml", rules);
    let o = case.run(&["--waivers", s(&file), "--rules", s(&rules_file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = case.report();
    let u02 = unit(&r, "U02");
    assert_eq!(u02["status"], "explained");
    assert_eq!(u02["errors"], 0);
    let vs = violations(&r, "U02", "prior.carried_over");
    assert!(!vs.is_empty());
    assert!(
        vs.iter()
            .all(|v| v["severity"] == "error"
                && v["waived"]["reason"] == "上年结转数经核实以本年为准")
    );
    assert!(
        stderr(&o).contains("各单位勾稽关系全部成立"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn expired_and_unused_explanations_are_listed() {
    let case = Case::new("waiver-expired", &[WARNING]);
    // U07 did not file this year.
    let u07 = std::fs::read_dir(&case.returns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            nianbao_read::read_path(p)
                .is_ok_and(|r| r.unit_name.is_some_and(|n| n.contains("廊下")))
        })
        .unwrap();
    std::fs::remove_file(&u07).unwrap();
    let file = case.waivers(
        "waivers.csv",
        "unit,rule,reason,expires\n\
         U01,prior.in_force,去年的说明,2020-12-31\n\
         U07,prior.in_force,未报送的单位,\n\
         U03,total.blank,总计已核实,\n",
    );
    let o = case.run(&["--waivers", s(&file)]);
    assert_eq!(o.status.code(), Some(1), "U07 is missing: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("已说明 0 处；过期的说明 1 条（U01 prior.in_force，第 2 行，2020-12-31 到期）；未用到的说明 2 条（U07 prior.in_force，第 3 行；U03 total.blank，第 4 行）"),
        "{err}"
    );
    let r = case.report();
    // Expired: the warning counts again.
    assert_eq!(unit(&r, "U01")["status"], "warnings");
    assert!(violations(&r, "U01", "prior.in_force")[0]["waived"].is_null());
    let lines = |key: &str| -> Vec<u64> {
        r["waivers"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("expired"), [2]);
    assert_eq!(lines("unused"), [3, 4]);
    assert_eq!(lines("applied"), Vec::<u64>::new());

    // 校验结果: a section under the violations.
    let checks = case.checks();
    let title = (0..checks.height())
        .find(|&r| text(&checks, r, 0).starts_with("出错说明："))
        .unwrap();
    assert_eq!(
        text(&checks, title, 0),
        "出错说明：已说明 0 处；已过期 1 条；未用到 2 条"
    );
    let status: Vec<(String, String, String)> = (title + 1..title + 4)
        .map(|r| {
            (
                text(&checks, r, 0),
                text(&checks, r, 1),
                text(&checks, r, 3),
            )
        })
        .collect();
    assert!(
        status[0].0.starts_with("U01")
            && status[0].1 == "出错说明文件第 2 行"
            && status[0].2 == "已过期",
        "{status:?}"
    );
    assert!(
        status[1].0.starts_with("U07") && status[1].2 == "未用到",
        "{status:?}"
    );
    assert!(
        status[2].0.starts_with("U03") && status[2].2 == "未用到",
        "{status:?}"
    );
    let said: Vec<String> = (0..checks.width())
        .map(|c| text(&checks, title + 2, c))
        .collect();
    assert!(
        said.contains(&"该单位未报送，此说明没有用到".to_string()),
        "{said:?}"
    );
}

#[test]
fn a_bad_waiver_file_is_refused_with_its_line_and_nothing_is_written() {
    let case = Case::new("waiver-refused", &[WARNING]);
    let cases = [
        ("U01,prior.in_forse,拼错了规则,\n", "未知的规则编号"),
        ("U99,prior.in_force,名单外,\n", "不在报送名单中"),
        ("U01,prior.in_force,日期不对,2024-13-01\n", "不是日期"),
    ];
    for (row, words) in cases {
        let file = case.waivers(
            "waivers.csv",
            format!("unit,rule,reason,expires\nU02,prior.in_force,无,\n{row}"),
        );
        let o = case.run(&["--waivers", s(&file)]);
        assert_eq!(o.status.code(), Some(2), "{row}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("waivers.csv 第 3 行") && err.contains(words),
            "{err}"
        );
        assert!(!case.path("o.xlsx").exists() && !case.path("r.json").exists());
    }
    // In English too.
    let o = case.run(&["--waivers", s(&case.path("waivers.csv")), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("waivers.csv, line 3: the expiry"),
        "{}",
        stderr(&o)
    );
    // The waiver file is an input: no output may replace it.
    let file = case.waivers("w.json", "unit,rule,reason,expires\n");
    let before = std::fs::read(&file).unwrap();
    let o = run(&[
        "consolidate",
        s(&case.returns),
        "--roster",
        s(&case.path("roster.csv")),
        "--out",
        s(&case.path("o.xlsx")),
        "--json",
        s(&file),
        "--waivers",
        s(&file),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("是本次读取的输入文件"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
