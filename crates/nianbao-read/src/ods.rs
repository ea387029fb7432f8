//! A streaming .ods reader that keeps only the cells that hold something. calamine builds the
//! dense bounding box of a sheet, so one stray cell in a far corner costs gigabytes; here it
//! costs one cell.

use std::io::{BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::grid::{Content, Grid, GridCell, cell};
use crate::load::{LoadError, MAX_CELLS, MAX_TEXT, corrupt, weight};

/// Rows and columns beyond these are not spreadsheet positions any program writes.
const MAX_ROW: u64 = 1 << 20;
const MAX_COL: u64 = 1 << 14;

/// Reads every table of the document's content.xml (the archive as `check_zip` opened it).
pub fn load_ods(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<Vec<Grid>, LoadError> {
    let content = zip
        .by_name("content.xml")
        .map_err(|_| LoadError::Corrupt("no content.xml".into()))?;
    let mut reader = Reader::from_reader(BufReader::new(
        content.take(crate::load::MAX_UNZIPPED as u64),
    ));
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    parse(&mut reader)
}

struct Sheet {
    name: String,
    style: String,
    cells: Vec<GridCell>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, LoadError> {
    for a in e.attributes() {
        let a = a.map_err(corrupt)?;
        if a.key.as_ref() == name {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(corrupt)?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn repeat(e: &BytesStart<'_>, name: &str) -> Result<u64, LoadError> {
    Ok(attr(e, name)?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1))
}

fn parse<R: std::io::BufRead>(reader: &mut Reader<R>) -> Result<Vec<Grid>, LoadError> {
    let mut buf = Vec::new();
    let mut hidden_styles: Vec<String> = Vec::new();
    let mut style_name: Option<String> = None;
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut row_repeat: u64 = 1;
    let mut row_cells: Vec<GridCell> = Vec::new();
    let mut total = 0usize;
    let mut text = 0usize;
    loop {
        buf.clear();
        let ev = reader.read_event_into(&mut buf).map_err(corrupt)?;
        match ev {
            Event::Start(e) => match e.name().as_ref() {
                "style:style" => style_name = attr(&e, "style:name")?,
                "style:table-properties"
                    if attr(&e, "table:display")?.as_deref() == Some("false") =>
                {
                    hidden_styles.extend(style_name.clone());
                }
                "table:table" => {
                    sheets.push(Sheet {
                        name: attr(&e, "table:name")?.unwrap_or_default(),
                        style: attr(&e, "table:style-name")?.unwrap_or_default(),
                        cells: Vec::new(),
                    });
                    row = 0;
                }
                "table:table-row" => {
                    row_repeat = repeat(&e, "table:number-rows-repeated")?;
                    col = 0;
                    row_cells.clear();
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let (content, formula, n) = read_cell(reader, &e)?;
                    if content != Content::Empty || formula.is_some() {
                        let w = weight(&content, &formula);
                        for k in 0..n {
                            let c = col + k;
                            if c >= MAX_COL || row >= MAX_ROW {
                                break;
                            }
                            total += 1;
                            text += w;
                            if total > MAX_CELLS || text > MAX_TEXT {
                                return Err(LoadError::TooManyCells);
                            }
                            row_cells.push(cell(
                                row as u32,
                                c as u32,
                                content.clone(),
                                formula.clone(),
                            ));
                        }
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    if let Some(sheet) = sheets.last_mut()
                        && !row_cells.is_empty()
                    {
                        // A repeated row with content repeats its cells (rare; capped).
                        let w: usize = row_cells
                            .iter()
                            .map(|c| weight(&c.content, &c.formula))
                            .sum();
                        for k in 0..row_repeat {
                            if row + k >= MAX_ROW {
                                break;
                            }
                            if k > 0 {
                                total += row_cells.len();
                                text += w;
                                if total > MAX_CELLS || text > MAX_TEXT {
                                    return Err(LoadError::TooManyCells);
                                }
                            }
                            let at = (row + k) as u32;
                            sheet.cells.extend(row_cells.iter().map(|c| GridCell {
                                row: at,
                                ..c.clone()
                            }));
                        }
                    }
                    row = row.saturating_add(row_repeat);
                    row_cells.clear();
                }
                "office:spreadsheet" => break,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(sheets
        .into_iter()
        .map(|s| {
            let hidden = hidden_styles.contains(&s.style);
            Grid::new(s.name, hidden, s.cells)
        })
        .collect())
}

/// The attributes of a table cell the reader looks at, each the first of its name.
#[derive(Default)]
struct CellAttrs {
    formula: Option<String>,
    value_type: Option<String>,
    calc_value_type: Option<String>,
    value: Option<String>,
    boolean: Option<String>,
    date: Option<String>,
    time: Option<String>,
    string: Option<String>,
    repeated: Option<String>,
}

/// Reads a cell's attributes in one pass (not one pass a name: most cells of a return are
/// numbers with four or five attributes each).
fn cell_attrs(e: &BytesStart<'_>) -> Result<CellAttrs, LoadError> {
    let mut at = CellAttrs::default();
    for a in e.attributes() {
        let a = a.map_err(corrupt)?;
        let slot = match a.key.as_ref() {
            "table:formula" => &mut at.formula,
            "office:value-type" => &mut at.value_type,
            "calcext:value-type" => &mut at.calc_value_type,
            "office:value" => &mut at.value,
            "office:boolean-value" => &mut at.boolean,
            "office:date-value" => &mut at.date,
            "office:time-value" => &mut at.time,
            "office:string-value" => &mut at.string,
            "table:number-columns-repeated" => &mut at.repeated,
            _ => continue,
        };
        if slot.is_none() {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(corrupt)?;
            *slot = Some(value.into_owned());
        }
    }
    Ok(at)
}

/// A cell's value, formula and column repeat; consumes the cell's content up to its end tag.
fn read_cell<R: std::io::BufRead>(
    reader: &mut Reader<R>,
    e: &BytesStart<'_>,
) -> Result<(Content, Option<String>, u64), LoadError> {
    let at = cell_attrs(e)?;
    let repeated = at
        .repeated
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let formula = at.formula.filter(|f| !f.is_empty());
    let vtype = at.value_type.or(at.calc_value_type);
    let value = match vtype.as_deref() {
        Some("float" | "percentage" | "currency") => {
            let v = at.value.unwrap_or_default();
            Some(match v.trim().parse::<f64>() {
                Ok(f) => Content::Float(f),
                Err(_) => Content::Text(v),
            })
        }
        Some("boolean") => Some(Content::Bool(matches!(
            at.boolean.as_deref(),
            Some("true" | "TRUE")
        ))),
        Some("date") => Some(Content::Date(at.date.unwrap_or_default())),
        Some("time") => Some(Content::Date(at.time.unwrap_or_default())),
        Some("error") => None, // the text holds the error (#REF!, Err:502)
        _ => at.string.map(Content::Text),
    };
    let text = read_text(reader)?;
    let content = match (value, vtype.as_deref()) {
        (Some(v), _) => v,
        (None, Some("error")) => Content::Error(text),
        (None, Some(_)) => Content::Text(text),
        (None, None) if !text.is_empty() => Content::Text(text),
        (None, None) => Content::Empty,
    };
    Ok((content, formula, repeated))
}

/// The paragraphs of a cell, joined by line breaks; annotations (comments) are skipped.
fn read_text<R: std::io::BufRead>(reader: &mut Reader<R>) -> Result<String, LoadError> {
    let mut s = String::new();
    let mut buf = Vec::new();
    let mut paragraphs = 0;
    let mut in_note = 0u32;
    let mut in_p = 0u32;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(corrupt)? {
            Event::Start(e) => match e.name().as_ref() {
                "office:annotation" => in_note += 1,
                "text:p" | "text:h" if in_note == 0 => {
                    if paragraphs > 0 {
                        s.push('\n');
                    }
                    paragraphs += 1;
                    in_p += 1;
                }
                "text:s" if in_note == 0 => {
                    let n = repeat(&e, "text:c")?.min(1000);
                    s.extend(std::iter::repeat_n(' ', n as usize));
                }
                "text:tab" if in_note == 0 => s.push('\t'),
                "text:line-break" if in_note == 0 => s.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "office:annotation" => in_note = in_note.saturating_sub(1),
                "text:p" | "text:h" if in_note == 0 => in_p = in_p.saturating_sub(1),
                "table:table-cell" | "table:covered-table-cell" => return Ok(s),
                _ => {}
            },
            Event::Text(t) if in_note == 0 && in_p > 0 => s.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_note == 0 && in_p > 0 => {
                let name: String = r.as_ref().to_string();
                match name.as_str() {
                    "amp" => s.push('&'),
                    "lt" => s.push('<'),
                    "gt" => s.push('>'),
                    "quot" => s.push('"'),
                    "apos" => s.push('\''),
                    _ => s.extend(r.resolve_char_ref().map_err(corrupt)?),
                }
            }
            Event::Eof => return Err(LoadError::Corrupt("content.xml ends inside a cell".into())),
            _ => {}
        }
        if s.len() > 1 << 20 {
            return Err(LoadError::Corrupt(
                "a cell holds more than 1 MiB of text".into(),
            ));
        }
    }
}
