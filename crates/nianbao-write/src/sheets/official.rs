//! Renders a [`Plan`] of the official layout (tables 二, 三 and 四 exactly as the annual report
//! prints them, with the official labels, see [`crate::plan`]) onto a worksheet: the texts in the
//! crate's [`Styles`], the 200 values each optionally marked (a fill) and annotated (a note).
//! `全区汇总` renders the district totals with it, plain; the annotated return renders one unit's
//! values with the cells the rules found wrong marked. Either sheet is a return in its own right:
//! `nianbao-read` finds its tables by their labels and reads the same values back.

use nianbao_format::{FIELD_COUNT, Kind, fields};
use rust_xlsxwriter::{ColNum, Format, Note, RowNum, Worksheet, XlsxError};

use super::cell_number;
use crate::layout::{Print, Sheet, lines_needed};
use crate::plan::{self, Content, GRID_COL_WIDTH, Item, MIN_ROW_HEIGHT, Plan, Role};
use crate::style::{FONT, FONT_SIZE, HEADING_SIZE, Mark, Styles, TITLE_SIZE, marked};

/// Size of a cell note: its font, and its width in pixels and in column-width units.
const NOTE_FONT_SIZE: f64 = 10.0;
const NOTE_WIDTH_PX: u32 = 300;
const NOTE_WIDTH_UNITS: f64 = 40.0;

/// What a value cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    /// A value in the field's unit (hundredths for the amount).
    Value(i64),
    /// Nothing: the unit left the cell blank.
    Blank,
    /// Text that is not a value (an unreadable cell), shown as the unit typed it, in red.
    Raw(&'a str),
}

/// How a value cell is marked: a fill, and notes (joined into one cell note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoration {
    pub mark: Option<Mark>,
    pub notes: Vec<String>,
}

/// The 200 value cells to lay out, by field index, and their decorations (one per field, or
/// none at all).
pub struct Cells<'a> {
    pub shown: &'a [Shown<'a>],
    pub decorations: Option<&'a [Decoration]>,
    /// The value cells are for typing in (a template): unlocked in a protected sheet.
    pub input: bool,
}

/// Renders `plan` onto `ws`, the values from `cells`: the grid's column widths, every item in
/// the plan's order, row heights that fit the texts (never below the plan's hints), and the page
/// setup of a form, each table starting a printed page. Returns, per field, the (row, column)
/// of its value cell (the top-left one when merged): [`Plan::positions`].
pub fn render(
    ws: &mut Worksheet,
    plan: &Plan,
    cells: &Cells<'_>,
    st: &Styles,
) -> Result<Vec<(RowNum, ColNum)>, XlsxError> {
    debug_assert_eq!(cells.shown.len(), FIELD_COUNT);
    debug_assert!(cells.decorations.is_none_or(|d| d.len() == FIELD_COUNT));
    let cols = usize::from(plan.cols);
    let mut s = Sheet::new(ws, vec![GRID_COL_WIDTH; cols], GRID_COL_WIDTH)?;
    for item in &plan.items {
        write_item(&mut s, item, cells, st)?;
    }
    for &(r, h) in &plan.min_heights {
        s.min_height(r, h);
    }
    s.apply_heights(MIN_ROW_HEIGHT)?;
    page_setup(
        s.ws,
        plan.end.saturating_sub(1),
        plan.cols.saturating_sub(1),
    )?;
    if !plan.page_breaks.is_empty() {
        s.ws.set_page_breaks(&plan.page_breaks)?;
    }
    Ok(plan.positions())
}

/// Where the tables put each field's value cell (the top-left one when merged) when they start
/// on row `r0`, and the row after table 四: for texts that must name the cells before they are
/// written (the notes of the annotated return).
pub fn positions(r0: RowNum) -> (Vec<(RowNum, ColNum)>, RowNum) {
    let plan = plan::tables(r0);
    (plan.positions(), plan.end)
}

/// Prints rows 0..=last_row and columns 0..=last_col as a form: landscape A4, one page wide,
/// centred, no gridlines.
fn page_setup(ws: &mut Worksheet, last_row: RowNum, last_col: ColNum) -> Result<(), XlsxError> {
    Print {
        area: Some((last_row, last_col)),
        form: true,
        ..Print::default()
    }
    .apply(ws)
}

/// Writes one item of a plan.
fn write_item(
    s: &mut Sheet<'_>,
    item: &Item,
    cells: &Cells<'_>,
    st: &Styles,
) -> Result<(), XlsxError> {
    let (r1, c1) = item.last();
    let text = match &item.content {
        Content::Field(idx) => {
            debug_assert_eq!(item.rows, 1);
            return value(s, item.row, (item.col, c1), *idx, cells, st);
        }
        Content::Text(text) => text,
    };
    let owned;
    let (f, size): (&Format, f64) = match item.role {
        Role::Title => (&st.title, TITLE_SIZE),
        Role::Heading => (&st.heading, HEADING_SIZE),
        Role::Unit => (&st.note_bold, FONT_SIZE),
        Role::Note => (&st.note_wrap, FONT_SIZE),
        Role::Legend(m) => {
            owned = marked(&st.label, m);
            (&owned, FONT_SIZE)
        }
        Role::Block => (&st.block, FONT_SIZE),
        Role::Header => (&st.header, FONT_SIZE),
        Role::Label | Role::Value => (&st.label, FONT_SIZE),
    };
    s.text_sized(item.row, item.col, r1, c1, text, f, size)
}

/// The height in pixels a note needs to show `text` whole.
fn note_height(text: &str) -> u32 {
    let lines = lines_needed(text, NOTE_WIDTH_UNITS, NOTE_FONT_SIZE);
    (lines as f64 * 15.0 + 12.0).clamp(60.0, 600.0) as u32
}

/// A cell note with `text`, sized to show it whole, in the sheet's font.
pub fn note(text: &str) -> Note {
    Note::new(text)
        .add_author_prefix(false)
        .set_font_name(FONT)
        .set_font_size(NOTE_FONT_SIZE)
        .set_width(NOTE_WIDTH_PX)
        .set_height(note_height(text))
}

/// Writes field `idx` into the cells c0..=c1 of row r, with its mark and note.
fn value(
    s: &mut Sheet<'_>,
    r: RowNum,
    (c0, c1): (ColNum, ColNum),
    idx: usize,
    cells: &Cells<'_>,
    st: &Styles,
) -> Result<(), XlsxError> {
    let kind = fields()[idx].kind;
    let shown = cells.shown[idx];
    let deco = cells.decorations.and_then(|d| d.get(idx));
    let base: &Format = match (shown, kind) {
        (Shown::Raw(_), _) => &st.unreadable,
        (_, Kind::Count) => &st.count,
        (_, Kind::Amount) => &st.amount,
    };
    let mut f = match deco.and_then(|d| d.mark) {
        Some(m) => marked(base, m),
        None => base.clone(),
    };
    if cells.input {
        f = f.set_unlocked();
    }
    let f = &f;
    match shown {
        Shown::Value(v) => s.number(r, c0, c1, cell_number(kind, v), f)?,
        Shown::Blank => s.text(r, c0, r, c1, "", f)?,
        Shown::Raw(text) => s.text(r, c0, r, c1, text, f)?,
    }
    if let Some(d) = deco
        && !d.notes.is_empty()
    {
        s.ws.insert_note(r, c0, &note(&d.notes.join("\n\n")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_where_the_tables_put_the_values() {
        let shown = vec![Shown::Value(1); FIELD_COUNT];
        let cells = Cells {
            shown: &shown,
            decorations: None,
            input: false,
        };
        let st = Styles::new();
        for r0 in [0, 2, 5, 9] {
            let mut ws = Worksheet::new();
            let plan = plan::tables(r0);
            let pos = render(&mut ws, &plan, &cells, &st).expect("tables");
            assert_eq!(positions(r0), (pos, plan.end), "from row {r0}");
        }
    }

    /// The rendered sheet, read back by calamine, holds each field's value where the plan puts
    /// it, and no other number.
    #[test]
    fn the_rendered_sheet_has_each_value_where_the_plan_puts_it() {
        use calamine::{Data, Reader, Xlsx};
        use std::collections::BTreeSet;
        let values: Vec<i64> = (0..FIELD_COUNT).map(|i| 1000 + i as i64).collect();
        let shown: Vec<Shown<'_>> = values.iter().map(|&v| Shown::Value(v)).collect();
        let cells = Cells {
            shown: &shown,
            decorations: None,
            input: false,
        };
        for r0 in [2, 3, 5] {
            let mut plan = Plan::new();
            plan.line(0, "标题", Role::Title);
            plan.tables(r0);
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet().set_name("S").expect("name");
            let pos = render(ws, &plan, &cells, &Styles::new()).expect("render");
            assert_eq!(pos, plan.positions());
            let bytes = wb.save_to_buffer().expect("bytes");
            let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("calamine opens it");
            let range = book.worksheet_range("S").expect("sheet S");
            for (i, &(r, c)) in pos.iter().enumerate() {
                let want = cell_number(fields()[i].kind, values[i]);
                match range.get_value((r, u32::from(c))) {
                    Some(Data::Float(x)) => assert_eq!(*x, want, "field {i}"),
                    Some(Data::Int(x)) => assert_eq!(*x as f64, want, "field {i}"),
                    other => panic!("field {i} at ({r}, {c}): {other:?}"),
                }
            }
            let (top, left) = range.start().expect("not empty");
            let numbers: BTreeSet<(u32, u32)> = range
                .used_cells()
                .filter(|(_, _, d)| matches!(d, Data::Float(_) | Data::Int(_)))
                .map(|(r, c, _)| (top + r as u32, left + c as u32))
                .collect();
            let planned: BTreeSet<(u32, u32)> =
                pos.iter().map(|&(r, c)| (r, u32::from(c))).collect();
            assert_eq!(planned.len(), FIELD_COUNT, "a cell holds two fields");
            assert_eq!(numbers, planned, "from row {r0}");
        }
    }

    #[test]
    fn long_notes_get_taller() {
        let short = note_height("一二三");
        let long = note_height(&"一二三四五六七八九十".repeat(20));
        assert_eq!(short, 60);
        assert!(long > 2 * short, "{long}");
        assert!(note_height(&"字".repeat(10_000)) <= 600);
    }
}
