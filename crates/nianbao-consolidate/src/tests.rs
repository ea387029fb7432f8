use super::*;
use nianbao_format::{
    CellRef, FIELD_COUNT, Reading, T3_CARRIED_FORWARD, T3_NEW, T3_TOTAL, T3_TOTAL_COL, field_index,
    t3_index,
};

const ROSTER: &str = "code,name,aliases,kind\nU01,石化街道,石化,town\nU02,朱泾镇,朱泾,town\nU03,金山区教育局,区教育局;教育局,department\n";

/// A balanced return: `n` new natural-person applications, all granted, plus an amount.
fn ret(name: Option<&str>, n: i64, cents: i64) -> ReadReturn {
    let mut readings = vec![
        Reading {
            value: Some(0),
            ..Default::default()
        };
        FIELD_COUNT
    ];
    for (row, col) in [
        (T3_NEW, 0),
        (T3_NEW, T3_TOTAL_COL),
        (2, 0),
        (2, T3_TOTAL_COL),
        (T3_TOTAL, 0),
        (T3_TOTAL, T3_TOTAL_COL),
    ] {
        readings[t3_index(row, col)].value = Some(n);
    }
    readings[field_index("t2.fees.amount").unwrap()].value = Some(cents);
    for (i, r) in readings.iter_mut().enumerate() {
        r.cell = Some(CellRef {
            sheet: "Sheet1".into(),
            row: i as u32,
            col: 3,
        });
    }
    ReadReturn {
        format: nianbao_read::Format::Xlsx,
        unit_name: name.map(String::from),
        year: Some(2022),
        readings,
        problems: vec![],
        generated: None,
    }
}

fn input(file: &str, r: ReadReturn) -> Input {
    Input {
        file: file.into(),
        modified: None,
        outcome: Ok(r),
        assessed: None,
    }
}

fn total(report: &Report, id: &str) -> i64 {
    report.totals[field_index(id).unwrap()]
}

fn skipped(report: &Report) -> Vec<&str> {
    report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Skipped)
        .map(|f| f.file.as_str())
        .collect()
}

fn status(report: &Report, unit: &str) -> UnitStatus {
    report.units.iter().find(|u| u.unit == unit).unwrap().status
}

#[test]
fn sums_units_exactly_and_lists_the_missing() {
    let roster = Roster::from_csv(ROSTER).unwrap();
    let inputs = vec![
        input("a.xlsx", ret(Some("上海市金山区教育局"), 3, 70395)),
        input("石化2022.xls", ret(None, 4, 1)),
    ];
    let c = consolidate(inputs, Some(&roster), &Options::default()).unwrap();
    let r = &c.report;
    assert_eq!(total(r, "t3.new.natural_person"), 7);
    assert_eq!(total(r, "t2.fees.amount"), 70396);
    assert_eq!(
        r.units.iter().map(|u| u.unit.as_str()).collect::<Vec<_>>(),
        ["U01", "U02", "U03"]
    );
    assert_eq!(status(r, "U02"), UnitStatus::Missing);
    assert_eq!(status(r, "U03"), UnitStatus::Ok);
    assert_eq!(r.coverage.missing, ["U02"]);
    assert_eq!(r.coverage.label(nianbao_format::Lang::Zh), "2/3 单位");
    assert!(r.has_errors());
    let frame = c.frame().unwrap();
    assert_eq!(frame.height(), 2);
    assert_eq!(frame.width(), FIELD_COUNT + 2);
    assert_eq!(unit_totals(&r.units).unwrap(), r.totals);
    assert_eq!(column_totals(&frame).unwrap(), r.totals);
    assert!(
        r.violations.iter().all(|v| v.unit != "district"),
        "the totals balance"
    );
}

#[test]
fn duplicates_are_excluded_unless_newest_is_preferred() {
    let roster = Roster::from_csv(ROSTER).unwrap();
    let make = || {
        let mut a = input("朱泾_v1.xlsx", ret(None, 1, 0));
        let mut b = input("朱泾_v2.xlsx", ret(None, 5, 0));
        a.modified = Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(10));
        b.modified = Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(20));
        vec![a, b]
    };
    let c = consolidate(make(), Some(&roster), &Options::default()).unwrap();
    assert_eq!(status(&c.report, "U02"), UnitStatus::Duplicate);
    assert_eq!(total(&c.report, "t3.new.natural_person"), 0);
    assert!(
        c.report
            .violations
            .iter()
            .any(|v| v.violation.rule == "unit.duplicate")
    );

    let c = consolidate(
        make(),
        Some(&roster),
        &Options {
            prefer: Prefer::Newest,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(status(&c.report, "U02"), UnitStatus::Ok);
    assert_eq!(total(&c.report, "t3.new.natural_person"), 5);
    let skipped = skipped(&c.report);
    assert_eq!(skipped, ["朱泾_v1.xlsx"]);
}

#[test]
fn copies_of_one_return_are_counted_once() {
    let roster = Roster::from_csv(ROSTER).unwrap();
    // The same return sent twice, under two names: no conflict, counted once, the other listed.
    let inputs = vec![
        input("朱泾_邮件.xlsx", ret(None, 5, 7)),
        input("朱泾.xlsx", ret(None, 5, 7)),
        input("石化.xlsx", ret(None, 1, 0)),
    ];
    let c = consolidate(inputs, Some(&roster), &Options::default()).unwrap();
    assert_eq!(status(&c.report, "U02"), UnitStatus::Ok);
    assert_eq!(total(&c.report, "t3.new.natural_person"), 6);
    assert_eq!(total(&c.report, "t2.fees.amount"), 7);
    let u02 = c.report.units.iter().find(|u| u.unit == "U02").unwrap();
    assert_eq!(u02.files, ["朱泾.xlsx"]);
    assert!(
        u02.note.as_ref().unwrap().zh.contains("数值相同"),
        "{:?}",
        u02.note
    );
    let skipped = skipped(&c.report);
    assert_eq!(skipped, ["朱泾_邮件.xlsx"]);
    assert!(
        c.report
            .violations
            .iter()
            .all(|v| v.violation.rule != "unit.duplicate")
    );

    // One value apart, a blank where the other has 0, a value that cannot be read, or another
    // year: two returns, not copies.
    let variants: [fn(&mut ReadReturn); 4] = [
        |r| r.readings[0].value = Some(1),
        |r| r.readings[1].blank = true,
        |r| r.readings[2].value = None,
        |r| r.year = Some(2021),
    ];
    for change in variants {
        let mut other = ret(None, 5, 7);
        change(&mut other);
        let inputs = vec![
            input("朱泾.xlsx", ret(None, 5, 7)),
            input("朱泾_2.xlsx", other),
        ];
        let c = consolidate(inputs, Some(&roster), &Options::default()).unwrap();
        assert_eq!(status(&c.report, "U02"), UnitStatus::Duplicate);
    }
    // Both unreadable in the same cell: not whole, so not taken as copies either.
    let broken = || {
        let mut r = ret(None, 5, 7);
        r.readings[2].value = None;
        r
    };
    let inputs = vec![input("朱泾.xlsx", broken()), input("朱泾_2.xlsx", broken())];
    let c = consolidate(inputs, Some(&roster), &Options::default()).unwrap();
    assert_eq!(status(&c.report, "U02"), UnitStatus::Duplicate);
}

#[test]
fn unknown_units_and_failed_files_stay_out_of_the_totals() {
    let roster = Roster::from_csv(ROSTER).unwrap();
    let inputs = vec![
        input("枫泾镇.xlsx", ret(Some("枫泾镇"), 9, 0)),
        Input {
            file: "broken.xlsx".into(),
            modified: None,
            outcome: Err(Msg::new("坏", "bad")),
            assessed: None,
        },
        input("教育局.xlsx", ret(None, 2, 0)),
    ];
    let c = consolidate(inputs, Some(&roster), &Options::default()).unwrap();
    assert_eq!(status(&c.report, "枫泾镇"), UnitStatus::Unknown);
    assert_eq!(total(&c.report, "t3.new.natural_person"), 2);
    assert!(
        c.report
            .files
            .iter()
            .any(|f| f.file == "broken.xlsx" && f.status == FileStatus::Failed)
    );
}

#[test]
fn unreadable_values_keep_a_unit_out_of_the_totals() {
    let roster = Roster::from_csv(ROSTER).unwrap();
    let mut bad = ret(None, 4, 0);
    bad.readings[t3_index(T3_CARRIED_FORWARD, 0)].value = None;
    let c = consolidate(
        vec![input("石化.xlsx", bad), input("朱泾.xlsx", ret(None, 1, 0))],
        Some(&roster),
        &Options::default(),
    )
    .unwrap();
    let u = c.report.units.iter().find(|u| u.unit == "U01").unwrap();
    assert!(!u.in_totals);
    assert_eq!(total(&c.report, "t3.new.natural_person"), 1);
    assert_eq!(c.report.coverage.in_totals, 1);
}

#[test]
fn rule_violations_name_unit_and_cells() {
    let mut r = ret(None, 4, 0);
    r.readings[t3_index(T3_TOTAL, 0)].value = Some(5);
    let c = consolidate(vec![input("石化.xlsx", r)], None, &Options::default()).unwrap();
    let v: Vec<_> = c
        .report
        .violations
        .iter()
        .filter(|v| v.unit == "石化")
        .collect();
    assert!(
        v.iter()
            .any(|v| v.violation.rule == "balance" && !v.violation.cells.is_empty()),
        "{v:?}"
    );
    assert_eq!(status(&c.report, "石化"), UnitStatus::Errors);
    // the district totals carry the same imbalance
    assert!(
        c.report
            .violations
            .iter()
            .any(|v| v.unit == "district" && v.violation.rule == "balance")
    );
}

#[test]
fn rosters_in_chinese_headers_gb18030_and_utf16() {
    let text = "代码,名称,别名,类型\nU01,石化街道,石化,街道\nD01,金山区,,区\n";
    let r = Roster::from_csv(text).unwrap();
    assert_eq!(r.units.len(), 2);
    assert_eq!(r.units[1].kind, "区", "kind is free text");
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    let r = Roster::from_csv_bytes(&gb).unwrap();
    assert_eq!(r.units[0].name, "石化街道");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let r = Roster::from_csv_bytes(&utf16).unwrap();
    assert_eq!(r.units[0].aliases, ["石化"]);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(ROSTER.as_bytes());
    assert_eq!(Roster::from_csv_bytes(&bom).unwrap().units.len(), 3);
}

#[test]
fn every_roster_problem_names_its_line() {
    let line = |text: &str| match Roster::from_csv(text) {
        Err(RosterError::Invalid { line, .. }) => line,
        Ok(_) => panic!("accepted: {text}"),
    };
    assert_eq!(line("名字,地址\nU01,x\n"), 1);
    assert_eq!(line("code,name\nU01,石化\nU02,\n"), 3);
    assert_eq!(
        line("code,name\nU01,石化\n\nU01,朱泾\n"),
        4,
        "blank lines counted"
    );
    assert_eq!(line("code,name,aliases\nU01,石化,金山\nU02,朱泾,金山\n"), 3);
}
