//! The annotated return (退回修改): marks and notes on the right cells, read back through
//! `nianbao-read` for where each field's cell is, and the unit's values read back unchanged.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, StyleRange, Xlsx};
use nianbao_format::{
    CellRef, FEES_AMOUNT, FIELD_COUNT, Kind, Lang, Msg, Reading, Severity, Suspect, UnitEntry,
    UnitStatus, Violation, fields, t2_index, t3_index, t4_index,
};
use nianbao_write::{
    SHEET_PROBLEMS, SHEET_RETURN, WriteError, WriteOptions, annotated_file_name, annotated_return,
};

const NAME: &str = "区教育局";

const LIGHT_RED: u32 = 0xFFC7CE;
const STRONG_RED: u32 = 0xFF0000;
const ORANGE: u32 = 0xFFC000;

/// Fields the violations below concern.
const A: usize = 10 + 5 * 7 + 2; // t3 row 5, column 2: top suspect of rule 1
fn b() -> usize {
    FEES_AMOUNT // second suspect of rule 1, in its fields
}
fn c() -> usize {
    t3_index(4, 2) // in rule 1's fields only
}
fn d() -> usize {
    t2_index(0, 1) // tied suspect of rule 2, a merged cell of table 二
}
fn e() -> usize {
    t2_index(1, 1) // tied suspect of rule 2
}
fn f() -> usize {
    t2_index(2, 2) // in rule 2's fields only
}
fn g() -> usize {
    t3_index(23, 6) // the one field of a warning without suspects
}
fn h() -> usize {
    t4_index(0, 0) // the one field of an info: not marked
}
fn u() -> usize {
    t4_index(1, 4) // unreadable
}

/// 200 distinct values (a misplaced cell cannot read back right), every 11th left blank, and a
/// blank total the rules filled in.
fn readings() -> Vec<Reading> {
    let mut out: Vec<Reading> = fields()
        .iter()
        .map(|fd| {
            let i = fd.index;
            let cell = Some(CellRef {
                sheet: "表".into(),
                row: i as u32,
                col: 3,
            });
            if i % 11 == 5 {
                return Reading {
                    value: Some(0),
                    blank: true,
                    cell,
                    raw: String::new(),
                };
            }
            let v = match fd.kind {
                Kind::Count => 100 + 3 * i as i64,
                Kind::Amount => 1_234_567,
            };
            Reading {
                value: Some(v),
                blank: false,
                cell,
                raw: v.to_string(),
            }
        })
        .collect();
    out[t3_index(0, 6)] = Reading {
        value: Some(42),
        blank: true,
        cell: None,
        raw: String::new(),
    };
    out
}

fn unit(readings: Vec<Reading>) -> UnitEntry {
    UnitEntry {
        unit: "U05".into(),
        name: NAME.into(),
        kind: Some("department".into()),
        files: vec!["教育局.xlsx".into()],
        status: UnitStatus::Errors,
        readings: Some(readings),
        values: None,
        in_totals: true,
        errors: 3,
        warnings: 1,
        blanks: 0,
        note: None,
    }
}

fn id(i: usize) -> String {
    fields()[i].id.clone()
}

fn suspect(i: usize, value: i64, suggested: i64) -> Suspect {
    Suspect {
        cell: None,
        field: id(i),
        value,
        suggested,
    }
}

fn violation(
    rule: &str,
    severity: Severity,
    fields: Vec<String>,
    message: (&str, &str),
) -> Violation {
    Violation {
        rule: rule.into(),
        severity,
        fields: fields
            .iter()
            .map(|f| nianbao_format::FieldRef::parse(f).expect("a field id"))
            .collect(),
        message: Msg::new(message.0, message.1),
        ..Default::default()
    }
}

/// A unit with an unreadable value and five violations: a rule with a top suspect, one with
/// tied suspects, a one-cell warning, a note (info) and the read problem.
fn case() -> (UnitEntry, Vec<Violation>) {
    let mut rs = readings();
    rs[u()] = Reading {
        value: None,
        blank: false,
        cell: None,
        raw: "约10".into(),
    };
    let mut v1 = violation(
        "t3.col_total",
        Severity::Error,
        vec![id(A), id(b()), id(c()), format!("prior.{}", id(c()))],
        ("规则一不成立", "rule one fails"),
    );
    v1.suspects = vec![suspect(A, 115, 77), suspect(b(), 1234567, 100)];
    let mut v2 = violation(
        "t2.in_force",
        Severity::Error,
        vec![id(d()), id(e()), id(f())],
        ("规则二不成立", "rule two fails"),
    );
    v2.suspects = vec![suspect(d(), 103, 5), suspect(e(), 112, 6)];
    v2.suspects_tied = true;
    let v3 = violation(
        "total.blank",
        Severity::Warning,
        vec![id(g())],
        ("总计栏空白", "total left blank"),
    );
    let v4 = violation(
        "some.info",
        Severity::Info,
        vec![id(h())],
        ("仅供参考", "for information"),
    );
    let v5 = violation(
        "value.not_a_number",
        Severity::Error,
        vec![id(u())],
        ("“约10”不是数字", "\"约10\" is not a number"),
    );
    (unit(rs), vec![v1, v2, v3, v4, v5])
}

fn opts(lang: Lang) -> WriteOptions {
    WriteOptions {
        lang,
        year: Some(2022),
        ..WriteOptions::default()
    }
}

fn read_back(bytes: &[u8]) -> nianbao_read::Return {
    nianbao_read::read_bytes(bytes, "退回.xlsx").expect("the annotated return reads as a return")
}

/// Where each field's value is in sheet 1, as `nianbao-read` finds it.
pub fn positions(bytes: &[u8]) -> Vec<(u32, u32)> {
    read_back(bytes)
        .readings
        .iter()
        .zip(fields())
        .map(|(r, fd)| {
            let c = r
                .cell
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no cell", fd.id));
            assert_eq!(&*c.sheet, SHEET_RETURN, "{}", fd.id);
            (c.row, c.col)
        })
        .collect()
}

pub fn a1((r, c): (u32, u32)) -> String {
    format!("{}{}", nianbao_format::column_name(c), r + 1)
}

fn fill(styles: &StyleRange, at: (u32, u32)) -> Option<u32> {
    let style = styles.get(at)?;
    let fill = style.fill.as_ref().filter(|f| f.is_visible())?;
    fill.get_color().map(|c| c.to_argb() & 0xFF_FFFF)
}

fn bold(styles: &StyleRange, at: (u32, u32)) -> bool {
    styles
        .get(at)
        .and_then(|s| s.font.as_ref())
        .is_some_and(|f| f.is_bold())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The notes of the workbook's first sheet with notes: cell → text (xl/comments1.xml); empty
/// when there is no such part.
pub fn notes(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let Ok(mut part) = zip.by_name("xl/comments1.xml") else {
        return BTreeMap::new();
    };
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("utf-8 xml");
    let mut out = BTreeMap::new();
    for chunk in xml.split("<comment ref=\"").skip(1) {
        let (cell, rest) = chunk.split_once('"').expect("a ref");
        let body = rest.split("</comment>").next().unwrap_or("");
        let text: String = body
            .split("<t")
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(_, after)| after))
            .map(|t| unescape(t.split("</t>").next().unwrap_or("")))
            .collect();
        out.insert(cell.to_string(), text);
    }
    out
}

fn has_part(bytes: &[u8], name: &str) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .expect("a zip")
        .by_name(name)
        .is_ok()
}

pub fn book(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens it")
}

pub fn text(range: &Range<Data>, r: u32, c: u32) -> String {
    match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[test]
fn marks_land_on_the_cells_of_the_failed_rules() {
    let (unit, violations) = case();
    let bytes = annotated_return(&unit, &violations, &opts(Lang::Zh)).expect("workbook");
    let pos = positions(&bytes);
    let mut wb = book(&bytes);
    assert_eq!(wb.sheet_names(), [SHEET_RETURN, SHEET_PROBLEMS]);
    let styles = wb.worksheet_style(SHEET_RETURN).expect("styles");
    let expected = |i: usize| -> Option<u32> {
        if i == A || i == u() {
            Some(STRONG_RED)
        } else if i == d() || i == e() {
            Some(ORANGE)
        } else if [b(), c(), f(), g()].contains(&i) {
            Some(LIGHT_RED)
        } else {
            None
        }
    };
    for fd in fields() {
        assert_eq!(
            fill(&styles, pos[fd.index]),
            expected(fd.index),
            "{} at {}",
            fd.id,
            a1(pos[fd.index])
        );
    }
    assert!(bold(&styles, pos[A]));
    assert!(bold(&styles, pos[d()]) && bold(&styles, pos[e()]));
    assert!(!bold(&styles, pos[c()]));
    assert!(!bold(&styles, pos[h()]));

    // The unreadable value shows what the unit typed.
    let range = wb.worksheet_range(SHEET_RETURN).expect("sheet");
    assert_eq!(text(&range, pos[u()].0, pos[u()].1), "约10");
}

#[test]
fn notes_name_the_rule_and_the_suggested_value() {
    let (unit, violations) = case();
    let bytes = annotated_return(&unit, &violations, &opts(Lang::Zh)).expect("workbook");
    let pos = positions(&bytes);
    let notes = notes(&bytes);
    let at = |i: usize| {
        notes
            .get(&a1(pos[i]))
            .unwrap_or_else(|| panic!("no note on {} ({})", a1(pos[i]), id(i)))
    };
    let cells: Vec<String> = notes.keys().cloned().collect();
    let mut want: Vec<String> = [A, d(), e(), g(), u()]
        .iter()
        .map(|&i| a1(pos[i]))
        .collect();
    want.sort();
    assert_eq!(cells, want, "notes on exactly these cells");

    let top = at(A);
    assert!(top.contains("规则一不成立"), "{top}");
    assert!(top.contains("建议值：77"), "{top}");
    assert!(top.contains("错误"), "{top}");
    for (i, value) in [(d(), "5"), (e(), "6")] {
        let n = at(i);
        assert!(n.contains("规则二不成立"), "{n}");
        assert!(n.contains("可能性相同"), "{n}");
        assert!(n.contains(&format!("建议值：{value}")), "{n}");
    }
    assert!(at(g()).contains("总计栏空白"));
    assert!(at(u()).contains("“约10”不是数字"));
    assert!(!at(u()).contains("建议值"));
}

#[test]
fn notes_in_english_when_asked() {
    let (unit, violations) = case();
    let bytes = annotated_return(&unit, &violations, &opts(Lang::En)).expect("workbook");
    let pos = positions(&bytes);
    let notes = notes(&bytes);
    let top = &notes[&a1(pos[A])];
    assert!(top.contains("rule one fails"), "{top}");
    assert!(top.contains("Suggested value: 77"), "{top}");
    assert!(!top.contains("规则一"), "{top}");
    assert!(notes[&a1(pos[d()])].contains("equally likely"));
    // The official layout and the sheet names stay Chinese.
    let mut wb = book(&bytes);
    assert_eq!(wb.sheet_names(), [SHEET_RETURN, SHEET_PROBLEMS]);
    let range = wb.worksheet_range(SHEET_RETURN).expect("sheet");
    assert!(
        range
            .used_cells()
            .any(|(_, _, v)| v == &Data::String("行政复议".into()))
    );
}

#[test]
fn the_corrected_file_reads_back_as_the_same_return() {
    let (mut unit, violations) = case();
    let mut rs = readings();
    for lang in [Lang::Zh, Lang::En] {
        unit.readings = Some(rs.clone());
        let bytes = annotated_return(&unit, &violations, &opts(lang)).expect("workbook");
        let back = read_back(&bytes);
        assert!(
            back.problems.is_empty(),
            "reading back found problems: {:#?}",
            back.problems
        );
        assert_eq!(back.year, Some(2022));
        assert_eq!(back.unit_name.as_deref(), Some(NAME));
        assert_eq!(back.readings.len(), FIELD_COUNT);
        for fd in fields() {
            let (want, got) = (&rs[fd.index], &back.readings[fd.index]);
            assert_eq!(got.value, want.value, "{}", fd.id);
            // A blank cell stays blank; a filled-in blank total is written out.
            assert_eq!(got.blank, want.blank && want.value == Some(0), "{}", fd.id);
        }
    }
    // The amount with hundredths, and a year-less title.
    rs[FEES_AMOUNT].value = Some(5);
    unit.readings = Some(rs.clone());
    let o = WriteOptions {
        year: None,
        ..opts(Lang::Zh)
    };
    let back = read_back(&annotated_return(&unit, &[], &o).expect("workbook"));
    assert_eq!(back.readings[FEES_AMOUNT].value, Some(5));
    assert_eq!(back.year, None);
}

#[test]
fn an_unreadable_value_stays_unreadable_and_the_rest_reads_back() {
    let (unit, violations) = case();
    let bytes = annotated_return(&unit, &violations, &opts(Lang::Zh)).expect("workbook");
    let back = read_back(&bytes);
    let want = unit.readings.as_ref().expect("readings");
    for fd in fields() {
        assert_eq!(
            back.readings[fd.index].value, want[fd.index].value,
            "{}",
            fd.id
        );
    }
    assert_eq!(back.readings[u()].raw, "约10");
    assert_eq!(back.problems.len(), 1, "{:#?}", back.problems);
    assert!(back.problems[0].rule.starts_with("value."));
    assert_eq!(back.problems[0].fields[0].id(), id(u()));
    assert_eq!(back.problems[0].fields.len(), 1);
}

#[test]
fn no_violations_no_marks_and_no_notes() {
    let info = violation(
        "some.info",
        Severity::Info,
        vec![id(h())],
        ("仅供参考", "for information"),
    );
    for violations in [vec![], vec![info]] {
        let u = unit(readings());
        let bytes = annotated_return(&u, &violations, &opts(Lang::Zh)).expect("workbook");
        assert!(!has_part(&bytes, "xl/comments1.xml"), "no notes");
        assert!(notes(&bytes).is_empty());
        let mut wb = book(&bytes);
        let styles = wb.worksheet_style(SHEET_RETURN).expect("styles");
        for (r, c, style) in styles.cells() {
            let color = style
                .fill
                .as_ref()
                .filter(|f| f.is_visible())
                .and_then(|f| f.get_color())
                .map(|c| c.to_argb() & 0xFF_FFFF);
            assert!(
                !matches!(color, Some(LIGHT_RED | STRONG_RED | ORANGE)),
                "{} is marked",
                a1((r, c))
            );
        }
        let list = wb.worksheet_range(SHEET_PROBLEMS).expect("sheet");
        assert_eq!(text(&list, 2, 0), "未发现需要修改的问题");
        assert_eq!(text(&list, 3, 0), "");
    }
}

#[test]
fn the_problem_list_has_one_row_per_error_and_warning() {
    let (unit, violations) = case();
    let bytes = annotated_return(&unit, &violations, &opts(Lang::Zh)).expect("workbook");
    let pos = positions(&bytes);
    let mut wb = book(&bytes);
    let range = wb.worksheet_range(SHEET_PROBLEMS).expect("sheet");
    let ret = wb.worksheet_range(SHEET_RETURN).expect("sheet");

    assert!(text(&range, 0, 0).contains(NAME));
    assert_eq!(text(&range, 1, 2), "本表单元格");
    // Errors first, then warnings; the info left out.
    // The messages of rules the rule set does not know stand as they are (they name no cell);
    // the blank total is worded again with its cell in this file.
    let messages: Vec<String> = (2..7).map(|r| text(&range, r, 3)).collect();
    assert_eq!(
        messages[..3],
        ["规则一不成立", "规则二不成立", "“约10”不是数字"]
    );
    assert!(
        messages[3].starts_with(&format!("{}（", a1(pos[g()])))
            && messages[3].contains("总计栏空白"),
        "{}",
        messages[3]
    );
    assert_eq!(messages[4], "");
    let severities: Vec<String> = (2..6).map(|r| text(&range, r, 1)).collect();
    assert_eq!(severities, ["错误", "错误", "错误", "警告"]);

    // Rule 1: its top suspect first, its other cells after, not last year's.
    assert_eq!(
        text(&range, 2, 2),
        [A, b(), c()].map(|i| a1(pos[i])).join("、")
    );
    assert_eq!(
        text(&range, 2, 4),
        format!("将 {} 由 115 改为 77", a1(pos[A]))
    );
    let tied = text(&range, 3, 4);
    assert!(tied.contains("可能性相同"), "{tied}");
    assert!(tied.contains(&format!("将 {} 由 103 改为 5", a1(pos[d()]))));
    assert!(tied.contains(&format!("将 {} 由 112 改为 6", a1(pos[e()]))));
    assert_eq!(text(&range, 4, 2), a1(pos[u()]));
    assert_eq!(text(&range, 5, 2), a1(pos[g()]));

    // Sheet 1: title, unit, and the count of problems.
    assert_eq!(
        text(&ret, 0, 0),
        "区教育局2022年政府信息公开工作年度报告统计表（退回修改）"
    );
    assert_eq!(text(&ret, 1, 0), "填报单位：区教育局");
    assert!(
        text(&ret, 2, 0).contains("4 个问题"),
        "{}",
        text(&ret, 2, 0)
    );
}

#[test]
fn an_explained_warning_is_not_sent_back() {
    let (unit, mut violations) = case();
    violations[2].waived = Some(nianbao_format::Waived {
        reason: "已核实".into(),
        expires: None,
    });
    let bytes = annotated_return(&unit, &violations, &opts(Lang::Zh)).expect("workbook");
    let mut wb = book(&bytes);
    let range = wb.worksheet_range(SHEET_PROBLEMS).expect("sheet");
    let ret = wb.worksheet_range(SHEET_RETURN).expect("sheet");
    let severities: Vec<String> = (2..6).map(|r| text(&range, r, 1)).collect();
    assert_eq!(severities, ["错误", "错误", "错误", ""]);
    assert!(
        text(&ret, 2, 0).contains("3 个问题"),
        "{}",
        text(&ret, 2, 0)
    );
}

#[test]
fn a_unit_without_values_is_an_error() {
    let mut u = unit(readings());
    u.readings = None;
    assert!(matches!(
        annotated_return(&u, &[], &opts(Lang::Zh)),
        Err(WriteError::NoReadings { .. })
    ));
    u.readings = Some(vec![Reading::default(); 3]);
    assert!(matches!(
        annotated_return(&u, &[], &opts(Lang::Zh)),
        Err(WriteError::Readings { found: 3, .. })
    ));
}

#[test]
fn file_names_are_safe() {
    let mut u = unit(readings());
    assert_eq!(annotated_file_name(&u), "U05_区教育局_退回修改.xlsx");
    u.unit = "区/教育局".into();
    u.name = "区/教育局".into();
    assert_eq!(annotated_file_name(&u), "区_教育局_退回修改.xlsx");
}
