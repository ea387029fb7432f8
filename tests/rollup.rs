//! Roll-up: a city consolidates its districts' combined workbooks like units' returns.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// Consolidates `returns` as district `name` into `out` (its 汇总.xlsx); its JSON report.
fn district(returns: &Path, roster: &Path, name: &str, out: &Path) -> Value {
    let report = out.with_extension("json");
    let o = run(&[
        "consolidate",
        s(returns),
        "--roster",
        s(roster),
        "--name",
        name,
        "--out",
        s(out),
        "--json",
        s(&report),
        "-q",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    json(&report)
}

/// The exact sum of a field's totals over reports, as the JSON writes it.
fn sum_totals(reports: &[&Value], id: &str) -> String {
    let amount = nianbao_format::field_index(id)
        .is_some_and(|i| nianbao_format::fields()[i].kind == nianbao_format::Kind::Amount);
    let parts = reports.iter().map(|r| json_text(&r["totals"][id]));
    if amount {
        let cents: i64 = parts
            .map(|t| nianbao_format::parse_decimal(&t, 2).unwrap())
            .sum();
        nianbao_format::format_amount(cents)
    } else {
        parts
            .map(|t| t.parse::<i64>().unwrap())
            .sum::<i64>()
            .to_string()
    }
}

#[test]
fn a_city_consolidates_its_districts_workbooks() {
    let (dir, all) = jinshan_copy("rollup");
    let roster = dir.join("roster.csv");
    let city = dir.join("city");
    std::fs::create_dir_all(&city).unwrap();
    // 金山区: every return. 松江区: all but the .ods ones (fewer units, incomplete). 青浦区:
    // every return, one with a planted error.
    let some = dir.join("some");
    std::fs::create_dir_all(&some).unwrap();
    for e in std::fs::read_dir(&all).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "ods") {
            std::fs::copy(&p, some.join(p.file_name().unwrap())).unwrap();
        }
    }
    let jinshan = district(&all, &roster, "金山区", &city.join("金山区_汇总.xlsx"));
    let songjiang = district(&some, &roster, "松江区", &city.join("松江区_汇总.xlsx"));
    plant_error(&all);
    let qingpu = district(&all, &roster, "青浦区", &city.join("青浦区_汇总.xlsx"));
    assert_ne!(
        jinshan["totals"], songjiang["totals"],
        "districts that differ"
    );

    let city_roster = dir.join("districts.csv");
    std::fs::write(
        &city_roster,
        "code,name,aliases,kind\nD01,金山区,,区\nD02,松江区,,区\nD03,青浦区,,区\nD04,奉贤区,,区\n",
    )
    .unwrap();
    let report = dir.join("city.json");
    let o = run(&[
        "consolidate",
        s(&city),
        "--roster",
        s(&city_roster),
        "--name",
        "上海市",
        "--out",
        s(&dir.join("上海市汇总.xlsx")),
        "--json",
        s(&report),
        "-q",
    ]);
    let report = json(&report);
    let unit = |code: &str| -> Value {
        report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(unit("D04")["status"], "missing");
    // Each district's values are its totals, read back from its workbook.
    for (code, district) in [("D01", &jinshan), ("D02", &songjiang), ("D03", &qingpu)] {
        assert!(unit(code)["files"].as_array().unwrap().len() == 1, "{code}");
        for f in nianbao_format::fields() {
            assert_eq!(
                json_text(&unit(code)["values"][f.id.as_str()]),
                json_text(&district["totals"][f.id.as_str()]),
                "{code} {}",
                f.id
            );
        }
    }
    // A district whose own totals break a balance rule is flagged like a unit's return.
    assert_eq!(unit("D03")["status"], "errors", "{:?}", unit("D03"));
    // What a district's totals do not show is said: units left out, units with errors.
    let said = |code: &str, rule: &str| -> Vec<String> {
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["unit"] == code && v["rule"] == rule)
            .map(|v| format!("{} {}", v["severity"], v["message"]))
            .collect()
    };
    let counted = songjiang["coverage"]["in_totals"].as_u64().unwrap();
    assert!(counted < 42, "{}", songjiang["coverage"]);
    assert_eq!(
        said("D02", "rollup.incomplete"),
        [format!(
            "\"warning\" \"松江区的汇总只计入 {counted}/42 个单位（其余未报送或未计入）\""
        )]
    );
    let with_errors = qingpu["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status"] == "errors")
        .count();
    assert!(with_errors > 0);
    assert_eq!(
        said("D03", "rollup.unit_errors"),
        [format!(
            "\"warning\" \"青浦区的汇总中有 {with_errors} 个单位的报表有错误\""
        )]
    );
    for rule in ["rollup.incomplete", "rollup.unit_errors"] {
        assert!(said("D01", rule).is_empty(), "金山区 is whole and clean");
    }
    assert!(said("D02", "rollup.unit_errors").is_empty());
    assert!(said("D03", "rollup.incomplete").is_empty());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The city's totals are the sum of the districts in them.
    let included: Vec<&Value> = [("D01", &jinshan), ("D02", &songjiang), ("D03", &qingpu)]
        .into_iter()
        .filter(|(code, _)| unit(code)["in_totals"] == true)
        .map(|(_, r)| r)
        .collect();
    assert!(included.len() >= 2);
    for f in nianbao_format::fields() {
        assert_eq!(
            json_text(&report["totals"][f.id.as_str()]),
            sum_totals(&included, &f.id),
            "{}",
            f.id
        );
    }
}

#[test]
fn a_districts_own_workbook_among_its_returns_is_not_a_return() {
    let (dir, returns) = jinshan_copy("rollup-own");
    let roster = dir.join("roster.csv");
    let first = district(&returns, &roster, "金山区", &returns.join("汇总.xlsx"));
    let again = district(&returns, &roster, "金山区", &dir.join("again.xlsx"));
    assert_eq!(first["totals"], again["totals"]);
    let own = again["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "汇总.xlsx")
        .unwrap();
    assert_eq!(own["status"], "skipped");
    assert!(
        own["error"].as_str().unwrap().contains("名单中没有金山区"),
        "{own}"
    );
}

#[test]
fn publishing_a_folder_leaves_the_districts_own_workbook_out() {
    let (dir, returns) = jinshan_copy("rollup-publish");
    let roster = dir.join("roster.csv");
    let report = district(&returns, &roster, "金山区", &returns.join("汇总.xlsx"));
    let out = dir.join("pub");
    std::fs::create_dir_all(&out).unwrap();
    let o = run(&["publish", s(&returns), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = nianbao_read::read_path(&out.join("统计表.html")).unwrap();
    for (f, r) in nianbao_format::fields().iter().zip(&page.readings) {
        let total = json_text(&report["totals"][f.id.as_str()]);
        let shown = match f.kind {
            nianbao_format::Kind::Amount => nianbao_format::format_amount(r.value.unwrap()),
            nianbao_format::Kind::Count => r.value.unwrap().to_string(),
        };
        assert_eq!(shown, total, "{}: the totals once, not twice", f.id);
    }
}
