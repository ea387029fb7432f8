//! The official layout as plain data: where every text and every value of a sheet in the official
//! layout goes, computed once and rendered by whatever writes it (today the xlsx renderer,
//! `sheets::official::render`; the template and the HTML publisher render the same
//! plan). A [`Plan`] knows nothing of any writer: no formats, no worksheets.
//!
//! A plan is a grid of [`GRID_COLS`] equal columns and a list of [`Item`]s in the order they are
//! to be written. An item is one cell, or one merged block of cells:
//!
//! - `row`, `col`: its top-left cell, zero-based (row 0 is the sheet's first row, col 0 is A);
//! - `rows`, `cols`: how many rows and columns it spans, each at least 1 (a merge when either
//!   is more than 1);
//! - `content`: a text, or the value of a field ([`Content::Field`], by index in
//!   [`nianbao_format::fields`]): what a value cell shows (the number, a blank, a mark, a note) is
//!   the renderer's, from the values it is given;
//! - `role`: what the item is ([`Role`]), from which a renderer picks its style.
//!
//! Items never overlap, and every field of the three tables is exactly one item. Besides the
//! items, a plan carries hints on sizes: the columns' width ([`GRID_COL_WIDTH`], in Excel's
//! character units), the lowest height of a row that holds anything ([`MIN_ROW_HEIGHT`], points)
//! and rows that must be at least so tall ([`Plan::min_heights`]). Renderers that measure text
//! make rows taller where texts wrap.
//!
//! All three tables share the grid:
//!
//! - table 二: 信息内容 over A–F; three value columns G–I, J–L, M–O, or one over G–O;
//! - table 三: label column 1 in A, label column 2 in B–C, label column 3 in D–H, the seven
//!   value columns in I–O;
//! - table 四: the fifteen values in A–O.

use nianbao_format::{
    FIELD_COUNT, T2_LABEL_HEADER, T2_ROWS, T3_BAND, T3_COLS, T3_CORNER, T3_ROWS, T4_GROUPS,
    T4_RESULTS, Table, t2_index, t3_index, t4_index,
};

use crate::layout::{col, row};
use crate::style::Mark;

/// Columns of the grid, and their width in Excel's character units.
pub const GRID_COLS: u16 = 15;
pub const GRID_COL_WIDTH: f64 = 9.5;
/// Lowest height of a row that holds anything, in points.
pub const MIN_ROW_HEIGHT: f64 = 20.0;
/// Lowest height of the title row, in points.
pub const TITLE_HEIGHT: f64 = 36.0;

/// Table 二: the label columns and the value area.
const T2_LABEL: (u16, u16) = (0, 5);
const T2_VALUES: (u16, u16) = (6, GRID_COLS - 1);
/// Table 三: label columns 1, 2 and 3, and the first value column.
const T3_L1: (u16, u16) = (0, 0);
const T3_L2: (u16, u16) = (1, 2);
const T3_L3: (u16, u16) = (3, 7);
const T3_V0: u16 = 8;

/// What an item is; a renderer styles it by its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The sheet's title.
    Title,
    /// The line naming the unit (填报单位：…).
    Unit,
    /// A line of text above the tables (what to do with the sheet), wrapped.
    Note,
    /// A key to the marks of value cells, shown in that mark.
    Legend(Mark),
    /// A table's heading (二、主动公开政府信息情况).
    Heading,
    /// A block row of table 二 (第二十条第（一）项).
    Block,
    /// A column header, a band over headers or a corner note.
    Header,
    /// A row label.
    Label,
    /// A field's value.
    Value,
}

/// What an item shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(String),
    /// The value of the field with this index.
    Field(usize),
}

/// One cell, or one merged block of cells, of a plan (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub row: u32,
    pub col: u16,
    pub rows: u32,
    pub cols: u16,
    pub content: Content,
    pub role: Role,
}

impl Item {
    /// The bottom-right cell.
    pub fn last(&self) -> (u32, u16) {
        (self.row + self.rows - 1, self.col + self.cols - 1)
    }
}

/// A sheet in the official layout: its items in writing order and its size hints.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub items: Vec<Item>,
    /// Rows that must be at least this tall, in points, whatever their texts need.
    pub min_heights: Vec<(u32, f64)>,
    /// The number of columns, each [`GRID_COL_WIDTH`] wide.
    pub cols: u16,
    /// The row after the last item.
    pub end: u32,
    /// Rows a printed page starts on (before tables 三 and 四: each table on a page of its own,
    /// none cut across two).
    pub page_breaks: Vec<u32>,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan::new()
    }
}

impl Plan {
    /// An empty plan on the official grid.
    pub fn new() -> Plan {
        Plan {
            items: Vec::new(),
            min_heights: Vec::new(),
            cols: GRID_COLS,
            end: 0,
            page_breaks: Vec::new(),
        }
    }

    fn push(&mut self, item: Item) {
        debug_assert!(item.rows >= 1 && item.cols >= 1 && item.col + item.cols <= self.cols);
        self.end = self.end.max(item.row + item.rows);
        self.items.push(item);
    }

    /// A text over rows r0..=r1 and columns c0..=c1.
    fn text(&mut self, (r0, c0): (u32, u16), (r1, c1): (u32, u16), text: &str, role: Role) {
        self.push(Item {
            row: r0,
            col: c0,
            rows: r1 - r0 + 1,
            cols: c1 - c0 + 1,
            content: Content::Text(text.to_string()),
            role,
        });
    }

    /// Field `idx`'s value in columns c0..=c1 of row r.
    fn field(&mut self, r: u32, (c0, c1): (u16, u16), idx: usize) {
        self.push(Item {
            row: r,
            col: c0,
            rows: 1,
            cols: c1 - c0 + 1,
            content: Content::Field(idx),
            role: Role::Value,
        });
    }

    /// The sheet's title across row 0, at least [`TITLE_HEIGHT`] tall.
    pub fn title(&mut self, text: &str) {
        self.line(0, text, Role::Title);
        self.min_height(0, TITLE_HEIGHT);
    }

    /// A text across the whole width of row `r`.
    pub fn line(&mut self, r: u32, text: &str, role: Role) {
        self.text((r, 0), (r, self.cols - 1), text, role);
    }

    /// A text in columns c0..=c1 of row `r`.
    pub fn span(&mut self, r: u32, (c0, c1): (u16, u16), text: &str, role: Role) {
        self.text((r, c0), (r, c1), text, role);
    }

    /// Asks for at least `points` of height on row `r`.
    pub fn min_height(&mut self, r: u32, points: f64) {
        self.min_heights.push((r, points));
    }

    /// Tables 二, 三 and 四 from row `r0` on, a blank row between them; returns the row after
    /// table 四.
    pub fn tables(&mut self, r0: u32) -> u32 {
        self.tables_with_room(r0, [0; 3])[2]
    }

    /// Tables 二, 三 and 四 from row `r0` on, `room[k]` rows left free below table k (for
    /// what a renderer adds under a table, such as the template's check rows) besides the blank
    /// row between tables; returns the row after each table (before its free rows).
    pub fn tables_with_room(&mut self, r0: u32, room: [u32; 3]) -> [u32; 3] {
        let end2 = self.table2(r0);
        let start3 = end2 + room[0] + 1;
        let end3 = self.table3(start3);
        let start4 = end3 + room[1] + 1;
        let end4 = self.table4(start4);
        self.page_breaks.extend([start3, start4]);
        self.end = self.end.max(end4 + room[2]);
        [end2, end3, end4]
    }

    /// Per field, the top-left cell of its value (the plan must hold every field).
    pub fn positions(&self) -> Vec<(u32, u16)> {
        let mut pos = vec![(0, 0); FIELD_COUNT];
        for item in &self.items {
            if let Content::Field(i) = item.content {
                pos[i] = (item.row, item.col);
            }
        }
        pos
    }

    /// Table 二; returns the row after it.
    fn table2(&mut self, r0: u32) -> u32 {
        let mut r = r0;
        self.line(r, Table::T2.title(), Role::Heading);
        r += 1;
        let mut i = 0;
        while i < T2_ROWS.len() {
            let block = T2_ROWS[i].block;
            let end = i + T2_ROWS[i..].iter().take_while(|x| x.block == block).count();
            self.line(r, block, Role::Block);
            r += 1;
            let cols = T2_ROWS[i].cols;
            let spans = t2_spans(cols.len());
            self.span(r, T2_LABEL, T2_LABEL_HEADER, Role::Header);
            for (&span, (_, label)) in spans.iter().zip(cols) {
                self.span(r, span, label, Role::Header);
            }
            r += 1;
            for (ri, t2row) in T2_ROWS.iter().enumerate().take(end).skip(i) {
                self.span(r, T2_LABEL, t2row.label, Role::Label);
                for (ci, &span) in spans.iter().enumerate().take(t2row.cols.len()) {
                    self.field(r, span, t2_index(ri, ci));
                }
                r += 1;
            }
            i = end;
        }
        r
    }

    /// Table 三; returns the row after it.
    fn table3(&mut self, r0: u32) -> u32 {
        self.line(r0, Table::T3.title(), Role::Heading);
        let h = r0 + 1;
        let v_last = T3_V0 + col(T3_COLS.len() - 1);
        self.text((h, T3_L1.0), (h + 2, T3_L3.1), T3_CORNER, Role::Header);
        self.span(h, (T3_V0, v_last), T3_BAND, Role::Header);
        for (c, (_, label, parent)) in T3_COLS.iter().enumerate() {
            let cc = T3_V0 + col(c);
            match parent {
                None => self.text((h + 1, cc), (h + 2, cc), label, Role::Header),
                Some(p) => {
                    let first = T3_COLS.iter().position(|x| x.2 == Some(p)).unwrap_or(c);
                    if first == c {
                        let last = T3_COLS.iter().rposition(|x| x.2 == Some(p)).unwrap_or(c);
                        self.span(h + 1, (cc, T3_V0 + col(last)), p, Role::Header);
                    }
                    self.span(h + 2, (cc, cc), label, Role::Header);
                }
            }
        }
        let body = h + 3;
        for (i, t3row) in T3_ROWS.iter().enumerate() {
            let r = body + row(i);
            match t3row.group {
                None => self.span(r, (T3_L1.0, T3_L3.1), t3row.label, Role::Label),
                Some(g) => {
                    if let Some((first, last)) = extent(|x| x.group == Some(g))
                        && first == i
                    {
                        self.text((r, T3_L1.0), (body + row(last), T3_L1.1), g, Role::Label);
                    }
                    match t3row.subgroup {
                        None => self.span(r, (T3_L2.0, T3_L3.1), t3row.label, Role::Label),
                        Some(sg) => {
                            if let Some((first, last)) =
                                extent(|x| x.group == Some(g) && x.subgroup == Some(sg))
                                && first == i
                            {
                                self.text(
                                    (r, T3_L2.0),
                                    (body + row(last), T3_L2.1),
                                    sg,
                                    Role::Label,
                                );
                            }
                            self.span(r, T3_L3, t3row.label, Role::Label);
                        }
                    }
                }
            }
            for c in 0..T3_COLS.len() {
                let cc = T3_V0 + col(c);
                self.field(r, (cc, cc), t3_index(i, c));
            }
        }
        body + row(T3_ROWS.len())
    }

    /// Table 四; returns the row after it.
    fn table4(&mut self, r0: u32) -> u32 {
        self.line(r0, Table::T4.title(), Role::Heading);
        let h = r0 + 1;
        let n = T4_RESULTS.len();
        for (g, (_, glabel, parent)) in T4_GROUPS.iter().enumerate() {
            let c0 = col(g * n);
            let c1 = col(g * n + n - 1);
            match parent {
                None => {
                    self.span(h, (c0, c1), glabel, Role::Header);
                    for (k, (_, rlabel)) in T4_RESULTS.iter().enumerate() {
                        let c = c0 + col(k);
                        self.text((h + 1, c), (h + 2, c), rlabel, Role::Header);
                    }
                }
                Some(p) => {
                    let first = T4_GROUPS.iter().position(|x| x.2 == Some(p)).unwrap_or(g);
                    if first == g {
                        let last = T4_GROUPS.iter().rposition(|x| x.2 == Some(p)).unwrap_or(g);
                        self.span(h, (c0, col(last * n + n - 1)), p, Role::Header);
                    }
                    self.span(h + 1, (c0, c1), glabel, Role::Header);
                    for (k, (_, rlabel)) in T4_RESULTS.iter().enumerate() {
                        let c = c0 + col(k);
                        self.span(h + 2, (c, c), rlabel, Role::Header);
                    }
                }
            }
            for k in 0..n {
                let c = c0 + col(k);
                self.field(h + 3, (c, c), t4_index(g, k));
            }
        }
        h + 4
    }
}

/// Tables 二, 三 and 四 alone, from row `r0` on.
pub fn tables(r0: u32) -> Plan {
    let mut plan = Plan::new();
    plan.tables(r0);
    plan
}

/// The value spans of a table 二 block with `n` value columns, over G–O.
fn t2_spans(n: usize) -> Vec<(u16, u16)> {
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

/// The first and last index of the rows of table 三 that satisfy `p` (they are contiguous).
fn extent(p: impl Fn(&nianbao_format::T3Row) -> bool) -> Option<(usize, usize)> {
    let first = T3_ROWS.iter().position(&p)?;
    let last = T3_ROWS.iter().rposition(&p)?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_format::{T3_GROUP_RESULTS, T3_SUBGROUP_WITHHELD};

    #[test]
    fn table2_spans_split_the_value_area() {
        assert_eq!(t2_spans(3), vec![(6, 8), (9, 11), (12, 14)]);
        assert_eq!(t2_spans(1), vec![(6, 14)]);
    }

    #[test]
    fn table3_groups_are_contiguous() {
        assert_eq!(extent(|x| x.group == Some(T3_GROUP_RESULTS)), Some((2, 23)));
        assert_eq!(
            extent(|x| x.subgroup == Some(T3_SUBGROUP_WITHHELD)),
            Some((4, 11))
        );
    }

    #[test]
    fn every_field_is_one_item_and_items_do_not_overlap() {
        for r0 in [0, 2, 5] {
            let plan = tables(r0);
            let mut seen = vec![0; FIELD_COUNT];
            for item in &plan.items {
                if let Content::Field(i) = item.content {
                    seen[i] += 1;
                    assert_eq!(item.role, Role::Value);
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
            // Tables 三 and 四 each start a printed page, on their headings.
            let headings: Vec<u32> = plan
                .items
                .iter()
                .filter(|i| {
                    i.role == Role::Heading
                        && [Table::T3, Table::T4]
                            .iter()
                            .any(|t| matches!(&i.content, Content::Text(x) if x == t.title()))
                })
                .map(|i| i.row)
                .collect();
            assert_eq!(headings.len(), 2);
            assert_eq!(plan.page_breaks, headings);
            let mut taken = std::collections::HashSet::new();
            for item in &plan.items {
                assert!(item.row >= r0 && item.row + item.rows <= plan.end);
                let (r1, c1) = item.last();
                for r in item.row..=r1 {
                    for c in item.col..=c1 {
                        assert!(taken.insert((r, c)), "({r}, {c}) twice");
                    }
                }
            }
        }
    }
}
