//! The benchmark's floor: every non-empty cell of a folder's workbooks read by calamine, nothing else.
//!
//! `bare-read DIR` (src/main.rs) is what `scripts/bench.py` sets `nianbao consolidate` against:
//! the files found as nianbao finds them (every `.xlsx`, `.xlsm`, `.xls`, `.ods` below the
//! folder, hidden and `~$` lock files left out), read whole into memory and opened with calamine
//! in parallel (rayon over files), every cell of every worksheet visited: counted, its text
//! length summed. No labels, no values, no rules, no output.
//!
//! Two ways to open a file:
//! - [`Mode::Lean`] (the default): calamine's cheapest path per format, the one nianbao-read
//!   uses for .xlsx (cells streamed by `worksheet_cells_reader`, no dense range); `.xls` and
//!   `.ods` through `worksheet_range` (calamine has no other; nianbao reads .ods with its own
//!   sparse reader).
//! - [`Mode::Auto`]: `open_workbook_auto_from_rs` and `worksheet_range` for every format, the
//!   first thing one writes with calamine.

use std::fs;
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, Ods, Reader, SheetType, Xls, Xlsx, open_workbook_auto_from_rs};
use rayon::prelude::*;

/// How a workbook is opened and its cells visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Per format: .xlsx streamed cell by cell, .xls and .ods as ranges.
    Lean,
    /// `open_workbook_auto_from_rs` and a range per sheet, whatever the format.
    Auto,
}

/// What was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files opened and read to the end.
    pub files: u64,
    /// Files calamine could not open or read.
    pub failed: u64,
    /// Bytes of the files read.
    pub bytes: u64,
    /// Worksheets visited.
    pub sheets: u64,
    /// Non-empty cells visited.
    pub cells: u64,
    /// Cells holding a number (int, float, bool).
    pub numbers: u64,
    /// UTF-8 bytes of the cells holding text (strings, dates as text, errors).
    pub text_bytes: u64,
}

impl Counts {
    fn add(mut self, o: Counts) -> Counts {
        self.files += o.files;
        self.failed += o.failed;
        self.bytes += o.bytes;
        self.sheets += o.sheets;
        self.cells += o.cells;
        self.numbers += o.numbers;
        self.text_bytes += o.text_bytes;
        self
    }

    fn number(&mut self) {
        self.cells += 1;
        self.numbers += 1;
    }

    fn text(&mut self, s: &str) {
        self.cells += 1;
        self.text_bytes += s.len() as u64;
    }

    fn data(&mut self, d: &Data) {
        match d {
            Data::Empty => {}
            Data::Int(_) | Data::Float(_) | Data::Bool(_) | Data::DateTime(_) => self.number(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => self.text(s),
            Data::Error(e) => self.text(&e.to_string()),
        }
    }

    fn data_ref(&mut self, d: &DataRef<'_>) {
        match d {
            DataRef::Empty => {}
            DataRef::Int(_) | DataRef::Float(_) | DataRef::Bool(_) | DataRef::DateTime(_) => {
                self.number()
            }
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => self.text(s),
            DataRef::SharedString(s) => self.text(s),
            DataRef::Error(e) => self.text(&e.to_string()),
        }
    }
}

/// The spreadsheets below `dir`, sorted: `.xlsx`, `.xlsm`, `.xls`, `.ods` by name, hidden files
/// and folders and `~$` lock files left out.
pub fn spreadsheets(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                todo.push(path);
            } else if extension(&path).is_some() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    ["xlsx", "xlsm", "xls", "ods"]
        .into_iter()
        .find(|e| *e == ext)
}

/// Reads every file in parallel; a file that cannot be read counts as failed and is reported
/// to `on_error` with calamine's message.
pub fn read_all(paths: &[PathBuf], mode: Mode, on_error: impl Fn(&Path, &str) + Sync) -> Counts {
    paths
        .par_iter()
        .map(|p| match read_file(p, mode) {
            Ok(c) => c,
            Err(e) => {
                on_error(p, &e);
                Counts {
                    failed: 1,
                    ..Counts::default()
                }
            }
        })
        .reduce(Counts::default, Counts::add)
}

/// Opens one workbook and visits every non-empty cell of every worksheet.
pub fn read_file(path: &Path, mode: Mode) -> Result<Counts, String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let mut counts = Counts {
        files: 1,
        bytes: bytes.len() as u64,
        ..Counts::default()
    };
    let rs = Cursor::new(bytes.as_slice());
    match (mode, extension(path)) {
        (Mode::Lean, Some("xlsx" | "xlsm")) => {
            let mut wb = Xlsx::new(rs).map_err(|e| e.to_string())?;
            for name in worksheets(wb.sheets_metadata()) {
                counts.sheets += 1;
                let mut cells = wb
                    .worksheet_cells_reader(&name)
                    .map_err(|e| e.to_string())?;
                while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                    counts.data_ref(c.get_value());
                }
            }
        }
        (Mode::Lean, Some("xls")) => {
            let mut wb = Xls::new(rs).map_err(|e| e.to_string())?;
            ranges(&mut wb, &mut counts)?;
        }
        (Mode::Lean, Some("ods")) => {
            let mut wb = Ods::new(rs).map_err(|e| e.to_string())?;
            ranges(&mut wb, &mut counts)?;
        }
        _ => {
            let mut wb = open_workbook_auto_from_rs(rs).map_err(|e| e.to_string())?;
            ranges(&mut wb, &mut counts)?;
        }
    }
    Ok(counts)
}

fn worksheets(meta: &[calamine::Sheet]) -> Vec<String> {
    meta.iter()
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .collect()
}

fn ranges<RS, R>(wb: &mut R, counts: &mut Counts) -> Result<(), String>
where
    RS: io::Read + io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    for name in worksheets(wb.sheets_metadata()) {
        counts.sheets += 1;
        let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
        for (_, _, d) in range.used_cells() {
            counts.data(d);
        }
    }
    Ok(())
}
