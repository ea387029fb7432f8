//! The annotated return re-lays a unit's values in the official layout, so its cells are not
//! where they were in the unit's file. Every address its notes and its 问题清单 quote must be a
//! cell of the annotated file itself, holding the value the text says it holds.

use std::collections::BTreeMap;

use calamine::{Data, Range, Reader};
use nianbao_format::{Lang, T3_COLS, field_index, fields, t3_index};
use nianbao_write::{SHEET_PROBLEMS, SHEET_RETURN, WriteOptions, annotated_return};

use crate::annotated::{a1, book, notes, positions, text};
use crate::sample::{Case, PRIOR_COLUMN, WRONG_CARRIED_OVER, WRONG_RESULT, WRONG_T4_TOTAL, case};

fn opts(lang: Lang) -> WriteOptions {
    WriteOptions {
        lang,
        year: Some(2022),
        ..WriteOptions::default()
    }
}

/// Every A1 address standing alone in `text` ("I26" in "新收 I26=266", not "t3" or "U05x"), with
/// the text after it.
fn addresses(text: &str) -> Vec<(String, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let standalone = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.');
        let letters = b[i..].iter().take_while(|c| c.is_ascii_uppercase()).count();
        let digits = b[i + letters..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = i + letters + digits;
        let bounded = b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        if standalone && (1..=3).contains(&letters) && (1..=5).contains(&digits) && bounded {
            out.push((text[i..end].to_string(), &text[end..]));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// "I26" → (25, 8).
fn cell_of(addr: &str) -> (u32, u32) {
    let letters: String = addr.chars().take_while(char::is_ascii_uppercase).collect();
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    let row: u32 = addr[letters.len()..].parse().expect("a row");
    (row - 1, col)
}

/// The number at the start of `s` ("266；最可能出错…" → 266).
fn leading_number(s: &str) -> Option<f64> {
    let n: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    n.parse().ok()
}

fn number_at(range: &Range<Data>, at: (u32, u32)) -> f64 {
    match range.get_value(at) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        Some(Data::Empty) | None => 0.0,
        Some(other) => panic!("{} holds {other:?}, not a number", a1(at)),
    }
}

/// The annotated file of the case in `lang`: its bytes, where each field is, sheet 1, and the
/// problem list.
struct Annotated {
    pos: Vec<(u32, u32)>,
    sheet: Range<Data>,
    problems: Range<Data>,
    notes: BTreeMap<String, String>,
}

fn annotate(c: &Case, lang: Lang) -> Annotated {
    let bytes = annotated_return(&c.unit, &c.violations, &opts(lang)).expect("workbook");
    let pos = positions(&bytes);
    let mut wb = book(&bytes);
    Annotated {
        pos,
        sheet: wb.worksheet_range(SHEET_RETURN).expect("sheet 1"),
        problems: wb.worksheet_range(SHEET_PROBLEMS).expect("problem list"),
        notes: notes(&bytes),
    }
}

/// The texts of the problem list: (row, column, text) of 本表单元格, 问题说明 and 建议修改.
fn listed(a: &Annotated) -> Vec<(u32, u32, String)> {
    let rows = a.problems.end().map_or(0, |(r, _)| r);
    (2..=rows)
        .flat_map(|r| (2..=4).map(move |c| (r, c)))
        .map(|(r, c)| (r, c, text(&a.problems, r, c)))
        .filter(|(_, _, t)| !t.is_empty())
        .collect()
}

/// Checks every address of `text`: a value cell of sheet 1, holding the value quoted after it
/// ("I26=266", "I26 由 266 改为 265"). Returns how many quoted values it compared.
fn check_text(a: &Annotated, place: &str, text: &str) -> usize {
    let mut compared = 0;
    for (addr, after) in addresses(text) {
        let at = cell_of(&addr);
        let field = a.pos.iter().position(|&p| p == at).unwrap_or_else(|| {
            panic!("{place}: {addr} is not a value cell of the annotated file: {text}")
        });
        let quoted = after
            .strip_prefix('=')
            .or_else(|| after.strip_prefix(" 由 "))
            .or_else(|| after.strip_prefix(" from "))
            .and_then(leading_number);
        if let Some(q) = quoted {
            let held = number_at(&a.sheet, at);
            assert!(
                (held - q).abs() < 1e-9,
                "{place}: the text says {addr}={q} ({}), the cell holds {held}: {text}",
                fields()[field].id
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn every_address_quoted_is_a_cell_of_the_annotated_file_with_the_value_quoted() {
    let c = case();
    // The unit's own file had the values elsewhere: its messages name other cells.
    let original = c.unit.readings.as_ref().expect("readings");
    for lang in [Lang::Zh, Lang::En] {
        let a = annotate(&c, lang);
        let moved = fields()
            .iter()
            .filter(|f| {
                original[f.index]
                    .cell
                    .as_ref()
                    .is_some_and(|o| (o.row, o.col) != a.pos[f.index])
            })
            .count();
        assert_eq!(moved, fields().len(), "every value is somewhere else now");

        let mut compared = 0;
        assert!(!a.notes.is_empty());
        for (cell, note) in &a.notes {
            compared += check_text(&a, &format!("note on {cell}"), note);
        }
        let texts = listed(&a);
        assert!(texts.len() >= 3 * 6, "{texts:#?}");
        for (r, col, t) in &texts {
            compared += check_text(&a, &format!("问题清单 row {} column {col}", r + 1), t);
        }
        assert!(compared >= 20, "only {compared} quoted values compared");
    }
}

#[test]
fn the_suspect_and_the_suggested_change_name_the_same_cell() {
    let c = case();
    let a = annotate(&c, Lang::Zh);
    let rows = a.problems.end().map_or(0, |(r, _)| r);
    let mut seen = Vec::new();
    for r in 2..=rows {
        let message = text(&a.problems, r, 3);
        let Some((_, said)) = message.split_once("最可能出错：") else {
            continue;
        };
        let (cell, rest) = said.split_once('，').expect("最可能出错：X，应为 Y");
        let value = rest
            .strip_prefix("应为 ")
            .and_then(|v| v.split(['；', '（']).next())
            .expect("应为 Y");
        let held = number_at(&a.sheet, cell_of(cell));
        // The change suggested beside it is to the same cell, from what it holds to that value;
        // the cells column names it first.
        assert_eq!(
            text(&a.problems, r, 4),
            format!("将 {cell} 由 {held} 改为 {value}"),
            "row {}: {message}",
            r + 1
        );
        assert!(
            text(&a.problems, r, 2).starts_with(cell),
            "row {}: {}",
            r + 1,
            text(&a.problems, r, 2)
        );
        // The note on that cell says the same.
        let note = a
            .notes
            .get(cell)
            .unwrap_or_else(|| panic!("no note on {cell}"));
        assert!(
            note.contains(&format!("最可能出错：{cell}，应为 {value}")),
            "{note}"
        );
        seen.push(cell.to_string());
    }
    assert!(seen.len() >= 4, "{seen:?}");
    // The planted errors are the suspects.
    let at = |id: &str| a1(a.pos[field_index(id).expect("a field")]);
    for id in [WRONG_CARRIED_OVER, WRONG_RESULT, WRONG_T4_TOTAL] {
        assert!(seen.contains(&at(id)), "{id} at {}: {seen:?}", at(id));
    }
}

#[test]
fn last_years_values_are_named_without_a_cell_of_this_file() {
    let c = case();
    let column = T3_COLS
        .iter()
        .position(|x| x.0 == PRIOR_COLUMN)
        .expect("a column");
    let prior = c.prior[t3_index(24, column)].expect("last year's value");
    let carried_over = t3_index(1, column);
    for (lang, said) in [
        (Lang::Zh, format!("上年报表 结转下年度={prior} ≠ 上年结转 ")),
        (
            Lang::En,
            format!("last year's carried_forward={prior} ≠ carried_over "),
        ),
    ] {
        let a = annotate(&c, lang);
        let texts = listed(&a);
        let (_, _, t) = texts
            .iter()
            .find(|(_, col, t)| *col == 3 && t.contains(&said))
            .unwrap_or_else(|| panic!("no text says {said}: {texts:#?}"));
        let this_year = format!("{said}{}=", a1(a.pos[carried_over]));
        assert!(t.contains(&this_year), "{t}");
        // 现行有效件数 across years: last year's value first, without an address.
        let in_force = texts.iter().any(|(_, col, t)| {
            *col == 3
                && t.contains(match lang {
                    Lang::Zh => "上年报表 现行有效件数=",
                    Lang::En => "last year's in_force=",
                })
        });
        assert!(in_force, "{texts:#?}");
    }
}

#[test]
fn the_cells_column_of_the_problem_list_wraps() {
    let c = case();
    let bytes = annotated_return(&c.unit, &c.violations, &opts(Lang::Zh)).expect("workbook");
    let mut wb = book(&bytes);
    let styles = wb.worksheet_style(SHEET_PROBLEMS).expect("styles");
    let range = wb.worksheet_range(SHEET_PROBLEMS).expect("sheet");
    let rows = range.end().map_or(0, |(r, _)| r);
    let mut longest = 0;
    for r in 2..=rows {
        let cells = text(&range, r, 2);
        longest = longest.max(cells.chars().count());
        let wraps = styles
            .get((r, 2))
            .and_then(|s| s.alignment.as_ref())
            .is_some_and(|a| a.wrap_text);
        assert!(wraps, "row {}: {cells}", r + 1);
    }
    assert!(longest > 40, "a long list of cells: {longest}");
    // LibreOffice does not wrap the text of a cell hyperlink (<hyperlink ref=…> in the sheet), so
    // a long list was cut off: the link is a HYPERLINK formula showing the same text.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).expect("a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip
            .by_name("xl/worksheets/sheet2.xml")
            .expect("the problem list"),
        &mut xml,
    )
    .expect("utf-8");
    assert!(!xml.contains("<hyperlink "), "cell hyperlinks in 问题清单");
    let formulas = wb.worksheet_formula(SHEET_PROBLEMS).expect("formulas");
    for r in 2..=rows {
        let f = formulas.get_value((r, 2)).cloned().unwrap_or_default();
        let cells = text(&range, r, 2);
        let first = cells.split('、').next().unwrap_or_default();
        assert_eq!(
            f,
            format!("HYPERLINK(\"#'{SHEET_RETURN}'!{first}\",\"{cells}\")"),
            "row {}",
            r + 1
        );
    }
}
