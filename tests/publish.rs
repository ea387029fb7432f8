//! `nianbao publish` and published reports read as returns: the published page and fragment
//! read back into the 200 totals, the seed report (text) checked clean and its prose against its
//! tables, reports (page, text, Word) among the returns of a folder.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

const PAGE: &str = "统计表.html";
const FRAGMENT: &str = "统计表-网站编辑器.html";
const MARKDOWN: &str = "统计表.md";

fn jinshan() -> PathBuf {
    root().join("fixtures/jinshan-2022")
}

fn values_of(map: &Value) -> Vec<String> {
    let obj = map.as_object().expect("a field map");
    assert_eq!(obj.len(), 200);
    obj.values().map(json_text).collect()
}

/// `check FILE --json`: exit status, the one unit's values and the violations.
fn check_json(file: &Path, dir: &Path) -> (Option<i32>, Value, String) {
    let json = dir.join(format!(
        "{}.json",
        file.file_name().unwrap().to_string_lossy()
    ));
    let o = run(&["check", s(file), "--json", s(&json)]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    (o.status.code(), self::json(&json), out)
}

/// Consolidates the Jinshan returns (its JSON report), and publishes them from the folder.
fn consolidated_and_published(dir: &Path) -> (Value, PathBuf) {
    let rep = dir.join("report.json");
    let o = run(&[
        "consolidate",
        s(&jinshan()),
        "--roster",
        s(&jinshan().join("roster.csv")),
        "--out",
        s(&dir.join("汇总.xlsx")),
        "--json",
        s(&rep),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.join("pub");
    std::fs::create_dir_all(&out).unwrap();
    let o = publish_jinshan(&out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (json(&rep), out)
}

/// `publish` of the Jinshan returns folder as 金山区 into `out`.
fn publish_jinshan(out: &Path) -> std::process::Output {
    run(&[
        "publish",
        s(&jinshan()),
        "--out",
        s(out),
        "--name",
        "金山区",
    ])
}

#[test]
fn the_published_page_and_fragment_read_back_as_the_totals() {
    let dir = temp_dir("publish-roundtrip");
    let (report, out) = consolidated_and_published(&dir);
    let totals = values_of(&report["totals"]);
    for file in [PAGE, FRAGMENT] {
        let (code, r, printed) = check_json(&out.join(file), &dir);
        assert_eq!(code, Some(0), "{file}: {printed}");
        let unit = &r["units"][0];
        assert_eq!(values_of(&unit["values"]), totals, "{file}");
        assert_eq!(unit["blanks"], 0, "{file}");
        assert_eq!(r["violations"], serde_json::json!([]), "{file}");
    }
    // The page names the district and the year in its title, and its prose agrees.
    let (_, r, _) = check_json(&out.join(PAGE), &dir);
    assert_eq!(r["units"][0]["name"], "金山区");
    assert_eq!(r["year"], 2022);
    // Provenance names the table: 表格2 is table 三.
    let page = std::fs::read_to_string(out.join(PAGE)).unwrap();
    assert!(page.contains("<meta name=\"nianbao-generated\" content=\"published;fingerprint="));
    assert!(!page.contains("<script") && !page.contains("src="));
    assert!(page.contains("@page { size: A4"));
    let md = std::fs::read_to_string(out.join(MARKDOWN)).unwrap();
    assert!(md.contains("| 申请人情况 › 自然人 |") || md.contains("申请人情况 › 自然人 |"));
    // The narrative printed on stdout is the one in the page, with the totals' figures.
    let t = |id: &str| report["totals"][id].to_string();
    let sentence = format!(
        "受理政府信息公开申请 {} 件；答复政府信息公开申请 {} 件（含上年度结转申请 {} 件，另有 {} 件结转至下年度继续办理）",
        t("t3.new.total"),
        t("t3.total.total"),
        t("t3.carried_over.total"),
        t("t3.carried_forward.total")
    );
    assert!(page.contains(&sentence), "{sentence}");
    assert!(md.contains(&sentence));
}

#[test]
fn publish_writes_again_over_its_own_forms_only() {
    let dir = temp_dir("publish-edited");
    let (_, out) = consolidated_and_published(&dir);
    let again = || publish_jinshan(&out);
    // Untouched: written again.
    let o = again();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A page edited by hand, or someone's own file by that name: refused, left as it is.
    for (file, text) in [(PAGE, None), (MARKDOWN, Some("# 我们自己写的统计表\n"))] {
        let path = out.join(file);
        let kept = match text {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(&path)
                .unwrap()
                .replacen("金山区", "金山区人民政府", 1),
        };
        std::fs::write(&path, &kept).unwrap();
        let others: Vec<_> = [PAGE, FRAGMENT, MARKDOWN]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap())
            .collect();
        let o = again();
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(file) && stderr(&o).contains("不覆盖"),
            "{}",
            stderr(&o)
        );
        for (f, before) in [PAGE, FRAGMENT, MARKDOWN].iter().zip(&others) {
            assert_eq!(
                &std::fs::read(out.join(f)).unwrap(),
                before,
                "{f} untouched"
            );
        }
        std::fs::remove_file(&path).unwrap();
        assert_eq!(again().status.code(), Some(0));
    }
}

#[test]
fn publish_from_a_workbook_states_an_incomplete_coverage() {
    let dir = temp_dir("publish-partial");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let mut left_out = 0;
    for e in std::fs::read_dir(jinshan()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let ext = p.extension().map(|x| x.to_string_lossy().into_owned());
        if !matches!(ext.as_deref(), Some("xlsx" | "xls" | "ods")) {
            continue;
        }
        if left_out < 4 && name.starts_with('U') {
            left_out += 1;
            continue;
        }
        std::fs::copy(&p, returns.join(&name)).unwrap();
    }
    let wb = dir.join("汇总.xlsx");
    let rep = dir.join("report.json");
    let o = run(&[
        "consolidate",
        s(&returns),
        "--roster",
        s(&jinshan().join("roster.csv")),
        "--out",
        s(&wb),
        "--json",
        s(&rep),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&rep);
    let label = report["coverage"]["label"].as_str().unwrap().to_string();
    assert_eq!(label, "38/42 单位");
    let out = dir.join("pub");
    std::fs::create_dir_all(&out).unwrap();
    let o = run(&["publish", s(&wb), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("38/42 单位"), "{}", stderr(&o));
    for file in [PAGE, FRAGMENT, MARKDOWN] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(text.contains("38/42 单位"), "{file}");
    }
    // The same folder published directly: the roster says who was expected.
    let direct = dir.join("direct");
    std::fs::create_dir_all(&direct).unwrap();
    let roster = jinshan().join("roster.csv");
    let o = run(&[
        "publish",
        s(&returns),
        "--roster",
        s(&roster),
        "--out",
        s(&direct),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for file in [PAGE, FRAGMENT, MARKDOWN] {
        let text = std::fs::read_to_string(direct.join(file)).unwrap();
        assert!(text.contains("38/42 单位"), "{file}");
    }
    // Without it, the 38 units found are all there is to know.
    std::fs::remove_dir_all(&direct).unwrap();
    std::fs::create_dir_all(&direct).unwrap();
    let o = run(&["publish", s(&returns), "--out", s(&direct)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !std::fs::read_to_string(direct.join(PAGE))
            .unwrap()
            .contains("/42")
    );
    // A roster for a workbook, which states its own coverage: refused.
    let o = run(&[
        "publish",
        s(&wb),
        "--roster",
        s(&roster),
        "--out",
        s(&direct),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let (_, r, _) = check_json(&out.join(PAGE), &dir);
    assert_eq!(
        values_of(&r["units"][0]["values"]),
        values_of(&report["totals"])
    );
}

#[test]
fn publish_from_a_workspace_takes_its_last_run() {
    let dir = init_workspace("publish-ws", None);
    // No run yet: said, nothing written.
    let o = run(&["publish", s(&dir)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nianbao run"), "{}", stderr(&o));
    for e in std::fs::read_dir(jinshan()).unwrap() {
        let p = e.unwrap().path();
        let ext = p.extension().map(|x| x.to_string_lossy().into_owned());
        if matches!(ext.as_deref(), Some("xlsx" | "xls" | "ods")) {
            std::fs::copy(&p, dir.join("returns").join(p.file_name().unwrap())).unwrap();
        }
    }
    let o = run(&["run", s(&dir), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["publish", s(&dir), "--name", "金山区"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = dir.join("out").join(PAGE);
    let (_, r, _) = check_json(&page, &dir);
    let report = json(&dir.join("out/report.json"));
    assert_eq!(
        values_of(&r["units"][0]["values"]),
        values_of(&report["totals"])
    );
    // The next nightly run sets the published page aside (our own output), not a return.
    let copy = dir.join("returns").join("已发布.html");
    std::fs::copy(&page, &copy).unwrap();
    let o = run(&["run", s(&dir), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&dir.join("out/report.json"));
    let entry = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "已发布.html")
        .cloned()
        .unwrap();
    assert_eq!(entry["status"], "skipped", "{entry}");
    assert!(
        entry["error"].as_str().unwrap().contains("本工具生成"),
        "{entry}"
    );
}

#[test]
fn the_seed_report_checks_clean_and_reads_as_its_tables() {
    let dir = temp_dir("publish-seed");
    let seed = root().join("fixtures/seed/jinshan-2022-report.txt");
    let (code, r, printed) = check_json(&seed, &dir);
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("结论：通过"), "{printed}");
    let unit = &r["units"][0];
    assert_eq!(values_of(&unit["values"]), seed_values());
    assert_eq!(unit["name"], "金山区");
    assert_eq!(unit["warnings"], 0, "{printed}");
    assert_eq!(r["year"], 2022);
    assert_eq!(r["violations"], serde_json::json!([]), "{printed}");
}

#[test]
fn a_wrong_figure_in_the_prose_is_a_warning_quoting_the_sentence() {
    let dir = temp_dir("publish-prose");
    let seed =
        std::fs::read_to_string(root().join("fixtures/seed/jinshan-2022-report.txt")).unwrap();
    let planted = seed.replace(
        "另有 15 件结转至下年度继续办理",
        "另有 16 件结转至下年度继续办理",
    );
    assert_ne!(planted, seed);
    let file = dir.join("planted.txt");
    std::fs::write(&file, planted).unwrap();
    let (code, r, printed) = check_json(&file, &dir);
    assert_eq!(code, Some(0), "a warning is no error: {printed}");
    let v: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"] == "prose.mismatch")
        .collect();
    assert_eq!(v.len(), 1, "{printed}");
    assert_eq!(v[0]["severity"], "warning");
    assert_eq!(
        v[0]["fields"],
        serde_json::json!(["t3.carried_forward.total"])
    );
    assert_eq!(v[0]["actual"], "16");
    // The cell is the text's line and place: 文本!I…, line of 四、结转下年度继续办理.
    let line = seed
        .lines()
        .position(|l| l.starts_with("四、结转下年度继续办理"))
        .unwrap();
    assert_eq!(v[0]["cells"][0], format!("文本!I{}", line + 1));
    assert_eq!(v[0]["expected"], "15");
    let msg = v[0]["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "答复政府信息公开申请 390 件（含上年度结转申请 7 件，另有 16 件结转至下年度继续办理）"
        ),
        "{msg}"
    );
    assert!(printed.contains("[警告] 正文“"), "{printed}");
    // The same in a published page: the prose of the page, the figure in its table.
    let pub_dir = dir.join("pub");
    std::fs::create_dir_all(&pub_dir).unwrap();
    let o = run(&["publish", s(&jinshan()), "--out", s(&pub_dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(pub_dir.join(PAGE)).unwrap();
    let wrong = page.replace("受理政府信息公开申请 398 件", "受理政府信息公开申请 389 件");
    assert_ne!(wrong, page);
    let file = dir.join("wrong.html");
    std::fs::write(&file, wrong).unwrap();
    let (_, r, printed) = check_json(&file, &dir);
    let v: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"] == "prose.mismatch")
        .collect();
    assert_eq!(v.len(), 1, "{printed}");
    assert_eq!(v[0]["fields"], serde_json::json!(["t3.new.total"]));
    assert_eq!(
        v[0]["cells"][0].as_str().unwrap().split('!').next(),
        Some("表格2")
    );
}

#[test]
fn reports_among_returns_are_read_and_notes_skipped() {
    let dir = temp_dir("publish-folder");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    // The district's report as text, a page without nianbao's marker, the Word file.
    std::fs::copy(
        root().join("fixtures/seed/jinshan-2022-report.txt"),
        returns.join("a.txt"),
    )
    .unwrap();
    let page = std::fs::read_to_string(root().join("fixtures/published/jinshan-2022.html"))
        .unwrap()
        .replace("nianbao-generated", "generator");
    std::fs::write(returns.join("b.htm"), page).unwrap();
    std::fs::copy(
        root().join("fixtures/published/jinshan-2022.docx"),
        returns.join("c.docx"),
    )
    .unwrap();
    std::fs::write(returns.join("说明.txt"), "请于 1 月 31 日前报送。").unwrap();
    let rep = dir.join("r.json");
    let o = run(&[
        "consolidate",
        s(&returns),
        "--out",
        s(&dir.join("o.xlsx")),
        "--json",
        s(&rep),
        "--prefer",
        "newest",
        "-q",
    ]);
    let r = json(&rep);
    let files = r["files"].as_array().unwrap();
    let status = |name: &str| {
        files
            .iter()
            .find(|f| f["file"] == name)
            .map(|f| f["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("说明.txt").as_deref(), Some("skipped"), "{files:?}");
    // All three are 金山区's report: one unit, three files, the newest taken.
    for f in ["a.txt", "b.htm", "c.docx"] {
        assert!(status(f).is_some(), "{f}: {files:?}");
        assert_ne!(status(f).as_deref(), Some("failed"), "{f}: {files:?}");
    }
    assert_eq!(r["units"].as_array().unwrap().len(), 1, "{}", stderr(&o));
    assert_eq!(values_of(&r["totals"]), seed_values());
}

#[test]
fn the_committed_word_report_reads_as_the_seed() {
    let dir = temp_dir("publish-docx");
    let (code, r, printed) = check_json(&root().join("fixtures/published/jinshan-2022.docx"), &dir);
    assert_eq!(code, Some(0), "{printed}");
    let unit = &r["units"][0];
    assert_eq!(values_of(&unit["values"]), seed_values());
    assert_eq!(unit["name"], "金山区");
    assert_eq!(r["violations"], serde_json::json!([]), "{printed}");
}

#[test]
fn last_years_published_report_is_a_prior_for_the_totals() {
    let dir = temp_dir("publish-prior");
    let last = dir.join("2021");
    std::fs::create_dir_all(&last).unwrap();
    let o = run(&[
        "publish",
        s(&root().join("fixtures/jinshan-2021")),
        "--out",
        s(&last),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let consolidate = |prior: &Path| {
        let rep = dir.join("r.json");
        let o = run(&[
            "consolidate",
            s(&jinshan()),
            "--roster",
            s(&jinshan().join("roster.csv")),
            "--prior",
            s(prior),
            "--out",
            s(&dir.join("o.xlsx")),
            "--json",
            s(&rep),
        ]);
        (o, json(&rep))
    };
    // Last year's page: this year's 上年结转 are its 结转下年度, column by column.
    let (o, r) = consolidate(&last.join(PAGE));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let district: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] == "district")
        .collect();
    assert!(district.is_empty(), "{district:?}");
    // This year's own report as "last year's": its 结转下年度 (15) are not this year's 上年结转 (7).
    let (o, r) = consolidate(&root().join("fixtures/seed/jinshan-2022-report.txt"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let cross: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] == "district" && v["rule"] == "prior.carried_over")
        .collect();
    assert_eq!(
        cross.len(),
        3,
        "natural_person, commercial and total: {cross:?}"
    );
    assert!(
        cross
            .iter()
            .any(|v| v["message"].as_str().unwrap().contains("总计列")),
        "{cross:?}"
    );
    assert!(
        cross[0]["message"]
            .as_str()
            .unwrap()
            .contains("jinshan-2022-report.txt"),
        "{cross:?}"
    );
    assert!(
        stderr(&o).contains("全区合计与上年报告不符 3 处"),
        "{}",
        stderr(&o)
    );
}
