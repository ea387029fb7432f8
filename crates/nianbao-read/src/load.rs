//! Opens a workbook — .xlsx with the lean reader ([`crate::xlsx`]) or calamine, .xls with
//! calamine, .ods with [`crate::ods`] — and turns each worksheet into a sparse [`Grid`].

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible, Xls, Xlsx};

use crate::grid::{Content, Grid, GridCell, cell};
use crate::sniff::Format;
use crate::xlsx::Outcome;

/// Cells read from one file at most; real returns have a few hundred.
pub const MAX_CELLS: usize = 2_000_000;
/// Text (cell and formula text) read from one file at most. MAX_CELLS bounds the cells, not
/// what each holds, and a shared string or a repeated cell is copied into every cell that
/// shows it: one 1 MB string in 20,000 cells would be 20 GB (real returns: a few KiB).
pub const MAX_TEXT: usize = 64 << 20;

/// The bytes a cell holds besides its fixed size, for [`MAX_TEXT`].
pub fn weight(content: &Content, formula: &Option<String>) -> usize {
    let text = match content {
        Content::Text(s) | Content::Date(s) | Content::Error(s) => s.len(),
        _ => 0,
    };
    text + formula.as_ref().map_or(0, String::len)
}

/// What a zipped workbook may unpack to at most (real returns unpack to well under 1 MiB).
pub const MAX_UNZIPPED: u128 = 256 * 1024 * 1024;
/// Members a zipped workbook may have at most.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// Why a workbook could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// calamine's own error text.
    Corrupt(String),
    TooManyCells,
    /// A zip that unpacks to more than [`MAX_UNZIPPED`] (a zip bomb, or not a return).
    Unzipped(u128),
    /// An .xls whose sheets' spans (what calamine allocates, densely) hold more than
    /// [`MAX_CELLS`] cells together: most likely a stray cell far from the tables.
    XlsSpread(u64),
}

/// A reader's error as the reason a file is corrupt.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> LoadError {
    LoadError::Corrupt(e.to_string())
}

/// Refuses zips whose declared contents are far larger than any return, before unpacking; the
/// archive, for what reads it next.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, LoadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    check_archive(&mut archive)?;
    Ok(archive)
}

/// [`check_zip`]'s bounds on an archive already open: members, and the central directory's
/// sizes (data descriptors, as rust_xlsxwriter writes, included).
pub(crate) fn check_archive<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<(), LoadError> {
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(LoadError::Unzipped(u128::MAX));
    }
    let mut total: u128 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt)?;
        total += u128::from(entry.size());
    }
    if total > MAX_UNZIPPED {
        Err(LoadError::Unzipped(total))
    } else {
        Ok(())
    }
}

/// Reads every worksheet of a workbook. Chart sheets and macro sheets are skipped.
pub fn load(bytes: &[u8], format: Format) -> Result<Vec<Grid>, LoadError> {
    load_marked(bytes, format).map(|(grids, _)| grids)
}

/// [`load`], with an .xlsx's nianbao marker ([`crate::generated_mark`]) read from the same zip.
/// An .xlsx is read by the lean reader ([`crate::xlsx`]), or by calamine where it declines.
pub fn load_marked(bytes: &[u8], format: Format) -> Result<(Vec<Grid>, Option<String>), LoadError> {
    match format {
        Format::Xlsx => match crate::xlsx::read(bytes) {
            Outcome::Read { grids, mark } => Ok((grids, mark)),
            Outcome::Refused(e) => Err(e),
            Outcome::Declined(_) => Ok((calamine_xlsx(bytes)?, crate::generated_mark(bytes))),
        },
        _ => Ok((load_other(bytes, format)?, None)),
    }
}

/// An .xlsx read by calamine alone.
pub fn calamine_xlsx(bytes: &[u8]) -> Result<Vec<Grid>, LoadError> {
    crate::xlsx_guard::check_xlsx(&mut check_zip(bytes)?)?;
    load_xlsx(bytes)
}

fn load_other(bytes: &[u8], format: Format) -> Result<Vec<Grid>, LoadError> {
    match format {
        Format::Xls => {
            crate::xls_guard::check_xls(bytes)?;
            let wb = Xls::new(Cursor::new(bytes)).map_err(corrupt)?;
            load_xls(wb)
        }
        Format::Ods => crate::ods::load_ods(&mut check_zip(bytes)?),
        _ => Err(LoadError::Corrupt("not a workbook".into())),
    }
}

/// The workbook's worksheets (chart and macro sheets skipped): name and whether hidden.
fn worksheets(meta: &[calamine::Sheet]) -> Vec<(String, bool)> {
    meta.iter()
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| (s.name.clone(), !matches!(s.visible, SheetVisible::Visible)))
        .collect()
}

/// xlsx: stream the cells (no dense range), keeping formula texts.
fn load_xlsx(bytes: &[u8]) -> Result<Vec<Grid>, LoadError> {
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let sheets = worksheets(wb.sheets_metadata());
    let mut grids = Vec::new();
    let mut total = 0usize;
    let mut text = 0usize;
    for (name, is_hidden) in sheets {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
        let mut cells = Vec::new();
        while let Some(c) = reader.next_cell_with_formula().map_err(corrupt)? {
            let content = from_data_ref(&c.value);
            let formula = c.formula.filter(|f| !f.is_empty());
            if content == Content::Empty && formula.is_none() {
                continue;
            }
            total += 1;
            text += weight(&content, &formula);
            if total > MAX_CELLS || text > MAX_TEXT {
                return Err(LoadError::TooManyCells);
            }
            cells.push(cell(c.pos.0, c.pos.1, content, formula));
        }
        grids.push(Grid::new(name, is_hidden, cells));
    }
    Ok(grids)
}

/// xls: calamine gives a dense range (bounded by the format: 65,536 × 256 cells); keep only the
/// used cells. Formula cells of .xls always carry their result, so formulas are not read.
fn load_xls(mut wb: Xls<Cursor<&[u8]>>) -> Result<Vec<Grid>, LoadError> {
    let sheets = worksheets(wb.sheets_metadata());
    let mut grids = Vec::new();
    let mut total = 0usize;
    let mut text = 0usize;
    for (name, is_hidden) in sheets {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let Some((r0, c0)) = range.start() else {
            grids.push(Grid::new(name, is_hidden, vec![]));
            continue;
        };
        let mut cells: Vec<GridCell> = Vec::new();
        for (r, c, v) in range.used_cells() {
            let content = from_data(v);
            total += 1;
            text += weight(&content, &None);
            if total > MAX_CELLS || text > MAX_TEXT {
                return Err(LoadError::TooManyCells);
            }
            cells.push(cell(r0 + r as u32, c0 + c as u32, content, None));
        }
        grids.push(Grid::new(name, is_hidden, cells));
    }
    Ok(grids)
}

fn from_data(d: &Data) -> Content {
    match d {
        Data::Int(i) => Content::Int(*i),
        Data::Float(f) => Content::Float(*f),
        Data::String(s) => Content::Text(s.clone()),
        Data::Bool(b) => Content::Bool(*b),
        Data::DateTime(dt) => Content::Date(excel_date_text(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Content::Date(s.clone()),
        Data::Error(e) => Content::Error(e.to_string()),
        Data::Empty => Content::Empty,
    }
}

fn from_data_ref(d: &DataRef<'_>) -> Content {
    match d {
        DataRef::Int(i) => Content::Int(*i),
        DataRef::Float(f) => Content::Float(*f),
        DataRef::String(s) => Content::Text(s.clone()),
        DataRef::SharedString(s) => Content::Text((*s).to_string()),
        DataRef::Bool(b) => Content::Bool(*b),
        DataRef::DateTime(dt) => Content::Date(excel_date_text(dt.as_f64())),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Content::Date(s.clone()),
        DataRef::Error(e) => Content::Error(e.to_string()),
        DataRef::Empty => Content::Empty,
    }
}

/// An Excel date serial as the clerk sees it: 44566 → "2022-01-05", with the time if any.
pub fn excel_date_text(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return serial.to_string();
    }
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    // Days since 1970-01-01; Excel's day 25569 is 1970-01-01 (its 1900 leap-year bug included).
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            secs / 3600,
            secs / 60 % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::excel_date_text;

    #[test]
    fn date_serials_read_as_dates() {
        assert_eq!(excel_date_text(44566.0), "2022-01-05");
        assert_eq!(excel_date_text(25569.0), "1970-01-01");
        assert_eq!(excel_date_text(44927.5), "2023-01-01 12:00");
        assert_eq!(excel_date_text(f64::NAN), "NaN");
    }
}
