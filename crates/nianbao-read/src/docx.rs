//! A published report as a Word .docx (many units send the Word file of their whole report):
//! every table of word/document.xml laid out on its grid — `w:gridBefore` and `w:gridSpan` move
//! a cell right, a `w:vMerge` continuation is an empty cell under the merged one, as a
//! spreadsheet holds a merge — and the paragraphs outside the tables as prose.

use std::io::{BufReader, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::FileError;
use crate::grid::{Content, Grid, GridCell, cell};
use crate::load::{LoadError, MAX_CELLS, MAX_TEXT, MAX_UNZIPPED};
use crate::report::{Document, table_name};

/// Grid columns beyond this are not a table anyone writes (Word allows 63).
const MAX_GRID_COL: u32 = 1000;

fn val(e: &BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        (key == "w:val" || key == "val").then(|| a.value.to_string())
    })
}

fn number(e: &BytesStart<'_>) -> u32 {
    val(e).and_then(|v| v.trim().parse().ok()).unwrap_or(1)
}

/// One table being read.
#[derive(Default)]
struct Open {
    cells: Vec<GridCell>,
    row: u32,
    col: u32,
    in_row: bool,
    /// The current cell: its text, its span and whether it continues a vertical merge.
    text: Option<String>,
    span: u32,
    continues: bool,
}

/// Reads a .docx's tables and prose.
pub(crate) fn read(bytes: &[u8]) -> Result<Document, FileError> {
    let mut zip = crate::load::check_zip(bytes).map_err(crate::load_failure)?;
    let part = zip
        .by_name("word/document.xml")
        .map_err(|_| crate::load_failure(LoadError::Corrupt("no word/document.xml".into())))?;
    let mut reader = Reader::from_reader(BufReader::new(part.take(MAX_UNZIPPED as u64)));
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    parse(&mut reader).map_err(crate::load_failure)
}

fn parse<R: std::io::BufRead>(reader: &mut Reader<R>) -> Result<Document, LoadError> {
    let mut doc = Document::default();
    let mut buf = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut tables: Vec<Vec<GridCell>> = Vec::new();
    let mut para = String::new();
    let mut in_text = false;
    let mut cells = 0usize;
    let mut text_len = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(crate::load::corrupt)?;
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "w:tbl" => stack.push(Open::default()),
                "w:tr" => {
                    if let Some(t) = stack.last_mut() {
                        if t.in_row {
                            t.row += 1;
                        }
                        t.in_row = true;
                        t.col = 0;
                    }
                }
                "w:gridBefore" => {
                    if let Some(t) = stack.last_mut() {
                        t.col = t.col.saturating_add(number(&e)).min(MAX_GRID_COL);
                    }
                }
                "w:tc" => {
                    if let Some(t) = stack.last_mut() {
                        t.text = Some(String::new());
                        t.span = 1;
                        t.continues = false;
                        cells += 1;
                        if cells > MAX_CELLS {
                            return Err(LoadError::TooManyCells);
                        }
                    }
                }
                "w:gridSpan" => {
                    if let Some(t) = stack.last_mut() {
                        t.span = number(&e).clamp(1, MAX_GRID_COL);
                    }
                }
                "w:vMerge" => {
                    if let Some(t) = stack.last_mut() {
                        t.continues = val(&e).is_none_or(|v| v == "continue");
                    }
                }
                "w:t" => in_text = true,
                "w:tab" | "w:br" | "w:cr" => push_text(&mut stack, &mut para, " "),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.xml10_content();
                text_len += s.len();
                if text_len > MAX_TEXT {
                    return Err(LoadError::TooManyCells);
                }
                push_text(&mut stack, &mut para, &s);
            }
            Event::GeneralRef(r) if in_text => {
                let name: String = r.as_ref().to_string();
                let s = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".into(),
                    "gt" => ">".into(),
                    "quot" => "\"".into(),
                    "apos" => "'".into(),
                    _ => r
                        .resolve_char_ref()
                        .map_err(crate::load::corrupt)?
                        .map(String::from)
                        .unwrap_or_default(),
                };
                push_text(&mut stack, &mut para, &s);
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => match stack.last_mut() {
                    Some(t) => {
                        if let Some(text) = t.text.as_mut() {
                            text.push('\n');
                        }
                    }
                    None => {
                        let p = para.trim().to_string();
                        if !p.is_empty() {
                            doc.prose.push(p);
                        }
                        para.clear();
                    }
                },
                "w:tc" => {
                    if let Some(t) = stack.last_mut() {
                        let text = t.text.take().unwrap_or_default();
                        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !t.continues && !text.is_empty() {
                            t.cells.push(cell(t.row, t.col, Content::Text(text), None));
                        }
                        t.col = t.col.saturating_add(t.span).min(MAX_GRID_COL);
                    }
                }
                "w:tbl" => {
                    if let Some(t) = stack.pop() {
                        tables.push(t.cells);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    while let Some(t) = stack.pop() {
        tables.push(t.cells);
    }
    let p = para.trim();
    if !p.is_empty() {
        doc.prose.push(p.to_string());
    }
    doc.grids = tables
        .into_iter()
        .enumerate()
        .map(|(i, cells)| Grid::new(table_name(i + 1), false, cells))
        .collect();
    Ok(doc)
}

/// Text goes to the innermost open cell, or to the paragraph outside tables.
fn push_text(stack: &mut [Open], para: &mut String, s: &str) {
    match stack.last_mut() {
        Some(t) => {
            if let Some(text) = t.text.as_mut() {
                text.push_str(s);
            }
        }
        None => para.push_str(s),
    }
}
