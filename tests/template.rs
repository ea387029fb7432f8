//! `nianbao template`: the blank returns of a workspace's units, last year's values filled in;
//! templates are returns (filled or not) when they come back; a unit's file is never written
//! over.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::common::*;

/// A 2022 workspace on the Jinshan roster, last year's returns the 2021 fixtures; no returns.
fn workspace(name: &str) -> PathBuf {
    init_workspace(name, Some(&root().join("fixtures/jinshan-2021")))
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn field(id: &str) -> usize {
    nianbao_format::field_index(id).unwrap()
}

/// The file of a unit in a fixture folder.
fn fixture_of(folder: &str, code: &str) -> PathBuf {
    std::fs::read_dir(root().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{code}_"))
        })
        .unwrap()
}

#[test]
fn every_unit_gets_its_template_with_last_years_values() {
    let ws = workspace("template-all");
    let o = run(&["template", s(&ws)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("已写入 2022 年空白报表 42 个"), "{out}");
    let names = files(&ws.join("templates"));
    assert_eq!(names.len(), 42);
    assert!(names.contains(&"U05_亭林镇_2022年政府信息公开年报统计表.xlsx".to_string()));
    // U20's 上年结转 is last year's 结转下年度, column by column; everything else blank.
    let t = nianbao_read::read_path(
        &ws.join("templates/U20_金山区规划和自然资源局_2022年政府信息公开年报统计表.xlsx"),
    )
    .unwrap();
    let last = nianbao_read::read_path(&fixture_of("fixtures/jinshan-2021", "U20")).unwrap();
    assert!(t.problems.is_empty(), "{:#?}", t.problems);
    assert_eq!(t.unit_name.as_deref(), Some("金山区规划和自然资源局"));
    assert_eq!(t.year, Some(2022));
    let mut nonzero = 0;
    for f in nianbao_format::fields() {
        let r = &t.readings[f.index];
        match f.id.strip_prefix("t3.carried_over.") {
            Some(c) => {
                let want = last.readings[field(&format!("t3.carried_forward.{c}"))].value;
                assert_eq!((r.value, r.blank), (want, false), "{}", f.id);
                nonzero += usize::from(want != Some(0));
            }
            None => assert!(r.blank, "{}", f.id),
        }
    }
    assert!(nonzero > 0, "U20 carried applications forward in 2021");
}

#[test]
fn one_unit_by_code_or_name_into_another_folder() {
    let ws = workspace("template-one");
    let out = temp_dir("template-one-out").join("给亭林镇");
    let o = run(&["template", s(&ws), "--unit", "U05", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        files(&out),
        vec!["U05_亭林镇_2022年政府信息公开年报统计表.xlsx"]
    );
    let o = run(&["template", s(&ws), "--unit", "枫泾镇", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(files(&out).len(), 2);
    let o = run(&["template", s(&ws), "--unit", "U99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("名单中没有单位 “U99”"),
        "{}",
        stderr(&o)
    );
    assert!(!ws.join("templates").exists());
}

#[test]
fn templates_in_the_returns_folder_are_returns_filled_or_not() {
    let ws = workspace("template-returns");
    let returns = ws.join("returns");
    for e in std::fs::read_dir(root().join("fixtures/jinshan-2022")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let ext = p.extension().map(|x| x.to_string_lossy().into_owned());
        if matches!(ext.as_deref(), Some("xlsx" | "xls" | "ods"))
            && !name.contains("亭林镇")
            && !name.contains("发展和改革委员会")
        {
            std::fs::copy(&p, returns.join(&name)).unwrap();
        }
    }
    // U05 sent its template filled in and saved by LibreOffice; U12 sent it back untouched.
    std::fs::copy(
        root().join("fixtures/template/U05_filled_lo.xlsx"),
        returns.join("亭林镇年报.xlsx"),
    )
    .unwrap();
    let o = run(&["template", s(&ws), "--unit", "U12"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let blank = "U12_金山区发展和改革委员会_2022年政府信息公开年报统计表.xlsx";
    std::fs::copy(ws.join("templates").join(blank), returns.join(blank)).unwrap();
    let o = run(&["run", s(&ws)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&ws.join("out/report.json"));
    let file = |name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == name)
            .unwrap_or_else(|| panic!("{name} listed"))
            .clone()
    };
    assert_eq!(file("亭林镇年报.xlsx")["status"], "ok");
    assert_eq!(file(blank)["status"], "ok");
    let unit = |code: &str| {
        report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(unit("U05")["status"], "ok");
    assert_eq!(unit("U05")["in_totals"], true);
    // The filled template's values are the unit's values of the generator.
    let expected =
        std::fs::read_to_string(root().join("fixtures/jinshan-2022/expected.csv")).unwrap();
    let header: Vec<&str> = expected.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = expected
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == "U05")
        .unwrap();
    for (h, v) in header.iter().zip(&row).skip(1) {
        if h.starts_with('t') {
            assert_eq!(json_text(&unit("U05")["values"][*h]), *v, "{h}");
        }
    }
    // The untouched template is U12's return: read, its blank cells counted (the existing
    // treatment of a blank return), last year's carried-over values in it.
    let u12 = unit("U12");
    assert_ne!(u12["status"], "missing");
    assert_eq!(u12["blanks"], 193);
    assert_eq!(report["coverage"]["received"], 42);
}

#[test]
fn a_filled_template_and_the_returns_folder_are_never_written_over() {
    let ws = workspace("template-keep");
    let o = run(&["template", s(&ws), "--out", s(&ws.join("returns"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("空白报表不能写入报表文件夹"),
        "{}",
        stderr(&o)
    );
    assert!(files(&ws.join("returns")).is_empty());
    // Written again while untouched: fine.
    assert_eq!(
        run(&["template", s(&ws), "--unit", "U05"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["template", s(&ws), "--unit", "U05"]).status.code(),
        Some(0)
    );
    // Filled in (here: the copy LibreOffice saved): kept, and the run refused before writing.
    let path = ws.join("templates/U05_亭林镇_2022年政府信息公开年报统计表.xlsx");
    std::fs::copy(root().join("fixtures/template/U05_filled_lo.xlsx"), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let o = run(&["template", s(&ws)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("不是未填写的空白报表"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        files(&ws.join("templates")).len(),
        1,
        "nothing else written"
    );
}
