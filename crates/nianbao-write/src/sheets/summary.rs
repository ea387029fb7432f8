//! `全区汇总`: the district totals in the official layout of tables 二, 三 and 四, exactly as the
//! annual report prints them, with the official labels. The sheet is a return in its own right:
//! `nianbao-read` finds its tables by their labels and reads the same values back.
//!
//! All three tables share one grid of 15 equal columns (A–O):
//!
//! - table 二: 信息内容 over A–F; three value columns G–I, J–L, M–O, or one over G–O;
//! - table 三: label column 1 in A, label column 2 in B–C, label column 3 in D–H, the seven
//!   value columns in I–O;
//! - table 四: the fifteen values in A–O.

use nianbao_format::{
    FIELD_COUNT, Kind, Report, T2_ROWS, T3_COLS, T3_ROWS, T4_GROUPS, T4_RESULTS, Table, fields,
    t2_index, t3_index, t4_index,
};
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::cell_number;
use crate::layout::{Sheet, col, row};
use crate::style::{HEADING_SIZE, Styles, TITLE_SIZE};
use crate::{SHEET_SUMMARY, WriteOptions};

/// Columns of the grid, and the last one.
const NCOLS: usize = 15;
const LAST: ColNum = 14;
const COL_WIDTH: f64 = 9.5;
/// Lowest height of a table row, in points.
const MIN_ROW_HEIGHT: f64 = 20.0;

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

/// The sheet's title: "{district}{year}年政府信息公开工作年度报告统计表（汇总：41/42 单位）".
pub fn title(report: &Report, opts: &WriteOptions) -> String {
    let district = opts.district.as_deref().unwrap_or("");
    let year = report.year.map(|y| format!("{y}年")).unwrap_or_default();
    format!(
        "{district}{year}政府信息公开工作年度报告统计表（汇总：{}）",
        report.coverage.label(nianbao_format::Lang::Zh)
    )
}

pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_SUMMARY)?;
    let values = &report.totals;
    debug_assert_eq!(values.len(), FIELD_COUNT);
    let mut s = Sheet::new(ws, vec![COL_WIDTH; NCOLS], COL_WIDTH)?;
    s.text_sized(0, 0, 0, LAST, &title(report, opts), &st.title, TITLE_SIZE)?;
    s.min_height(0, 36.0);
    let r = table2(&mut s, 2, values, st)?;
    let r = table3(&mut s, r + 1, values, st)?;
    let last_row = table4(&mut s, r + 1, values, st)? - 1;
    s.apply_heights(MIN_ROW_HEIGHT)?;

    let ws = s.ws;
    ws.set_screen_gridlines(false);
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_area(0, 0, last_row, LAST)?;
    Ok(())
}

/// Writes a total into the cells c0..=c1 of row r.
fn value(
    s: &mut Sheet<'_>,
    r: RowNum,
    (c0, c1): (ColNum, ColNum),
    values: &[i64],
    idx: usize,
    st: &Styles,
) -> Result<(), XlsxError> {
    let kind = fields()[idx].kind;
    let f = match kind {
        Kind::Count => &st.count,
        Kind::Amount => &st.amount,
    };
    s.number(r, c0, c1, cell_number(kind, values[idx]), f)
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
fn table2(s: &mut Sheet<'_>, r0: RowNum, values: &[i64], st: &Styles) -> Result<RowNum, XlsxError> {
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
                value(s, r, span, values, t2_index(ri, ci), st)?;
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
fn table3(s: &mut Sheet<'_>, r0: RowNum, values: &[i64], st: &Styles) -> Result<RowNum, XlsxError> {
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
            value(s, r, (cc, cc), values, t3_index(i, c), st)?;
        }
    }
    Ok(body + row(T3_ROWS.len()))
}

/// Table 四; returns the row after it.
fn table4(s: &mut Sheet<'_>, r0: RowNum, values: &[i64], st: &Styles) -> Result<RowNum, XlsxError> {
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
            value(s, h + 3, (c, c), values, t4_index(g, k), st)?;
        }
    }
    Ok(h + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
