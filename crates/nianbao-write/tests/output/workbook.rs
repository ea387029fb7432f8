//! The generated xlsx inspected with calamine: sheets, the 合计 formulas, merges, the other sheets.

use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Data, Dimensions, Range, Reader, Xlsx};
use nianbao_format::{
    CellRef, Kind, Lang, Msg, Severity, Suspect, UnitStatus, UnitViolation, Violation, Waived,
    Waiver, WaiverOutcome, column_name, fields, t3_index,
};
use nianbao_write::{
    SHEET_CHECKS, SHEET_FILING, SHEET_SUMMARY, SHEET_UNITS, WriteOptions, workbook_bytes,
};

use crate::common::{UNREADABLE, district, filled_total};

type Book = Xlsx<Cursor<Vec<u8>>>;

fn open(opts: &WriteOptions, seed: u64) -> (nianbao_format::Report, Book) {
    let report = district(seed);
    let bytes = workbook_bytes(&report, opts).expect("workbook");
    let book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    (report, book)
}

fn text(range: &Range<Data>, r: u32, c: u32) -> String {
    match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(range: &Range<Data>, r: u32, c: u32) -> Option<f64> {
    match range.get_value((r, c)) {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// A stored value (hundredths for the amount) from a cell's number.
fn stored(kind: Kind, x: f64) -> i64 {
    match kind {
        Kind::Count => x.round() as i64,
        Kind::Amount => (x * 100.0).round() as i64,
    }
}

#[test]
fn four_sheets_in_order() {
    let (_, book) = open(&WriteOptions::default(), 1);
    assert_eq!(
        book.sheet_names(),
        [SHEET_SUMMARY, SHEET_UNITS, SHEET_CHECKS, SHEET_FILING]
    );
    assert_eq!(
        [SHEET_SUMMARY, SHEET_UNITS, SHEET_CHECKS, SHEET_FILING],
        ["全区汇总", "分单位明细", "校验结果", "报送情况"]
    );
}

/// The row of the 合计 and the range "E4:E6" of each field's SUM, parsed.
struct Sums {
    total_row: u32,
    /// (first row, last row), zero-based, per field.
    ranges: Vec<(u32, u32)>,
}

fn parse_sums(range: &Range<Data>, formulas: &Range<String>) -> Sums {
    let total_row = (0..range.height() as u32 + 1)
        .find(|&r| text(range, r, 0).starts_with("合计（"))
        .expect("a 合计 row");
    let ranges = fields()
        .iter()
        .map(|f| {
            let c = 4 + f.index as u32;
            let formula = formulas
                .get_value((total_row, c))
                .unwrap_or_else(|| panic!("{}: no formula", f.id));
            let letters = column_name(c);
            let inner = formula
                .trim_start_matches('=')
                .strip_prefix("SUM(")
                .and_then(|s| s.strip_suffix(')'))
                .unwrap_or_else(|| panic!("{}: not a SUM: {formula}", f.id));
            let (a, b) = inner.split_once(':').expect("a range");
            let row_of = |cell: &str| -> u32 {
                let digits = cell
                    .strip_prefix(letters.as_str())
                    .unwrap_or_else(|| panic!("{}: {cell} is not column {letters}", f.id));
                digits.parse::<u32>().expect("a row number") - 1
            };
            (row_of(a), row_of(b))
        })
        .collect();
    Sums { total_row, ranges }
}

#[test]
fn total_row_sums_exactly_the_units_in_the_totals() {
    let (report, mut book) = open(&WriteOptions::default(), 2);
    let range = book.worksheet_range(SHEET_UNITS).expect("sheet");
    let formulas = book.worksheet_formula(SHEET_UNITS).expect("formulas");
    let sums = parse_sums(&range, &formulas);

    let inside: BTreeSet<&str> = report
        .units
        .iter()
        .filter(|u| u.in_totals)
        .map(|u| u.unit.as_str())
        .collect();
    // Every unit has a row between the headers and the 合计.
    let rows: Vec<(u32, String)> = (3..sums.total_row)
        .map(|r| (r, text(&range, r, 0)))
        .collect();
    let codes: BTreeSet<String> = rows.iter().map(|(_, c)| c.clone()).collect();
    let all: BTreeSet<String> = report.units.iter().map(|u| u.unit.clone()).collect();
    assert_eq!(codes, all);

    for (f, &(a, b)) in fields().iter().zip(&sums.ranges) {
        let summed: BTreeSet<&str> = rows
            .iter()
            .filter(|(r, _)| (a..=b).contains(r))
            .map(|(_, c)| c.as_str())
            .collect();
        assert_eq!(summed, inside, "{}: the SUM covers other units", f.id);

        // The cached result is the report's total.
        let c = 4 + f.index as u32;
        let cached = number(&range, sums.total_row, c).expect("a cached number");
        assert_eq!(stored(f.kind, cached), report.totals[f.index], "{}", f.id);

        // Recalculating the SUM over what the cells hold gives the total too.
        let recomputed: i64 = (a..=b)
            .filter_map(|r| number(&range, r, c))
            .map(|x| stored(f.kind, x))
            .sum();
        assert_eq!(recomputed, report.totals[f.index], "{}: recomputed", f.id);
    }

    // The note names the units left out, and only them.
    let note = text(&range, sums.total_row + 1, 0);
    assert!(note.starts_with("合计不含："), "{note}");
    for u in &report.units {
        assert_eq!(note.contains(&u.unit), !u.in_totals, "{note} / {}", u.unit);
    }
}

#[test]
fn unit_cells_show_readings_blanks_and_unreadable_text() {
    let (report, mut book) = open(&WriteOptions::default(), 3);
    let range = book.worksheet_range(SHEET_UNITS).expect("sheet");
    let row_of = |code: &str| {
        (3..200u32)
            .find(|&r| text(&range, r, 0) == code)
            .unwrap_or_else(|| panic!("no row for {code}"))
    };
    // Header rows: table groups, labels, ids.
    assert_eq!(text(&range, 0, 4), "二、主动公开");
    assert_eq!(text(&range, 0, 14), "三、依申请公开");
    assert_eq!(text(&range, 0, 4 + 185), "四、复议诉讼");
    for f in fields() {
        let c = 4 + f.index as u32;
        assert_eq!(text(&range, 2, c), f.id);
        assert!(text(&range, 1, c).contains(f.col_label), "{}", f.id);
    }
    for u in &report.units {
        let r = row_of(&u.unit);
        assert_eq!(text(&range, r, 1), u.name);
        assert_eq!(text(&range, r, 2), u.status.label(Lang::Zh));
        for f in fields() {
            let c = 4 + f.index as u32;
            let cell = range.get_value((r, c));
            match u.readings.as_ref().map(|rs| &rs[f.index]) {
                None => assert!(matches!(cell, None | Some(Data::Empty)), "{}", f.id),
                Some(rd) => match rd.value {
                    None => assert_eq!(text(&range, r, c), rd.raw),
                    Some(0) if rd.blank => {
                        assert!(matches!(cell, None | Some(Data::Empty)), "{}", f.id)
                    }
                    Some(v) => {
                        let x = number(&range, r, c)
                            .unwrap_or_else(|| panic!("{} {}: no number", u.unit, f.id));
                        assert_eq!(stored(f.kind, x), v, "{} {}", u.unit, f.id);
                    }
                },
            }
        }
    }
    assert_eq!(text(&range, row_of("U04"), 4 + UNREADABLE as u32), "约10");
    assert_eq!(
        number(&range, row_of("U02"), 4 + filled_total() as u32),
        Some(42.0)
    );
    assert_eq!(text(&range, row_of("U05"), 3), "教育局1.xlsx；教育局2.xlsx");
    let missing = row_of("U03");
    assert_eq!(
        text(&range, missing, 2),
        UnitStatus::Missing.label(Lang::Zh)
    );
}

fn merges(book: &mut Book, sheet: &str) -> Vec<Dimensions> {
    book.merge_cells_by_sheet_name(sheet).expect("merges")
}

/// The merged area whose top-left cell holds `label` (rows, columns).
fn span_of(range: &Range<Data>, merged: &[Dimensions], label: &str) -> (u32, u32) {
    let (r, c) = range
        .used_cells()
        .find(|(_, _, d)| matches!(d, Data::String(s) if s == label))
        .map(|(r, c, _)| (r as u32, c as u32))
        .unwrap_or_else(|| panic!("no cell {label}"));
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let (r, c) = (r + r0, c + c0);
    merged
        .iter()
        .find(|d| d.start == (r, c))
        .map_or((1, 1), |d| {
            (d.end.0 - d.start.0 + 1, d.end.1 - d.start.1 + 1)
        })
}

#[test]
fn summary_sheet_has_the_official_merges() {
    let (report, mut book) = open(&WriteOptions::default(), 4);
    let range = book.worksheet_range(SHEET_SUMMARY).expect("sheet");
    let merged = merges(&mut book, SHEET_SUMMARY);
    let span = |label: &str| span_of(&range, &merged, label);

    let title = text(&range, 0, 0);
    assert!(
        title.starts_with("2022年政府信息公开工作年度报告统计表"),
        "{title}"
    );
    assert!(title.contains(&report.coverage.label(Lang::Zh)), "{title}");

    // Table 二: one-column blocks span the three value columns of the first block.
    let three: u32 = ["本年制发件数", "本年废止件数", "现行有效件数"]
        .iter()
        .map(|l| span(l).1)
        .sum();
    assert_eq!(span("本年处理决定数量").0, 1);
    assert_eq!(span("本年处理决定数量").1, three);
    assert_eq!(span("本年收费金额（单位：万元）").1, three);
    assert_eq!(span("信息内容"), span("规章"));

    // Table 三.
    let corner = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
    assert_eq!(span(corner).0, 3);
    assert_eq!(span("申请人情况"), (1, 7));
    assert_eq!(span("自然人"), (2, 1));
    assert_eq!(span("法人或其他组织"), (1, 5));
    assert_eq!(span("总计").0, 2);
    assert_eq!(span("一、本年新收政府信息公开申请数量").1, span(corner).1);
    assert_eq!(span("三、本年度办理结果"), (22, 1));
    assert_eq!(span("（三）不予公开").0, 8);
    assert_eq!(span("（四）无法提供").0, 3);
    assert_eq!(span("（五）不予处理").0, 5);
    assert_eq!(span("（六）其他处理").0, 3);
    let l23 = span("（一）予以公开").1;
    assert_eq!(
        span("（二）部分公开（区分处理的，只计这一情形，不计其他情形）").1,
        l23
    );
    assert_eq!(span("（三）不予公开").1 + span("1.属于国家秘密").1, l23);
    assert_eq!(1 + l23, span(corner).1);

    // Table 四.
    assert_eq!(span("行政复议"), (1, 5));
    assert_eq!(span("行政诉讼"), (1, 10));
    assert_eq!(span("未经复议直接起诉"), (1, 5));
    assert_eq!(span("复议后起诉"), (1, 5));
    assert_eq!(span("结果维持"), (2, 1));
}

#[test]
fn checks_sheet_lists_every_violation() {
    let (report, mut book) = open(&WriteOptions::default(), 5);
    let range = book.worksheet_range(SHEET_CHECKS).expect("sheet");
    let heads: Vec<String> = (0..14).map(|c| text(&range, 0, c)).collect();
    assert_eq!(
        heads,
        [
            "单位",
            "文件",
            "规则",
            "严重程度",
            "字段",
            "单元格",
            "左边",
            "右边",
            "最可能出错",
            "应改为",
            "说明",
            "出错说明",
            "规则编号",
            "字段编号"
        ]
    );
    assert_eq!(range.height(), report.violations.len() + 1);
    for (i, uv) in report.violations.iter().enumerate() {
        let r = i as u32 + 1;
        let v = &uv.violation;
        assert!(text(&range, r, 0).contains(if uv.unit == "district" {
            "全区"
        } else {
            uv.unit.as_str()
        }));
        assert_eq!(text(&range, r, 3), v.severity.label(Lang::Zh));
        assert_eq!(text(&range, r, 10), v.message.zh);
        assert_eq!(text(&range, r, 11), "");
        assert_eq!(text(&range, r, 12), v.rule);
        let ids: Vec<String> = v.fields.iter().map(|f| f.id()).collect();
        assert_eq!(text(&range, r, 13), ids.join(", "));
        // Titles and labels in Chinese, never the ids.
        assert_ne!(text(&range, r, 2), v.rule);
        for f in &ids {
            assert!(!text(&range, r, 4).contains(f.as_str()), "{f}");
        }
    }
    // A read problem: its cell; no sides (the text typed is in the message).
    assert_eq!(text(&range, 1, 0), "U04 张堰镇");
    assert_eq!(text(&range, 1, 2), "数值单元格不是数字");
    assert_eq!(text(&range, 1, 5), "表三!D8");
    assert_eq!(text(&range, 1, 6), "");
    assert_eq!(text(&range, 1, 7), "");
    assert_eq!(text(&range, 3, 2), "未报送");
    // A rule: its description, both sides.
    assert_eq!(
        text(&range, 4, 2),
        "表三每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度（表中注明的勾稽关系）"
    );
    assert_eq!(text(&range, 4, 6), "1");
    assert_eq!(text(&range, 4, 7), "2");
    assert_eq!(
        text(&range, 4, 4),
        "表三 依申请公开 本年新收政府信息公开申请数量 总计\n表三 依申请公开 办理结果总计 总计"
    );
}

#[test]
fn checks_sheet_marks_explained_violations_and_lists_the_other_explanations() {
    let mut report = district(5);
    let waiver = |line: usize, unit: &str, expires: Option<&str>| Waiver {
        unit: unit.into(),
        rule: "total.blank".into(),
        reason: "总计按分项之和计，已核实".into(),
        expires: expires.map(Into::into),
        line,
    };
    report.violations[1].violation.waived = Some(Waived {
        reason: "总计按分项之和计，已核实".into(),
        expires: Some("2030-12-31".into()),
    });
    report.waivers = WaiverOutcome {
        applied: vec![waiver(2, "U02", Some("2030-12-31"))],
        expired: vec![waiver(3, "U05", Some("2020-01-01"))],
        unused: vec![waiver(4, "U03", None)],
    };
    for lang in [Lang::Zh, Lang::En] {
        let opts = WriteOptions {
            lang,
            ..WriteOptions::default()
        };
        let bytes = workbook_bytes(&report, &opts).expect("workbook");
        let mut book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        let range = book.worksheet_range(SHEET_CHECKS).expect("sheet");
        let zh = lang == Lang::Zh;
        assert_eq!(
            text(&range, 2, 3),
            if zh {
                "已说明（警告）"
            } else {
                "explained (warning)"
            }
        );
        assert_eq!(
            text(&range, 2, 11),
            if zh {
                "总计按分项之和计，已核实（有效期至 2030-12-31）"
            } else {
                "总计按分项之和计，已核实 (until 2030-12-31)"
            }
        );
        assert_eq!(text(&range, 1, 11), "");
        // Under the violations, a blank row, then the section.
        let title = report.violations.len() as u32 + 2;
        assert_eq!(text(&range, title - 1, 0), "");
        assert_eq!(
            text(&range, title, 0),
            if zh {
                "出错说明：已说明 1 处；已过期 1 条；未用到 1 条"
            } else {
                "Explanations: 1 violations explained; 1 expired; 1 unused"
            }
        );
        let expired = title + 1;
        assert!(text(&range, expired, 0).starts_with("U05"));
        assert_eq!(
            text(&range, expired, 1),
            if zh {
                "出错说明文件第 3 行"
            } else {
                "waiver file, line 3"
            }
        );
        assert_eq!(
            text(&range, expired, 3),
            if zh { "已过期" } else { "expired" }
        );
        assert!(text(&range, expired, 10).contains("2020-01-01"));
        assert_eq!(text(&range, expired, 12), "total.blank");
        let unused = title + 2;
        assert!(text(&range, unused, 0).starts_with("U03"));
        assert_eq!(
            text(&range, unused, 3),
            if zh { "未用到" } else { "unused" }
        );
        assert_eq!(
            text(&range, unused, 10),
            if zh {
                "该单位未报送，此说明没有用到"
            } else {
                "the unit has not filed; not used"
            }
        );
    }
    // Without explanations, no section.
    let (plain, mut book) = open(&WriteOptions::default(), 5);
    let range = book.worksheet_range(SHEET_CHECKS).expect("sheet");
    assert_eq!(range.height(), plain.violations.len() + 1);
}

/// A report whose one violation is U05's: a rule whose two sides are 2 and 1, and whose cell
/// most likely wrong, 表三!D24, should be 1.
fn u05_report() -> nianbao_format::Report {
    let mut report = district(5);
    let id = |r: usize, c: usize| fields()[t3_index(r, c)].id.clone();
    let cell = |row: u32, col: u32| CellRef {
        sheet: "表三".into(),
        row,
        col,
    };
    report.violations = vec![UnitViolation {
        unit: "U05".into(),
        file: Some("教育局1.xlsx".into()),
        violation: Violation {
            rule: "balance".into(),
            severity: Severity::Error,
            fields: [id(0, 0), id(1, 0), id(23, 0), id(24, 0)]
                .iter()
                .map(|f| nianbao_format::FieldRef::parse(f).expect("a field id"))
                .collect(),
            cells: vec![cell(23, 3), cell(24, 3), cell(46, 3), cell(47, 3)],
            expected: Some("2".into()),
            actual: Some("1".into()),
            message: Msg::new(
                "表三 自然人列：新收 D24=2 + 上年结转 D25=0 = 2 ≠ 办理结果总计 D47=1 + 结转下年度 D48=0 = 1（差 1）；最可能出错：D24，应为 1",
                "table 3, column natural_person: new D24=2 + carried_over D25=0 = 2 ≠ total D47=1 + carried_forward D48=0 = 1 (off by 1); most likely wrong: D24, should be 1",
            ),
            suspects: vec![Suspect {
                cell: Some(cell(23, 3)),
                field: id(0, 0),
                value: 2,
                suggested: 1,
            }],
            suspects_tied: false,
            from_units: vec![],
            waived: None,
            year_on_year: None,
        },
    }];
    report
}

#[test]
fn checks_sheet_shows_the_two_sides_and_the_suggestion_apart() {
    let report = u05_report();
    for (lang, heads, title, label) in [
        (
            Lang::Zh,
            ["左边", "右边", "最可能出错", "应改为"],
            "表三每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度（表中注明的勾稽关系）",
            "表三 依申请公开 本年新收政府信息公开申请数量 自然人",
        ),
        (
            Lang::En,
            ["Left side", "Right side", "Most likely wrong", "Should be"],
            "table 3, every column: new + carried over = results total + carried forward (the official rule)",
            "table 3: new › natural person",
        ),
    ] {
        let opts = WriteOptions {
            lang,
            ..WriteOptions::default()
        };
        let bytes = workbook_bytes(&report, &opts).expect("workbook");
        let mut book: Book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        let range = book.worksheet_range(SHEET_CHECKS).expect("sheet");
        let head: Vec<String> = (6..10).map(|c| text(&range, 0, c)).collect();
        assert_eq!(head, heads);
        assert_eq!(text(&range, 1, 2), title);
        assert_eq!(text(&range, 1, 4).lines().next(), Some(label));
        // The sides of the rule, then the suggestion: the cell and the value it should hold, as
        // the message says.
        assert_eq!(text(&range, 1, 6), "2");
        assert_eq!(text(&range, 1, 7), "1");
        assert_eq!(text(&range, 1, 8), "表三!D24");
        assert_eq!(text(&range, 1, 9), "1");
        assert!(text(&range, 1, 10).contains("D24"));
        // The ids last, for machines.
        assert_eq!(text(&range, 1, 12), "balance");
        assert!(text(&range, 1, 13).starts_with("t3.new.natural_person, "));
        let lastcol = range.end().map_or(0, |(_, c)| c);
        assert_eq!(lastcol, 13);
    }
}

#[test]
fn units_left_out_of_the_total_are_given_the_reason_that_applied() {
    for (lang, want, wrong) in [
        (
            Lang::Zh,
            [
                "U03 枫泾镇（未报送）",
                "U04 张堰镇（值无法读取）",
                "U05 区教育局（重复报送）",
            ],
            "有错误",
        ),
        (
            Lang::En,
            [
                "U03 枫泾镇 (missing)",
                "U04 张堰镇 (a value could not be read)",
                "U05 区教育局 (duplicate)",
            ],
            "errors",
        ),
    ] {
        let opts = WriteOptions {
            lang,
            ..WriteOptions::default()
        };
        let (_, mut book) = open(&opts, 8);
        let range = book.worksheet_range(SHEET_UNITS).expect("sheet");
        let note = (0..range.height() as u32 + 1)
            .map(|r| text(&range, r, 0))
            .find(|t| t.starts_with("合计不含") || t.starts_with("Total excludes"))
            .expect("the note");
        for w in want {
            assert!(note.contains(w), "{note} / {w}");
        }
        assert!(!note.contains(wrong), "{note}");
    }
}

fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name(name)
        .expect("the part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[test]
fn units_sheet_prints_at_full_size_with_headers_and_units_on_every_page() {
    let bytes = workbook_bytes(&district(1), &WriteOptions::default()).expect("workbook");
    // 分单位明细 is the second sheet: 200 columns cannot fit one page wide at a readable size,
    // so it prints at full size with the header rows and the unit's code and name repeated, and
    // says in the sheet that it is a data sheet.
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(
        !sheet.contains("fitToPage=\"1\""),
        "not shrunk to one page wide"
    );
    assert!(
        sheet.contains("本表为数据明细表"),
        "the sheet says what it is"
    );
    let setup = sheet
        .split("<pageSetup ")
        .nth(1)
        .and_then(|s| s.split("/>").next())
        .expect("a page setup");
    assert!(setup.contains("orientation=\"landscape\""), "{setup}");
    assert!(setup.contains("paperSize=\"9\""), "{setup}");
    let workbook = part(&bytes, "xl/workbook.xml");
    let titles = workbook
        .split("<definedName ")
        .find(|d| d.contains("_xlnm.Print_Titles") && d.contains("localSheetId=\"1\""))
        .unwrap_or_else(|| panic!("no print titles on 分单位明细: {workbook}"));
    assert!(
        titles.contains("$A:$B") && titles.contains("$1:$3"),
        "{titles}"
    );
    // The other sheets print landscape on A4, one page wide.
    for n in [1, 3, 4] {
        let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(sheet.contains("orientation=\"landscape\""), "sheet {n}");
        assert!(sheet.contains("fitToPage=\"1\""), "sheet {n}");
    }
    // 全区汇总's tables 三 and 四 each start a page: a break's id is the (0-based) row it comes
    // before, the heading's.
    let summary = part(&bytes, "xl/worksheets/sheet1.xml");
    let breaks = summary
        .split("<rowBreaks ")
        .nth(1)
        .and_then(|s| s.split("</rowBreaks>").next())
        .expect("page breaks");
    let range = Xlsx::new(Cursor::new(bytes))
        .expect("calamine opens it")
        .worksheet_range(SHEET_SUMMARY)
        .expect("sheet");
    for h in ["三、收到和处理", "四、政府信息公开行政复议"] {
        let r = (0..range.height() as u32)
            .find(|&r| text(&range, r, 0).starts_with(h))
            .expect("a heading");
        assert!(
            breaks.contains(&format!("<brk id=\"{r}\"")),
            "{r}: {breaks}"
        );
    }
}

#[test]
fn filing_sheet_summarises_units_and_files() {
    let (report, mut book) = open(&WriteOptions::default(), 6);
    let range = book.worksheet_range(SHEET_FILING).expect("sheet");
    let summary = text(&range, 0, 0);
    assert_eq!(
        summary,
        "应报 6：计入汇总 3，未计入 2（U04 张堰镇（值无法读取）、U05 区教育局（重复报送）），未报 1（U03 枫泾镇）"
    );
    for (i, u) in report.units.iter().enumerate() {
        let r = 3 + i as u32;
        assert_eq!(text(&range, r, 0), u.unit);
        assert_eq!(text(&range, r, 4), u.status.label(Lang::Zh));
        assert_eq!(number(&range, r, 5), Some(u.errors as f64));
        assert_eq!(number(&range, r, 7), Some(u.blanks as f64));
    }
    let file_rows: Vec<u32> = (0..range.height() as u32 + 1)
        .filter(|&r| report.files.iter().any(|f| f.file == text(&range, r, 0)))
        .collect();
    assert_eq!(file_rows.len(), report.files.len());
    let last = *file_rows.last().expect("rows");
    assert_eq!(text(&range, last, 2), "无法读取");
    assert_eq!(text(&range, last, 4), "这是 Word 文档");
}

#[test]
fn english_headers_when_asked() {
    let opts = WriteOptions {
        lang: Lang::En,
        ..WriteOptions::default()
    };
    let (_, mut book) = open(&opts, 7);
    let units = book.worksheet_range(SHEET_UNITS).expect("sheet");
    assert_eq!(text(&units, 0, 0), "Unit code");
    let checks = book.worksheet_range(SHEET_CHECKS).expect("sheet");
    assert_eq!(text(&checks, 0, 10), "Message");
    assert_eq!(text(&checks, 1, 10), "\"约10\" is not a number");
    assert_eq!(text(&checks, 1, 2), "not a number");
    assert_eq!(text(&checks, 0, 11), "Explanation");
    assert_eq!(text(&checks, 0, 12), "Rule id");
    let filing = book.worksheet_range(SHEET_FILING).expect("sheet");
    assert!(text(&filing, 0, 0).starts_with("Expected 6: in the totals 3, left out 2"));
    // The summary sheet keeps the official Chinese labels.
    let summary = book.worksheet_range(SHEET_SUMMARY).expect("sheet");
    assert!(
        summary
            .used_cells()
            .any(|(_, _, d)| d == &Data::String("行政复议".into()))
    );
}

#[test]
fn lists_of_thousands_of_units_fit_their_cells() {
    // A province's first run: 3,000 units new, 3,000 not filed by a passed deadline. Joined,
    // each list is longer than Excel's 32,767 characters a cell; the workbook is still built,
    // each list naming the first units and how many there are.
    let mut report = crate::common::totals_report(crate::common::varied_totals(7));
    let codes: Vec<String> = (0..3000)
        .map(|i| format!("S{i:05}省直属单位信息公开办公室"))
        .collect();
    report.coverage.missing = codes.clone();
    let changes = nianbao_format::Changes {
        new_units: codes.clone(),
        ..Default::default()
    };
    let opts = WriteOptions {
        changes: Some(changes),
        deadline: Some(("2023-01-31".into(), true)),
        ..Default::default()
    };
    let bytes = workbook_bytes(&report, &opts).expect("the workbook is built");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    let changes = book
        .worksheet_range(nianbao_write::SHEET_CHANGES)
        .expect("变化");
    let listed = changes
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) if s.starts_with("S00000省") => Some(s.clone()),
            _ => None,
        })
        .next()
        .expect("the new units are listed");
    assert!(listed.ends_with("等 3000 个"), "{listed}");
    assert!(listed.encode_utf16().count() <= 32_767);
    let filing = book.worksheet_range(SHEET_FILING).expect("报送情况");
    let deadline = text(&filing, 1, 0);
    assert!(deadline.contains("办公室、S00001"), "{deadline}");
    assert!(deadline.ends_with("等 3000 个"));
    let summary = text(&filing, 0, 0);
    assert!(summary.contains("未报 3000（S00000"), "{summary}");
    assert!(summary.ends_with("等 3000 个）"), "{summary}");
}

/// Deflated parts kept in memory, counting what was asked and what was kept.
#[derive(Debug, Default)]
struct Kept {
    parts: std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
    hits: std::sync::atomic::AtomicUsize,
    puts: std::sync::atomic::AtomicUsize,
}

impl nianbao_write::DeflateMemo for Kept {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let found = self.parts.lock().expect("not poisoned").get(key).cloned();
        if found.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        found
    }

    fn put(&self, key: &str, deflated: &[u8]) {
        self.puts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.parts
            .lock()
            .expect("not poisoned")
            .insert(key.to_string(), deflated.to_vec());
    }
}

#[test]
fn kept_parts_give_the_same_workbook_and_only_changed_parts_are_deflated() {
    use std::sync::atomic::Ordering::Relaxed;
    // 600 units: three parts of rows in 分单位明细, one of 校验结果's, three of 报送情况's units,
    // then its files' rows and their merged cells, a part each: nine.
    let mut report = district(4);
    let model = report.units.clone();
    report.units = (0..600)
        .map(|i| {
            let mut u = model[i % model.len()].clone();
            u.unit = format!("X{i:03}");
            u
        })
        .collect();
    let plain = workbook_bytes(&report, &WriteOptions::default()).expect("workbook");
    let kept = std::sync::Arc::new(Kept::default());
    let opts = WriteOptions {
        memo: Some(kept.clone()),
        ..WriteOptions::default()
    };
    let counts = |k: &Kept| (k.hits.load(Relaxed), k.puts.load(Relaxed));
    assert_eq!(workbook_bytes(&report, &opts).expect("workbook"), plain);
    assert_eq!(counts(&kept), (0, 9));
    assert_eq!(workbook_bytes(&report, &opts).expect("workbook"), plain);
    assert_eq!(counts(&kept), (9, 9));
    // One unit of the second part changes (its name no wider than the widest): the second
    // part of each sheet alone is deflated again.
    let u = &mut report.units[300];
    u.name.push_str("（更正）");
    let changed = workbook_bytes(&report, &WriteOptions::default()).expect("workbook");
    assert_ne!(changed, plain);
    assert_eq!(workbook_bytes(&report, &opts).expect("workbook"), changed);
    assert_eq!(counts(&kept), (16, 11));
}
