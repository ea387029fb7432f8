//! The blank return (`nianbao template`): read back exactly, filled or not; every check of the
//! rule set live in a cell whose result agrees with the rules' own evaluation; input cells
//! validated, the sheet protected. Also the copies LibreOffice saved after typing values into a
//! template (`fixtures/template/`, written by `scripts/gen_template_fixtures.py`): LibreOffice's
//! own results of the generated formulas agree with the rules.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use nianbao_format::{FIELD_COUNT, Kind, field_index, fields, format_value};
use nianbao_rules::{RuleSet, Values, check_unit, failing};
use nianbao_write::{
    CHECK_OK, PriorReturn, SHEET_RETURN, TemplateSpec, filled_template_bytes, prefills,
    template_bytes, template_file_name,
};

use crate::sample::{NAME, balanced};

fn idx(id: &str) -> usize {
    field_index(id).unwrap_or_else(|| panic!("no field {id}"))
}

/// Last year's values under which `balanced()` passes the cross-year rules too.
fn prior_of_balanced() -> Vec<Option<i64>> {
    let v = balanced();
    let mut p: Vec<Option<i64>> = v.iter().map(|&x| Some(x * 3 + 1)).collect();
    for c in [
        "natural_person",
        "commercial",
        "research",
        "social_welfare",
        "legal_service",
    ]
    .iter()
    .chain(&["other_org", "total"])
    {
        p[idx(&format!("t3.carried_forward.{c}"))] = Some(v[idx(&format!("t3.carried_over.{c}"))]);
    }
    for d in ["regulations", "normative_docs"] {
        let at = |c: &str| v[idx(&format!("t2.{d}.{c}"))];
        p[idx(&format!("t2.{d}.in_force"))] = Some(at("in_force") - at("issued") + at("repealed"));
    }
    p
}

fn spec<'a>(rules: &'a RuleSet, prior: Option<&'a [Option<i64>]>) -> TemplateSpec<'a> {
    TemplateSpec {
        unit_name: NAME,
        year: 2023,
        rules,
        prior: prior.map(|values| PriorReturn {
            file: "区教育局_2022.xlsx",
            values,
        }),
    }
}

/// Every formula cell of the template's sheet: (cell, formula, what it shows).
fn check_cells(bytes: &[u8]) -> Vec<((u32, u32), String, String)> {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens it");
    let formulas = book.worksheet_formula(SHEET_RETURN).expect("formulas");
    let values = book.worksheet_range(SHEET_RETURN).expect("values");
    let (top, left) = formulas.start().unwrap_or((0, 0));
    formulas
        .used_cells()
        .filter(|(_, _, f)| !f.is_empty())
        .map(|(r, c, f)| {
            let at = (top + r as u32, left + c as u32);
            let shown = match values.get_value(at) {
                Some(Data::String(s)) => s.clone(),
                other => panic!("check cell {at:?} shows {other:?}"),
            };
            (at, f.clone(), shown)
        })
        .collect()
}

/// What the failing checks' cells must show, as a sorted list ("差 1", …): from the rules.
fn expected_failures(rules: &RuleSet, values: &[i64], prior: &[Option<i64>]) -> Vec<String> {
    let vals =
        Values::from_values(values.iter().map(|&v| Some(v)).collect()).with_prior(prior.to_vec());
    let mut out: Vec<String> = failing(rules, &vals)
        .into_iter()
        .map(|(c, d)| {
            format!(
                "差 {}",
                format_value(fields()[c.lhs[0].field].kind, d.abs())
            )
        })
        .collect();
    out.sort();
    out
}

fn shown_failures(cells: &[((u32, u32), String, String)]) -> Vec<String> {
    let mut out: Vec<String> = cells
        .iter()
        .map(|(_, _, s)| s.clone())
        .filter(|s| s != CHECK_OK)
        .collect();
    out.sort();
    out
}

#[test]
fn the_file_is_named_by_unit_and_year() {
    assert_eq!(
        template_file_name("U05", "亭林镇", 2023),
        "U05_亭林镇_2023年政府信息公开年报统计表.xlsx"
    );
    assert_eq!(
        template_file_name("亭林镇", "亭林镇", 2023),
        "亭林镇_2023年政府信息公开年报统计表.xlsx"
    );
    assert_eq!(
        template_file_name("U1", "a/b", 2023),
        "U1_a_b_2023年政府信息公开年报统计表.xlsx"
    );
}

#[test]
fn a_filled_template_reads_back_exactly_and_every_check_passes() {
    let rules = RuleSet::builtin();
    let prior = prior_of_balanced();
    let good = balanced();
    let typed: Vec<Option<i64>> = good.iter().map(|&v| Some(v)).collect();
    let bytes = filled_template_bytes(&spec(rules, Some(&prior)), &typed).expect("template");
    let ret = nianbao_read::read_bytes(&bytes, "filled.xlsx").expect("reads as a return");
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    for f in fields() {
        let r = &ret.readings[f.index];
        assert_eq!(r.value, Some(good[f.index]), "{}", f.id);
        assert!(!r.blank, "{}", f.id);
    }
    assert_eq!(ret.unit_name.as_deref(), Some(NAME));
    assert_eq!(ret.year, Some(2023));
    assert!(
        ret.generated
            .as_deref()
            .is_some_and(|m| m.starts_with("template;values="))
    );
    let vals = Values::from_readings(&ret.readings).with_prior(prior.clone());
    assert!(check_unit(rules, &vals).is_empty());
    // One check cell per check of the rule set, every one showing ✓.
    let cells = check_cells(&bytes);
    assert_eq!(cells.len(), rules.checks.len());
    assert!(cells.iter().all(|(_, _, s)| s == CHECK_OK), "{cells:?}");
}

#[test]
fn planted_errors_are_found_by_the_reader_the_rules_and_the_sheet() {
    let rules = RuleSet::builtin();
    let prior = prior_of_balanced();
    let mut values = balanced();
    values[idx("t3.new.natural_person")] += 1;
    values[idx("t4.review.total")] += 2;
    values[idx("t3.carried_over.commercial")] += 3;
    values[idx("t2.normative_docs.repealed")] += 4;
    let typed: Vec<Option<i64>> = values.iter().map(|&v| Some(v)).collect();
    let bytes = filled_template_bytes(&spec(rules, Some(&prior)), &typed).expect("template");
    let ret = nianbao_read::read_bytes(&bytes, "planted.xlsx").expect("reads as a return");
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    let read: Vec<i64> = ret
        .readings
        .iter()
        .map(|r| r.value.expect("a value"))
        .collect();
    assert_eq!(read, values);
    let found = check_unit(
        rules,
        &Values::from_readings(&ret.readings).with_prior(prior.clone()),
    );
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &found {
        *by_rule.entry(v.rule.as_str()).or_default() += 1;
    }
    // new +1 breaks its column and its row; carried_over +3 its column, its row and last year's;
    // review total +2 its group; repealed +4 the in-force warning.
    assert_eq!(
        by_rule,
        BTreeMap::from([
            ("balance", 2),
            ("prior.carried_over", 1),
            ("prior.in_force", 1),
            ("t3.applicant_sum", 2),
            ("t4.group_sum", 1),
        ])
    );
    let cells = check_cells(&bytes);
    let shown = shown_failures(&cells);
    assert_eq!(shown, expected_failures(rules, &values, &prior));
    assert_eq!(shown.len(), found.len());
    assert!(shown.contains(&"差 1".to_string()) && shown.contains(&"差 4".to_string()));
}

#[test]
fn an_unfilled_template_has_last_years_values_and_blanks() {
    let rules = RuleSet::builtin();
    let prior = prior_of_balanced();
    let bytes = template_bytes(&spec(rules, Some(&prior))).expect("template");
    let ret = nianbao_read::read_bytes(&bytes, "blank.xlsx").expect("reads as a return");
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    let filled = prefills(rules, &prior);
    assert_eq!(filled.len(), 7, "{filled:?}");
    for f in fields() {
        let r = &ret.readings[f.index];
        if f.id.starts_with("t3.carried_over.") {
            let col = f.id.trim_start_matches("t3.carried_over.");
            let want = prior[idx(&format!("t3.carried_forward.{col}"))];
            assert_eq!((r.value, r.blank), (want, false), "{}", f.id);
        } else {
            assert_eq!((r.value, r.blank), (Some(0), true), "{}", f.id);
        }
    }
    // The pre-filled cells carry a note naming last year's file.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).expect("zip");
    let mut notes = String::new();
    zip.by_name("xl/comments1.xml")
        .expect("notes")
        .read_to_string(&mut notes)
        .expect("utf-8");
    assert_eq!(
        notes
            .matches("已按上年报表（区教育局_2022.xlsx）预填")
            .count(),
        7
    );
    // Blank cells add up to 0, so only the checks against last year fail: what the rules say.
    let cells = check_cells(&bytes);
    let laid: Vec<i64> = ret.readings.iter().map(|r| r.value.unwrap_or(0)).collect();
    assert_eq!(
        shown_failures(&cells),
        expected_failures(rules, &laid, &prior)
    );
    assert!(!shown_failures(&cells).is_empty());
}

#[test]
fn without_last_year_there_is_nothing_pre_filled_and_no_cross_year_check() {
    let rules = RuleSet::builtin();
    let bytes = template_bytes(&spec(rules, None)).expect("template");
    let ret = nianbao_read::read_bytes(&bytes, "blank.xlsx").expect("reads as a return");
    assert!(ret.readings.iter().all(|r| r.blank && r.value == Some(0)));
    let cells = check_cells(&bytes);
    let this_year = rules
        .checks
        .iter()
        .filter(|c| c.lhs.iter().chain(&c.rhs).all(|t| !t.prior))
        .count();
    assert_eq!(cells.len(), this_year);
    assert!(cells.iter().all(|(_, _, s)| s == CHECK_OK));
}

#[test]
fn a_changed_rule_set_changes_the_template() {
    // A rule made a warning, one across tables (listed below the tables) and one on the amount
    // against last year's (beside its row, last year's amount shown).
    let builtin = nianbao_rules::BUILTIN_RULES;
    let row_rule = "severity = \"error\"\nzh = \"表三每行";
    assert!(builtin.contains(row_rule));
    let text = builtin.replace(row_rule, "severity = \"warning\"\nzh = \"表三每行")
        + r#"
[[rule]]
id = "review.within.new"
severity = "warning"
zh = "行政复议总数不超过本年新收申请总数"
en = "reviews do not exceed new applications"
check = "t4.review.total <= t3.new.total"

[[rule]]
id = "fees.kept"
severity = "warning"
zh = "收费金额不低于上年"
en = "fees not below last year's"
check = "t2.fees.amount >= prior.t2.fees.amount"
"#;
    let rules = RuleSet::parse(&text).expect("rules");
    let mut prior = prior_of_balanced();
    prior[idx("t2.fees.amount")] = Some(388); // 3.88 万元
    let mut values = balanced();
    let (old, new) = (
        values[idx("t4.review.total")],
        values[idx("t3.new.total")] + 5,
    );
    values[idx("t4.review.other")] += new - old;
    values[idx("t4.review.total")] = new;
    values[idx("t2.fees.amount")] = 100; // 1.00 万元
    let typed: Vec<Option<i64>> = values.iter().map(|&v| Some(v)).collect();
    let bytes = filled_template_bytes(&spec(&rules, Some(&prior)), &typed).expect("template");
    let cells = check_cells(&bytes);
    assert_eq!(cells.len(), rules.checks.len());
    let shown = shown_failures(&cells);
    assert_eq!(shown, expected_failures(&rules, &values, &prior));
    assert_eq!(shown, vec!["差 2.88".to_string(), "差 5".to_string()]);
    let fees = cells
        .iter()
        .find(|(_, _, s)| s == "差 2.88")
        .expect("the fees check");
    assert!(
        fees.1.contains("ROUND(") && fees.1.contains("3.88"),
        "{}",
        fees.1
    );
    let ret = nianbao_read::read_bytes(&bytes, "custom.xlsx").expect("reads as a return");
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    let read: Vec<i64> = ret
        .readings
        .iter()
        .map(|r| r.value.expect("a value"))
        .collect();
    assert_eq!(read, values);
}

/// sheet1.xml of a workbook.
fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("sheet1")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[test]
fn inputs_are_validated_and_the_sheet_is_protected_without_a_password() {
    let rules = RuleSet::builtin();
    let prior = prior_of_balanced();
    let bytes = template_bytes(&spec(rules, Some(&prior))).expect("template");
    let xml = sheet_xml(&bytes);
    let protection = &xml[xml.find("<sheetProtection").expect("protected")..];
    let protection = &protection[..protection.find("/>").expect("closed")];
    assert!(!protection.contains("password"), "{protection}");
    assert_eq!(xml.matches("<dataValidation ").count(), 2);
    assert!(xml.contains("type=\"whole\"") && xml.contains("operator=\"greaterThanOrEqual\""));
    assert!(xml.contains("type=\"custom\""));
    assert!(xml.contains("ROUND("));
    assert!(xml.contains("promptTitle=\"填写件数\"") && xml.contains("errorTitle=\"件数有误\""));
    // Every count cell is covered by the whole-number validation.
    let sqref = xml
        .split("type=\"whole\"")
        .nth(1)
        .and_then(|s| s.split("sqref=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("sqref");
    let covered = sqref
        .split(' ')
        .map(|r| match r.split_once(':') {
            Some((a, b)) => {
                let (ra, ca) = cell(a);
                let (rb, cb) = cell(b);
                ((rb - ra + 1) * (cb - ca + 1)) as usize
            }
            None => 1,
        })
        .sum::<usize>();
    let counts = fields().iter().filter(|f| f.kind == Kind::Count).count();
    assert_eq!(covered, counts);
    assert_eq!(counts, FIELD_COUNT - 1);
    assert_eq!(
        xml.matches("<conditionalFormatting").count(),
        rules.checks.len()
    );
}

/// (row, col) of an A1 address.
fn cell(a: &str) -> (u32, u32) {
    let letters: String = a.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    let row: u32 = a[letters.len()..].parse().expect("row");
    (row - 1, col)
}

// ---- copies filled in and saved by LibreOffice ------------------------------------------------

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A line of fixtures/template/MANIFEST.csv: file, unit, last year's file, planted changes
/// (`field=+N;…`).
type Case = (String, String, String, Vec<(String, i64)>);

fn manifest() -> Vec<Case> {
    let text =
        std::fs::read_to_string(repo().join("fixtures/template/MANIFEST.csv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            let planted = cols[3]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let (f, d) = s.split_once('=').expect("field=delta");
                    (f.to_string(), d.parse::<i64>().expect("delta"))
                })
                .collect();
            (cols[0].into(), cols[1].into(), cols[2].into(), planted)
        })
        .collect()
}

/// The unit's values in the generator's expected.csv of the 2022 fixtures.
fn expected_values(unit: &str) -> Vec<i64> {
    let text = std::fs::read_to_string(repo().join("fixtures/jinshan-2022/expected.csv"))
        .expect("expected.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let row: Vec<&str> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == unit)
        .unwrap_or_else(|| panic!("{unit} in expected.csv"));
    fields()
        .iter()
        .map(|f| {
            let i = header
                .iter()
                .position(|h| *h == f.id)
                .unwrap_or_else(|| panic!("{}", f.id));
            match f.kind {
                Kind::Count => row[i].parse().expect("count"),
                Kind::Amount => nianbao_format::parse_decimal(row[i], 2).expect("amount"),
            }
        })
        .collect()
}

#[test]
fn copies_libreoffice_saved_read_back_and_its_results_agree_with_the_rules() {
    let rules = RuleSet::builtin();
    let cases = manifest();
    assert!(cases.len() >= 3, "{cases:?}");
    let mut planted_seen = 0;
    for (file, unit, prior_file, planted) in cases {
        let bytes = std::fs::read(repo().join("fixtures/template").join(&file)).expect("fixture");
        let ret = nianbao_read::read_bytes(&bytes, &file).expect("reads as a return");
        assert!(ret.problems.is_empty(), "{file}: {:#?}", ret.problems);
        let mut want = expected_values(&unit);
        for (f, d) in &planted {
            want[idx(f)] += d;
        }
        let read: Vec<i64> = ret
            .readings
            .iter()
            .map(|r| r.value.expect("a value"))
            .collect();
        assert_eq!(read, want, "{file}");
        let prior_ret =
            nianbao_read::read_path(&repo().join(&prior_file)).expect("last year's return");
        let prior: Vec<Option<i64>> = prior_ret.readings.iter().map(|r| r.value).collect();
        // LibreOffice computed the check cells itself: they agree with the rules.
        let cells = check_cells(&bytes);
        assert_eq!(cells.len(), rules.checks.len(), "{file}");
        let shown = shown_failures(&cells);
        assert_eq!(shown, expected_failures(rules, &want, &prior), "{file}");
        let found = check_unit(
            rules,
            &Values::from_readings(&ret.readings).with_prior(prior),
        );
        assert_eq!(found.is_empty(), planted.is_empty(), "{file}: {found:#?}");
        if !planted.is_empty() {
            planted_seen += 1;
            assert!(!shown.is_empty(), "{file}");
        }
    }
    assert!(planted_seen >= 1);
}

#[test]
fn what_is_pre_filled_comes_from_the_rules() {
    let prior = prior_of_balanced();
    // Without the rule tying 上年结转 to last year, nothing is filled in.
    let start = nianbao_rules::BUILTIN_RULES
        .find("[[rule]]\nid = \"prior.carried_over\"")
        .expect("the rule");
    let end = start
        + nianbao_rules::BUILTIN_RULES[start..]
            .find("\n\n")
            .expect("its end");
    let without = format!(
        "{}{}",
        &nianbao_rules::BUILTIN_RULES[..start],
        &nianbao_rules::BUILTIN_RULES[end..]
    );
    let rules = RuleSet::parse(&without).expect("rules");
    assert!(prefills(&rules, &prior).is_empty());
    let bytes = template_bytes(&spec(&rules, Some(&prior))).expect("template");
    let ret = nianbao_read::read_bytes(&bytes, "blank.xlsx").expect("reads as a return");
    assert!(ret.readings.iter().all(|r| r.blank));
    // A rule written the other way round, on one column, fills that column only.
    let one = format!(
        "{without}\n[[rule]]\nid = \"co\"\nzh = \"z\"\nen = \"e\"\ncheck = \"t3.carried_over.research = prior.t3.carried_forward.research\"\n"
    );
    let rules = RuleSet::parse(&one).expect("rules");
    let filled = prefills(&rules, &prior);
    assert_eq!(filled.len(), 1);
    assert_eq!(filled[0].field, idx("t3.carried_over.research"));
    assert_eq!(
        Some(filled[0].value),
        prior[idx("t3.carried_forward.research")]
    );
}
