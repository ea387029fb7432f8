//! A sheet as a sparse list of cells: never the dense bounding box, so a stray cell in XFD1048576
//! costs one cell, not gigabytes.

use nianbao_format::{normalize_label, strip_enumerator};

/// What a cell holds, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Empty,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    /// A date or time, as the file gave it.
    Date(String),
    /// An Excel error value such as `#REF!`.
    Error(String),
}

impl Content {
    /// The cell as a person would read it.
    pub fn raw(&self) -> String {
        match self {
            Content::Empty => String::new(),
            Content::Int(i) => i.to_string(),
            Content::Float(f) => f.to_string(),
            Content::Text(s) => s.clone(),
            Content::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Content::Date(d) => d.clone(),
            Content::Error(e) => e.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub row: u32,
    pub col: u32,
    pub content: Content,
    /// The formula text, when the cell has one (without the leading '=').
    pub formula: Option<String>,
    /// For text cells: the label normalised and stripped of one enumerator ("(三)不予公开" → "不予公开").
    pub key: String,
}

/// One worksheet's non-empty cells, sorted by row then column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// The sheet's name, shared by the provenance of every value read from it.
    pub sheet: std::sync::Arc<str>,
    pub hidden: bool,
    /// Sorted by (row, col), one cell a position: looked up by binary search.
    cells: Vec<GridCell>,
}

impl Grid {
    pub fn new(sheet: String, hidden: bool, mut cells: Vec<GridCell>) -> Grid {
        cells.retain(|c| c.content != Content::Empty || c.formula.is_some());
        cells.sort_by_key(|c| (c.row, c.col));
        cells.dedup_by_key(|c| (c.row, c.col));
        for c in &mut cells {
            if let Content::Text(s) = &c.content {
                // The enumerator stripped is a suffix of the normalised text: no second copy.
                let mut key = normalize_label(s);
                let kept = strip_enumerator(&key).len();
                if kept < key.len() {
                    key.drain(..key.len() - kept);
                }
                c.key = key;
            }
        }
        Grid {
            sheet: sheet.into(),
            hidden,
            cells,
        }
    }

    pub fn cells(&self) -> &[GridCell] {
        &self.cells
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&GridCell> {
        self.cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
            .ok()
            .map(|i| &self.cells[i])
    }

    /// The cells of one row, left to right.
    pub fn row(&self, row: u32) -> &[GridCell] {
        let start = self.cells.partition_point(|c| c.row < row);
        let end = self.cells.partition_point(|c| c.row <= row);
        &self.cells[start..end]
    }

    /// Text cells, in reading order.
    pub fn texts(&self) -> impl Iterator<Item = &GridCell> {
        self.cells
            .iter()
            .filter(|c| matches!(c.content, Content::Text(_)))
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Helper for building cells from any reader.
pub fn cell(row: u32, col: u32, content: Content, formula: Option<String>) -> GridCell {
    GridCell {
        row,
        col,
        content,
        formula,
        key: String::new(),
    }
}
