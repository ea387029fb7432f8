//! Year-on-year checks (`[[yoy]]` in the rule file): the Jinshan 2022 returns against 2021 with
//! one unit's new applications planted to jump (its return still balancing every rule): a
//! warning in consolidate's summary, JSON (`year_on_year`) and 校验结果, in `check`, explained
//! by a waiver; none without last year's returns.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::*;

const UNIT: &str = "U20";
const NAME: &str = "金山区规划和自然资源局";

fn idx(id: &str) -> usize {
    nianbao_format::field_index(id).unwrap()
}

/// The 2022 returns with U20's new applications of natural persons raised (and its results
/// with them, so that every balance rule still holds) to more than 5 times last year's.
/// Returns the folder, the value planted and last year's value.
fn planted(name: &str) -> (PathBuf, i64, i64) {
    let dir = temp_dir(name);
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let src = root().join("fixtures/jinshan-2022");
    let mut own = None;
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let n = p.file_name().unwrap().to_string_lossy().into_owned();
        if n.contains("规划和自然资源局") {
            own = Some(p);
        } else if [".xlsx", ".xls", ".ods"].iter().any(|x| n.ends_with(x)) {
            std::fs::copy(&p, returns.join(&n)).unwrap();
        }
    }
    let this = nianbao_read::read_path(&own.unwrap()).unwrap();
    let last = nianbao_read::read_path(&prior_file()).unwrap();
    let mut values: Vec<i64> = this.readings.iter().map(|r| r.value.unwrap()).collect();
    let was = values[idx("t3.new.natural_person")];
    let before = last.readings[idx("t3.new.natural_person")].value.unwrap();
    let now = 6 * before.max(1) + 25;
    let d = now - was;
    assert!(d > 0);
    for id in [
        "t3.new.natural_person",
        "t3.new.total",
        "t3.granted.natural_person",
        "t3.granted.total",
        "t3.total.natural_person",
        "t3.total.total",
    ] {
        values[idx(id)] += d;
    }
    let bytes = nianbao_write::return_bytes(NAME, Some(2022), &values).unwrap();
    std::fs::write(returns.join(format!("{UNIT}_{NAME}.xlsx")), bytes).unwrap();
    (dir, now, before)
}

fn prior_file() -> PathBuf {
    root().join(format!(
        "fixtures/jinshan-2021/{UNIT}_{NAME}_2021年报统计表.xlsx"
    ))
}

fn consolidate(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let (wb, js) = (dir.join("汇总.xlsx"), dir.join("report.json"));
    let roster = root().join("fixtures/jinshan-2022/roster.csv");
    let returns = dir.join("returns");
    let mut args = vec![
        "consolidate",
        s(&returns),
        "--roster",
        s(&roster),
        "--out",
        s(&wb),
        "--json",
        s(&js),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    (o.status.code().unwrap(), json(&js), stderr(&o))
}

fn yoy(report: &Value) -> Vec<Value> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"].as_str().unwrap().starts_with("yoy."))
        .cloned()
        .collect()
}

/// "×8.5": this year over last, one decimal.
fn ratio(now: i64, before: i64) -> String {
    let tenths = (now * 20 / before + 1) / 2;
    format!("×{}.{}", tenths / 10, tenths % 10)
}

#[test]
fn a_planted_jump_is_a_warning_everywhere_it_is_reported() {
    let (dir, now, before) = planted("yoy-planted");
    let prior = root().join("fixtures/jinshan-2021");
    let (code, report, err) = consolidate(&dir, &["--prior", s(&prior)]);
    assert_eq!(code, 0, "warnings only: {err}");
    let found = yoy(&report);
    let v = found
        .iter()
        .find(|v| v["year_on_year"]["field"] == "t3.new.natural_person")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(v["unit"], UNIT);
    assert_eq!(v["rule"], "yoy.t3");
    assert_eq!(v["severity"], "warning");
    assert_eq!(v["year_on_year"]["this_year"], now);
    assert_eq!(v["year_on_year"]["last_year"], before);
    let message = format!(
        "表三 本年新收 自然人：本年 {now}，上年 {before}（{}）",
        ratio(now, before)
    );
    assert_eq!(v["message"], message.as_str());
    assert!(v["waived"].is_null());
    // Only U20 jumped: every year-on-year warning is its own.
    assert!(found.iter().all(|v| v["unit"] == UNIT), "{found:#?}");
    assert!(err.contains("警告"), "{err}");
    // 校验结果 lists it with the rule's title.
    let bytes = std::fs::read(dir.join("汇总.xlsx")).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("校验结果").unwrap();
    let texts: Vec<String> = sheet
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(texts.iter().any(|t| t.contains(&message)), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("同比：表三")),
        "{texts:?}"
    );

    // An explanation accepts it.
    let waivers = dir.join("waivers.csv");
    std::fs::write(
        &waivers,
        format!("unit,rule,reason,expires\n{UNIT},yoy.t3,当年开通网上申请，申请量大增,\n"),
    )
    .unwrap();
    let (code, report, _) = consolidate(&dir, &["--prior", s(&prior), "--waivers", s(&waivers)]);
    assert_eq!(code, 0);
    let found = yoy(&report);
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|v| v["waived"]["reason"] == "当年开通网上申请，申请量大增")
    );
    assert!(report["waivers"]["unused"].as_array().unwrap().is_empty());

    // Without last year's returns there is nothing to compare.
    let (_, report, _) = consolidate(&dir, &[]);
    assert!(yoy(&report).is_empty());
}

#[test]
fn check_says_it_in_chinese_and_in_english() {
    let (dir, now, before) = planted("yoy-check");
    let file = dir.join(format!("returns/{UNIT}_{NAME}.xlsx"));
    let o = run(&["check", s(&file), "--prior", s(&prior_file())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let line = format!(
        "表三 本年新收 自然人：本年 {now}，上年 {before}（{}）",
        ratio(now, before)
    );
    assert!(out.contains(&line), "{out}");
    assert!(out.contains("✗ 同比：表三"), "{out}");
    let o = run(&[
        "check",
        s(&file),
        "--prior",
        s(&prior_file()),
        "--lang",
        "en",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let line = format!(
        "t3.new.natural_person: this year {now}, last year {before} ({})",
        ratio(now, before)
    );
    assert!(out.contains(&line), "{out}");
}
