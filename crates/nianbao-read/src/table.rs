//! A plain table out of a workbook (a roster kept as .xlsx or .xls): the first visible sheet's
//! cells as text, row by row, with the same guards as a return.

use crate::{FileError, Format, sniff};

/// One row of a sheet: its 1-based row number and its cells' text (empty where blank).
pub type Row = (usize, Vec<String>);

/// The rows of the first visible sheet of a workbook's bytes. Blank rows are left out; numbers
/// are shown as a person reads them ("1", "2.5").
pub fn first_sheet_rows(bytes: &[u8]) -> Result<Vec<Row>, FileError> {
    let format = sniff(bytes);
    if !matches!(format, Format::Xlsx | Format::Xls | Format::Ods) {
        return Err(FileError::new(
            "不是 Excel 表格（.xlsx/.xls/.ods）",
            "not a spreadsheet (.xlsx/.xls/.ods)",
        ));
    }
    let grids = crate::load::load(bytes, format).map_err(crate::load_failure)?;
    let Some(g) = grids.iter().find(|g| !g.hidden).or(grids.first()) else {
        return Ok(Vec::new());
    };
    let mut rows: Vec<Row> = Vec::new();
    for c in g.cells() {
        let line = c.row as usize + 1;
        if rows.last().is_none_or(|(l, _)| *l != line) {
            rows.push((line, Vec::new()));
        }
        if let Some((_, cells)) = rows.last_mut() {
            let col = c.col as usize;
            if col >= 1024 {
                continue; // a roster has four columns; a far stray cell is not one
            }
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = c.content.raw().trim().to_string();
        }
    }
    rows.retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    Ok(rows)
}
