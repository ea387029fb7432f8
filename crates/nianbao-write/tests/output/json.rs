//! The JSON report's schema: key order, types, nulls, language.

use nianbao_format::{
    FEES_AMOUNT, Kind, Lang, Waived, Waiver, WaiverOutcome, fields, format_amount,
};
use nianbao_write::{WriteOptions, json_report};
use serde_json::Value;

use crate::common::{UNREADABLE, district, filled_total};

fn zh() -> WriteOptions {
    WriteOptions::default()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Checks a 200-field map: canonical order, integer counts, amount string, given nulls.
fn check_values(map: &Value, expected: &[Option<i64>]) {
    let ids: Vec<&str> = fields().iter().map(|f| f.id.as_str()).collect();
    assert_eq!(keys(map), ids, "field ids in canonical order");
    for f in fields() {
        let v = &map[&f.id];
        match (expected[f.index], f.kind) {
            (None, _) => assert!(v.is_null(), "{} should be null, is {v}", f.id),
            (Some(n), Kind::Count) => {
                assert!(v.is_i64() || v.is_u64(), "{} is not an integer: {v}", f.id);
                assert!(!v.is_f64(), "{} is a float: {v}", f.id);
                assert_eq!(v.as_i64(), Some(n), "{}", f.id);
            }
            (Some(n), Kind::Amount) => {
                let s = v.as_str().expect("the amount is a string");
                assert_eq!(s, format_amount(n));
                let (_, decimals) = s.split_once('.').expect("a decimal point");
                assert_eq!(decimals.len(), 2);
            }
        }
    }
}

#[test]
fn top_level_and_coverage() {
    let report = district(1);
    let j = json_report(&report, &zh());
    assert_eq!(
        keys(&j),
        [
            "year",
            "coverage",
            "units",
            "totals",
            "violations",
            "files",
            "waivers"
        ]
    );
    assert_eq!(j["year"], 2022);
    let c = &j["coverage"];
    assert_eq!(
        keys(c),
        ["expected", "received", "in_totals", "missing", "label"]
    );
    assert_eq!(c["expected"].as_u64(), Some(6));
    assert_eq!(c["received"].as_u64(), Some(5));
    assert_eq!(c["in_totals"].as_u64(), Some(3));
    assert_eq!(c["missing"], serde_json::json!(["U03"]));
    assert_eq!(c["label"], "3/6 单位");

    let mut no_year = report.clone();
    no_year.year = None;
    assert!(json_report(&no_year, &zh())["year"].is_null());
}

#[test]
fn totals_are_integers_and_an_amount_string_in_canonical_order() {
    let report = district(2);
    let j = json_report(&report, &zh());
    let expected: Vec<Option<i64>> = report.totals.iter().copied().map(Some).collect();
    check_values(&j["totals"], &expected);
    assert_eq!(
        j["totals"]["t2.fees.amount"],
        format_amount(report.totals[FEES_AMOUNT])
    );
}

#[test]
fn units_carry_values_with_null_for_unreadable_and_no_values_without_readings() {
    let report = district(3);
    let j = json_report(&report, &zh());
    let units = j["units"].as_array().expect("units");
    assert_eq!(units.len(), report.units.len());
    for (ju, u) in units.iter().zip(&report.units) {
        assert_eq!(
            keys(ju),
            [
                "unit",
                "name",
                "kind",
                "file",
                "files",
                "status",
                "in_totals",
                "errors",
                "warnings",
                "blanks",
                "values",
                "note"
            ]
        );
        assert_eq!(ju["unit"], u.unit.as_str());
        assert_eq!(ju["status"], u.status.as_str());
        assert_eq!(ju["in_totals"], u.in_totals);
        for (k, n) in [
            ("errors", u.errors),
            ("warnings", u.warnings),
            ("blanks", u.blanks),
        ] {
            assert!(ju[k].is_u64(), "{k} is not an integer");
            assert_eq!(ju[k].as_u64(), Some(n as u64));
        }
        match u.files.first() {
            Some(f) => assert_eq!(ju["file"], f.as_str()),
            None => assert!(ju["file"].is_null()),
        }
        assert_eq!(ju["files"].as_array().map(Vec::len), Some(u.files.len()));
        match &u.readings {
            None => assert!(
                ju["values"].is_null(),
                "{}: values without readings",
                u.unit
            ),
            Some(rs) => {
                let expected: Vec<Option<i64>> = rs.iter().map(|r| r.value).collect();
                check_values(&ju["values"], &expected);
            }
        }
        match &u.note {
            None => assert!(ju["note"].is_null()),
            Some(m) => assert_eq!(ju["note"], m.zh.as_str()),
        }
    }
    let u04 = &units[3];
    assert_eq!(u04["unit"], "U04");
    assert!(u04["values"][&fields()[UNREADABLE].id].is_null());
    assert_eq!(units[2]["kind"], "town");
    // The blank total the rules filled in carries its value.
    assert_eq!(units[1]["values"][&fields()[filled_total()].id], 42);
}

#[test]
fn violations_and_files() {
    let report = district(4);
    let j = json_report(&report, &zh());
    let vs = j["violations"].as_array().expect("violations");
    assert_eq!(vs.len(), report.violations.len());
    for (jv, uv) in vs.iter().zip(&report.violations) {
        assert_eq!(
            keys(jv),
            [
                "unit",
                "file",
                "rule",
                "severity",
                "fields",
                "cells",
                "expected",
                "actual",
                "message",
                "suspects",
                "suspects_tied",
                "from_units",
                "waived",
                "year_on_year"
            ]
        );
        assert!(jv["waived"].is_null());
        assert!(jv["year_on_year"].is_null());
        let v = &uv.violation;
        assert_eq!(jv["unit"], uv.unit.as_str());
        assert_eq!(jv["severity"], v.severity.as_str());
        assert_eq!(jv["rule"], v.rule.as_str());
        assert_eq!(jv["message"], v.message.zh.as_str());
        assert_eq!(jv["file"].as_str(), uv.file.as_deref());
        assert_eq!(jv["expected"].as_str(), v.expected.as_deref());
        assert_eq!(jv["actual"].as_str(), v.actual.as_deref());
        assert_eq!(jv["fields"].as_array().map(Vec::len), Some(v.fields.len()));
    }
    assert_eq!(vs[0]["cells"], serde_json::json!(["表三!D8"]));
    assert!(vs[0]["expected"].is_null());
    assert_eq!(vs[3]["unit"], "district");

    let files = j["files"].as_array().expect("files");
    assert_eq!(files.len(), report.files.len());
    for (jf, f) in files.iter().zip(&report.files) {
        assert_eq!(keys(jf), ["file", "status", "unit", "error"]);
        assert_eq!(jf["file"], f.file.as_str());
        assert_eq!(jf["status"], f.status.as_str());
        assert_eq!(jf["unit"].as_str(), f.unit.as_deref());
    }
    let failed = files.last().expect("a failed file");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"], "这是 Word 文档");
    assert!(failed["unit"].is_null());
    assert!(files[0]["error"].is_null());
}

#[test]
fn explanations_mark_their_violations_and_are_listed() {
    let mut report = district(4);
    let waiver = |line: usize, unit: &str, expires: Option<&str>| Waiver {
        unit: unit.into(),
        rule: "total.blank".into(),
        reason: "废止文件计在别处".into(),
        expires: expires.map(Into::into),
        line,
    };
    report.violations[1].violation.waived = Some(Waived {
        reason: "废止文件计在别处".into(),
        expires: Some("2030-12-31".into()),
    });
    report.waivers = WaiverOutcome {
        applied: vec![waiver(2, "U02", Some("2030-12-31"))],
        expired: vec![waiver(3, "U05", Some("2020-01-01"))],
        unused: vec![waiver(4, "U03", None)],
    };
    let j = json_report(&report, &zh());
    assert_eq!(
        j["violations"][1]["waived"],
        serde_json::json!({"reason": "废止文件计在别处", "expires": "2030-12-31"})
    );
    assert!(j["violations"][0]["waived"].is_null());
    let w = &j["waivers"];
    assert_eq!(keys(w), ["applied", "expired", "unused"]);
    assert_eq!(
        w["expired"],
        serde_json::json!([{"line": 3, "unit": "U05", "rule": "total.blank",
            "reason": "废止文件计在别处", "expires": "2020-01-01"}])
    );
    assert_eq!(
        keys(&w["unused"][0]),
        ["line", "unit", "rule", "reason", "expires"]
    );
    assert!(w["unused"][0]["expires"].is_null());
    assert_eq!(w["applied"][0]["line"], 2);
    // Without explanations: three empty lists.
    let plain = json_report(&district(4), &zh());
    assert_eq!(
        plain["waivers"],
        serde_json::json!({"applied": [], "expired": [], "unused": []})
    );
}

#[test]
fn messages_follow_the_language() {
    let report = district(5);
    let en = WriteOptions {
        lang: Lang::En,
        ..WriteOptions::default()
    };
    let j = json_report(&report, &en);
    assert_eq!(j["violations"][0]["message"], "\"约10\" is not a number");
    assert_eq!(j["files"][6]["error"], "a Word document");
    assert_eq!(j["units"][2]["note"], "not in the totals");
    assert_eq!(j["coverage"]["label"], "3/6 units");
    // Ids and statuses are the same in both languages.
    assert_eq!(j["units"][2]["status"], "missing");
    assert_eq!(j["violations"][0]["severity"], "error");
}

#[test]
fn serialises_in_the_same_order() {
    // What the CLI writes: the text keeps canonical field order (no alphabetical sorting).
    let report = district(6);
    let text = serde_json::to_string(&json_report(&report, &zh())).expect("json");
    let totals_at = text.find("\"totals\"").expect("totals");
    let first = text[totals_at..]
        .find("t2.regulations.issued")
        .expect("first");
    let last = text[totals_at..]
        .find("t4.suit_after_review.total")
        .expect("last");
    let middle = text[totals_at..]
        .find("t3.new.natural_person")
        .expect("middle");
    assert!(first < middle && middle < last);
    assert!(text.find("\"year\"") < text.find("\"coverage\""));
}

/// What the CLI writes, streamed, is byte for byte serde_json's pretty print of the report:
/// units of every status, a unit's values with nulls, texts to escape, explanations, changes,
/// both languages, and empty lists.
#[test]
fn the_streamed_report_is_serde_jsons_pretty_print() {
    let mut report = district(7);
    report.units[0].name = "引号\"反斜杠\\换行\n制表\t\u{1}/斜杠".into();
    report.units[1].files.push("第二个 \"文件\".xlsx".into());
    report.units[1].kind = None;
    report.waivers = WaiverOutcome {
        applied: vec![Waiver {
            unit: "U02".into(),
            rule: "total.blank".into(),
            reason: "说明\n两行".into(),
            expires: None,
            line: 2,
        }],
        ..WaiverOutcome::default()
    };
    let changes = nianbao_format::Changes {
        since: Some("2026-11-29T01:00:00+08:00".into()),
        new_units: vec!["U01".into()],
        withdrawn_units: vec!["U03".into()],
        status_changed: vec![nianbao_format::StatusChange {
            unit: "U02".into(),
            from: "ok".into(),
            to: "warnings".into(),
        }],
        ..nianbao_format::Changes::default()
    };
    let mut empty = district(8);
    empty.units.clear();
    empty.violations.clear();
    empty.files.clear();
    let cases = [
        (report.clone(), zh()),
        (
            report,
            WriteOptions {
                lang: Lang::En,
                changes: Some(changes),
                ..WriteOptions::default()
            },
        ),
        (empty, zh()),
        (district(9), zh()),
    ];
    for (report, opts) in cases {
        let mut streamed = Vec::new();
        nianbao_write::write_json_report(&report, &opts, &mut streamed).expect("written");
        let pretty = serde_json::to_vec_pretty(&json_report(&report, &opts)).expect("printed");
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(pretty).unwrap()
        );
    }
}
