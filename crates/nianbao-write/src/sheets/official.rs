//! Tables 二, 三 and 四 in the official layout, exactly as the annual report prints them, with
//! the official labels: written from 200 values, each cell optionally marked (a fill) and
//! annotated (a note). `全区汇总` writes the district totals with it, plain; the annotated return
//! writes one unit's values with the cells the rules found wrong marked. Either sheet is a return
//! in its own right: `nianbao-read` finds its tables by their labels and reads the same values
//! back.
//!
//! All three tables share one grid of 15 equal columns (A–O):
//!
//! - table 二: 信息内容 over A–F; three value columns G–I, J–L, M–O, or one over G–O;
//! - table 三: label column 1 in A, label column 2 in B–C, label column 3 in D–H, the seven
//!   value columns in I–O;
//! - table 四: the fifteen values in A–O.

use nianbao_format::{
    FIELD_COUNT, Kind, T2_ROWS, T3_COLS, T3_ROWS, T4_GROUPS, T4_RESULTS, Table, fields, t2_index,
    t3_index, t4_index,
};
use rust_xlsxwriter::{ColNum, Format, Note, RowNum, Worksheet, XlsxError};

use super::cell_number;
use crate::layout::{Print, Sheet, col, lines_needed, row};
use crate::style::{FONT, HEADING_SIZE, Mark, Styles, marked};

/// Columns of the grid, and the last one.
const NCOLS: usize = 15;
pub const LAST: ColNum = 14;
const COL_WIDTH: f64 = 9.5;
/// Lowest height of a table row, in points.
pub const MIN_ROW_HEIGHT: f64 = 20.0;

/// Table 二: the label columns and the value area.
const T2_LABEL: (ColNum, ColNum) = (0, 5);
const T2_VALUES: (ColNum, ColNum) = (6, LAST);
/// Table 三: label columns 1, 2 and 3, and the first value column.
const T3_L1: (ColNum, ColNum) = (0, 0);
const T3_L2: (ColNum, ColNum) = (1, 2);
const T3_L3: (ColNum, ColNum) = (3, 7);
const T3_V0: ColNum = 8;

/// The note printed in the corner of table 三.
pub const T3_CORNER: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
/// The band over table 三's value columns.
pub const T3_BAND: &str = "申请人情况";
/// The header of table 二's label column.
pub const T2_LABEL_HEADER: &str = "信息内容";

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
}

/// Writes the tables; `pos` receives, per field, the top-left cell of its value.
struct Out<'c, 'a> {
    cells: &'c Cells<'a>,
    st: &'c Styles,
    pos: Vec<(RowNum, ColNum)>,
}

/// A sheet with the grid's column widths.
pub fn sheet(ws: &mut Worksheet) -> Result<Sheet<'_>, XlsxError> {
    Sheet::new(ws, vec![COL_WIDTH; NCOLS], COL_WIDTH)
}

/// Writes tables 二, 三 and 四 from row `r0` on, a blank row between them. Returns the row after
/// table 四 and, per field, the (row, column) of its value cell (the top-left one when merged).
pub fn tables(
    s: &mut Sheet<'_>,
    r0: RowNum,
    cells: &Cells<'_>,
    st: &Styles,
) -> Result<(RowNum, Vec<(RowNum, ColNum)>), XlsxError> {
    debug_assert_eq!(cells.shown.len(), FIELD_COUNT);
    debug_assert!(cells.decorations.is_none_or(|d| d.len() == FIELD_COUNT));
    let mut out = Out {
        cells,
        st,
        pos: vec![(0, 0); FIELD_COUNT],
    };
    let r = table2(s, r0, &mut out)?;
    let r = table3(s, r + 1, &mut out)?;
    let r = table4(s, r + 1, &mut out)?;
    Ok((r, out.pos))
}

/// Prints rows 0..=last_row as a form: landscape A4, one page wide, centred, no gridlines.
pub fn page_setup(ws: &mut Worksheet, last_row: RowNum) -> Result<(), XlsxError> {
    Print {
        area: Some((last_row, LAST)),
        form: true,
        ..Print::default()
    }
    .apply(ws)
}

/// Where [`tables`] puts each field's value cell (the top-left one when merged) when it starts
/// on row `r0`, and the row after table 四: the layout without writing it, for texts that must
/// name the cells before they are written (the notes of the annotated return).
pub fn positions(r0: RowNum) -> (Vec<(RowNum, ColNum)>, RowNum) {
    let mut pos = vec![(0, 0); FIELD_COUNT];
    // Table 二: its heading; per block, the block row, the header row and its rows.
    let mut r = r0 + 1;
    let mut i = 0;
    while i < T2_ROWS.len() {
        let block = T2_ROWS[i].block;
        let end = i + T2_ROWS[i..].iter().take_while(|x| x.block == block).count();
        r += 2;
        let spans = t2_spans(T2_ROWS[i].cols.len());
        for (ri, t2row) in T2_ROWS.iter().enumerate().take(end).skip(i) {
            for (ci, &(c0, _)) in spans.iter().enumerate().take(t2row.cols.len()) {
                pos[t2_index(ri, ci)] = (r, c0);
            }
            r += 1;
        }
        i = end;
    }
    // Table 三: a blank row, its heading, three header rows, its rows.
    let body = r + 1 + 4;
    for ri in 0..T3_ROWS.len() {
        for c in 0..T3_COLS.len() {
            pos[t3_index(ri, c)] = (body + row(ri), T3_V0 + col(c));
        }
    }
    // Table 四: a blank row, its heading, three header rows, the values.
    let values = body + row(T3_ROWS.len()) + 1 + 4;
    let n = T4_RESULTS.len();
    for g in 0..T4_GROUPS.len() {
        for k in 0..n {
            pos[t4_index(g, k)] = (values, col(g * n + k));
        }
    }
    (pos, values + 1)
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
    out: &mut Out<'_, '_>,
) -> Result<(), XlsxError> {
    let kind = fields()[idx].kind;
    let st = out.st;
    let shown = out.cells.shown[idx];
    let deco = out.cells.decorations.and_then(|d| d.get(idx));
    let base: &Format = match (shown, kind) {
        (Shown::Raw(_), _) => &st.unreadable,
        (_, Kind::Count) => &st.count,
        (_, Kind::Amount) => &st.amount,
    };
    let owned;
    let f = match deco.and_then(|d| d.mark) {
        Some(m) => {
            owned = marked(base, m);
            &owned
        }
        None => base,
    };
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
    out.pos[idx] = (r, c0);
    Ok(())
}

/// The value spans of a table 二 block with `n` value columns, over G–O.
fn t2_spans(n: usize) -> Vec<(ColNum, ColNum)> {
    let (start, end) = (usize::from(T2_VALUES.0), usize::from(T2_VALUES.1));
    let width = end - start + 1;
    (0..n)
        .map(|k| {
            (
                col(start + k * width / n),
                col(start + (k + 1) * width / n - 1),
            )
        })
        .collect()
}

/// Table 二; returns the row after it.
fn table2(s: &mut Sheet<'_>, r0: RowNum, out: &mut Out<'_, '_>) -> Result<RowNum, XlsxError> {
    let st = out.st;
    let mut r = r0;
    s.text_sized(r, 0, r, LAST, Table::T2.title(), &st.heading, HEADING_SIZE)?;
    r += 1;
    let mut i = 0;
    while i < T2_ROWS.len() {
        let block = T2_ROWS[i].block;
        let end = i + T2_ROWS[i..].iter().take_while(|x| x.block == block).count();
        s.text(r, 0, r, LAST, block, &st.block)?;
        r += 1;
        let cols = T2_ROWS[i].cols;
        let spans = t2_spans(cols.len());
        s.text(r, T2_LABEL.0, r, T2_LABEL.1, T2_LABEL_HEADER, &st.header)?;
        for (&(c0, c1), (_, label)) in spans.iter().zip(cols) {
            s.text(r, c0, r, c1, label, &st.header)?;
        }
        r += 1;
        for (ri, t2row) in T2_ROWS.iter().enumerate().take(end).skip(i) {
            s.text(r, T2_LABEL.0, r, T2_LABEL.1, t2row.label, &st.label)?;
            for (ci, &span) in spans.iter().enumerate().take(t2row.cols.len()) {
                value(s, r, span, t2_index(ri, ci), out)?;
            }
            r += 1;
        }
        i = end;
    }
    Ok(r)
}

/// The first and last index of the rows of table 三 that satisfy `p` (they are contiguous).
fn extent(p: impl Fn(&nianbao_format::T3Row) -> bool) -> Option<(usize, usize)> {
    let first = T3_ROWS.iter().position(&p)?;
    let last = T3_ROWS.iter().rposition(&p)?;
    Some((first, last))
}

/// Table 三; returns the row after it.
fn table3(s: &mut Sheet<'_>, r0: RowNum, out: &mut Out<'_, '_>) -> Result<RowNum, XlsxError> {
    let st = out.st;
    s.text_sized(
        r0,
        0,
        r0,
        LAST,
        Table::T3.title(),
        &st.heading,
        HEADING_SIZE,
    )?;
    let h = r0 + 1;
    let v_last = T3_V0 + col(T3_COLS.len() - 1);
    s.text(h, T3_L1.0, h + 2, T3_L3.1, T3_CORNER, &st.header)?;
    s.text(h, T3_V0, h, v_last, T3_BAND, &st.header)?;
    for (c, (_, label, parent)) in T3_COLS.iter().enumerate() {
        let cc = T3_V0 + col(c);
        match parent {
            None => s.text(h + 1, cc, h + 2, cc, label, &st.header)?,
            Some(p) => {
                let first = T3_COLS.iter().position(|x| x.2 == Some(p)).unwrap_or(c);
                if first == c {
                    let last = T3_COLS.iter().rposition(|x| x.2 == Some(p)).unwrap_or(c);
                    s.text(h + 1, cc, h + 1, T3_V0 + col(last), p, &st.header)?;
                }
                s.text(h + 2, cc, h + 2, cc, label, &st.header)?;
            }
        }
    }
    let body = h + 3;
    for (i, t3row) in T3_ROWS.iter().enumerate() {
        let r = body + row(i);
        match t3row.group {
            None => s.text(r, T3_L1.0, r, T3_L3.1, t3row.label, &st.label)?,
            Some(g) => {
                if let Some((first, last)) = extent(|x| x.group == Some(g))
                    && first == i
                {
                    s.text(r, T3_L1.0, body + row(last), T3_L1.1, g, &st.label)?;
                }
                match t3row.subgroup {
                    None => s.text(r, T3_L2.0, r, T3_L3.1, t3row.label, &st.label)?,
                    Some(sg) => {
                        if let Some((first, last)) =
                            extent(|x| x.group == Some(g) && x.subgroup == Some(sg))
                            && first == i
                        {
                            s.text(r, T3_L2.0, body + row(last), T3_L2.1, sg, &st.label)?;
                        }
                        s.text(r, T3_L3.0, r, T3_L3.1, t3row.label, &st.label)?;
                    }
                }
            }
        }
        for c in 0..T3_COLS.len() {
            let cc = T3_V0 + col(c);
            value(s, r, (cc, cc), t3_index(i, c), out)?;
        }
    }
    Ok(body + row(T3_ROWS.len()))
}

/// Table 四; returns the row after it.
fn table4(s: &mut Sheet<'_>, r0: RowNum, out: &mut Out<'_, '_>) -> Result<RowNum, XlsxError> {
    let st = out.st;
    s.text_sized(
        r0,
        0,
        r0,
        LAST,
        Table::T4.title(),
        &st.heading,
        HEADING_SIZE,
    )?;
    let h = r0 + 1;
    let n = T4_RESULTS.len();
    for (g, (_, glabel, parent)) in T4_GROUPS.iter().enumerate() {
        let c0 = col(g * n);
        let c1 = col(g * n + n - 1);
        match parent {
            None => {
                s.text(h, c0, h, c1, glabel, &st.header)?;
                for (k, (_, rlabel)) in T4_RESULTS.iter().enumerate() {
                    let c = c0 + col(k);
                    s.text(h + 1, c, h + 2, c, rlabel, &st.header)?;
                }
            }
            Some(p) => {
                let first = T4_GROUPS.iter().position(|x| x.2 == Some(p)).unwrap_or(g);
                if first == g {
                    let last = T4_GROUPS.iter().rposition(|x| x.2 == Some(p)).unwrap_or(g);
                    s.text(h, c0, h, col(last * n + n - 1), p, &st.header)?;
                }
                s.text(h + 1, c0, h + 1, c1, glabel, &st.header)?;
                for (k, (_, rlabel)) in T4_RESULTS.iter().enumerate() {
                    let c = c0 + col(k);
                    s.text(h + 2, c, h + 2, c, rlabel, &st.header)?;
                }
            }
        }
        for k in 0..n {
            let c = c0 + col(k);
            value(s, h + 3, (c, c), t4_index(g, k), out)?;
        }
    }
    Ok(h + 4)
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
        };
        let st = Styles::new();
        for r0 in [0, 2, 5, 9] {
            let mut ws = Worksheet::new();
            let mut s = sheet(&mut ws).expect("sheet");
            let (end, pos) = tables(&mut s, r0, &cells, &st).expect("tables");
            assert_eq!(positions(r0), (pos, end), "from row {r0}");
        }
    }

    #[test]
    fn table2_spans_split_the_value_area() {
        assert_eq!(t2_spans(3), vec![(6, 8), (9, 11), (12, 14)]);
        assert_eq!(t2_spans(1), vec![(6, 14)]);
    }

    #[test]
    fn table3_groups_are_contiguous() {
        assert_eq!(
            extent(|x| x.group == Some("三、本年度办理结果")),
            Some((2, 23))
        );
        assert_eq!(
            extent(|x| x.subgroup == Some("（三）不予公开")),
            Some((4, 11))
        );
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
