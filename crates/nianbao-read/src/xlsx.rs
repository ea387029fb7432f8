//! A lean .xlsx reader: the cells calamine's cell stream gives, in two thirds of its time (1,347
//! returns on one thread: 0.20 s against 0.31 s), or a refusal to read the file at all
//! ([`Outcome::Declined`]) — then calamine reads it.
//!
//! calamine opens a workbook for every purpose: it parses the theme, fonts, fills and borders,
//! and reads XML through a general event reader. A return needs none of that. This reader opens
//! the zip once, inflates the parts cell values come from (package and workbook relationships,
//! workbook, shared strings, the number formats of the styles, the worksheets) and walks their
//! XML with a flat tokenizer whose events are quick-xml's as calamine configures it (empty
//! elements expanded to start and end), so each loop below is calamine's loop over the same
//! events: the same cells, positions, values, dates and formula texts.
//!
//! Whatever it does not reproduce exactly it declines rather than guesses: CDATA and DOCTYPEs,
//! a comment where calamine reads only the first event (a number's `<v>`), entities other than
//! XML's own, numbers in any spelling but the plain one, malformed attributes, missing parts,
//! and every case where calamine would fail. Declining costs only time. Of calamine's own 66
//! test workbooks (Excel, LibreOffice and odder writers; checked once, they are not in this
//! repository) it reads 64 as calamine does and declines 2 (CDATA; a member whose CRC-32 is
//! wrong). `tests/lean_xlsx.rs` and the `lean_xlsx` fuzz target hold the two readers to the
//! same grids.
//!
//! Ported from calamine 0.38 (MIT, © Johann Tuffe): the `_xHHHH_` unescaping and the test for
//! date number formats.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

mod xml;

use crate::grid::{Content, Grid, GridCell, cell};
use crate::load::{LoadError, MAX_CELLS, MAX_TEXT, MAX_UNZIPPED, check_archive, weight};
use xml::{Attrs, Tok, Tokens, attrs_of, local, unescape, xml10_line_ends};

/// What the lean reader made of a file.
#[derive(Debug)]
pub enum Outcome {
    /// Every worksheet, as calamine's cell stream reads it; and the nianbao marker, if any.
    Read {
        grids: Vec<Grid>,
        mark: Option<String>,
    },
    /// A verdict that does not depend on the reader: too large, or too many cells.
    Refused(LoadError),
    /// Something this reader does not read exactly as calamine would (why, for tests).
    Declined(&'static str),
}

/// Why reading stopped.
enum Stop {
    Refused(LoadError),
    Declined(&'static str),
}

type Res<T> = Result<T, Stop>;

fn declined<T>(why: &'static str) -> Res<T> {
    Err(Stop::Declined(why))
}

/// Reads an .xlsx (or .xlsm) held in memory.
pub fn read(bytes: &[u8]) -> Outcome {
    match read_book(bytes) {
        Ok((grids, mark)) => Outcome::Read { grids, mark },
        Err(Stop::Refused(e)) => Outcome::Refused(e),
        Err(Stop::Declined(why)) => Outcome::Declined(why),
    }
}

/// The zip, its members by calamine's lookup key (lower case, `/` for `\`).
struct Package<'b> {
    zip: zip::ZipArchive<Cursor<&'b [u8]>>,
    names: HashMap<String, usize>,
}

impl<'b> Package<'b> {
    fn open(bytes: &'b [u8]) -> Res<Package<'b>> {
        let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
            return declined("not a zip");
        };
        // The calamine path's bounds, on the archive opened once: its verdict would be the same.
        check_archive(&mut zip).map_err(Stop::Refused)?;
        let mut names = HashMap::with_capacity(zip.len());
        for i in 0..zip.len() {
            let Some(Ok(name)) = zip.name_for_index(i) else {
                return declined("zip entry name");
            };
            let key = name.replace('\\', "/").to_ascii_lowercase();
            if names.insert(key, i).is_some() {
                return declined("two members with one name");
            }
        }
        Ok(Package { zip, names })
    }

    /// A member's text, None when there is no such member (as calamine looks it up).
    fn part(&mut self, path: &str) -> Res<Option<String>> {
        if path.contains('\\') {
            return declined("backslash in a path");
        }
        let Some(&i) = self.names.get(&path.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let Ok(entry) = self.zip.by_index(i) else {
            return declined("zip member");
        };
        // Read to the end (the zip reader checks the CRC there), but no further than declared.
        let size = entry.size();
        let mut buf = Vec::with_capacity(size.min(MAX_UNZIPPED as u64) as usize);
        if entry.take(size + 1).read_to_end(&mut buf).is_err() || buf.len() as u64 > size {
            return declined("zip member");
        }
        match String::from_utf8(buf) {
            Ok(s) => Ok(Some(s)),
            Err(_) => declined("not UTF-8"),
        }
    }
}

fn read_book(bytes: &[u8]) -> Res<(Vec<Grid>, Option<String>)> {
    let mut pkg = Package::open(bytes)?;
    let (xl, workbook_name) = office_document(&pkg.part("_rels/.rels")?.ok_or(no_part())?)?;
    let strings = match pkg.part(&format!("{xl}sharedStrings.xml"))? {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let dates = match pkg.part(&format!("{xl}styles.xml"))? {
        Some(xml) => date_styles(&xml)?,
        None => Vec::new(),
    };
    let rels_path = format!("{xl}_rels/{workbook_name}.rels");
    let rels = relationships(&pkg.part(&rels_path)?.ok_or(no_part())?)?;
    let workbook = pkg
        .part(&format!("{xl}{workbook_name}"))?
        .ok_or(no_part())?;
    let sheets = sheets(&workbook, &rels, &xl)?;

    let mut budget = Budget::default();
    let mut grids = Vec::new();
    for s in sheets.iter().filter(|s| s.worksheet) {
        // calamine finds a sheet's part by its name: the first sheet of that name.
        let path = &sheets.iter().find(|o| o.name == s.name).unwrap_or(s).path;
        let xml = pkg.part(path)?.ok_or(no_part())?;
        let cells = sheet_cells(&xml, &strings, &dates, &mut budget)?;
        grids.push(Grid::new(s.name.clone(), s.hidden, cells));
    }
    let mark = crate::mark::in_archive(&mut pkg.zip);
    Ok((grids, mark))
}

fn no_part() -> Stop {
    Stop::Declined("part missing")
}

/// `_rels/.rels`: the folder and name of the workbook part ("xl/", "workbook.xml").
fn office_document(xml: &str) -> Res<(String, String)> {
    let mut x = Tokens::new(xml);
    x.skip_to_start("Relationships")?;
    let mut target = None;
    loop {
        match x.next()? {
            Tok::Start { name, attrs } if local(name) == "Relationship" => {
                let [typ, t] = attrs_of(attrs, ["Type", "Target"])?;
                if typ.is_some_and(|t| t.ends_with("/relationships/officeDocument"))
                    && let Some(t) = t
                {
                    target = Some(unescape(t)?.into_owned());
                }
            }
            Tok::End(name) if local(name) == "Relationships" => break,
            Tok::Eof => return declined("no Relationships end"),
            _ => {}
        }
    }
    let Some(target) = target else {
        return declined("no office document");
    };
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    Ok((dir, name.to_string()))
}

/// The workbook's relationships: id → (target, type), raw as calamine keeps them.
fn relationships(xml: &str) -> Res<HashMap<String, (String, String)>> {
    let mut x = Tokens::new(xml);
    let mut rels = HashMap::new();
    loop {
        match x.next()? {
            Tok::Start { name, attrs } if local(name) == "Relationship" => {
                let [id, typ, target] = attrs_of(attrs, ["Id", "Type", "Target"])?;
                if let Some(id) = id {
                    rels.insert(
                        id.to_string(),
                        (
                            target.unwrap_or_default().to_string(),
                            typ.unwrap_or_default().to_string(),
                        ),
                    );
                }
            }
            Tok::End(name) if local(name) == "Relationships" => return Ok(rels),
            Tok::Eof => return declined("no Relationships end"),
            _ => {}
        }
    }
}

struct SheetEntry {
    name: String,
    hidden: bool,
    worksheet: bool,
    path: String,
}

/// The workbook's sheets in order, as calamine lists them.
fn sheets(xml: &str, rels: &HashMap<String, (String, String)>, xl: &str) -> Res<Vec<SheetEntry>> {
    let mut x = Tokens::new(xml);
    let mut out = Vec::new();
    loop {
        match x.next()? {
            Tok::Start { name, attrs } if local(name) == "sheet" => {
                let mut sheet_name = String::new();
                let mut rel_id = "";
                let mut hidden = false;
                for a in Attrs(attrs) {
                    let (key, val) = a?;
                    match key {
                        "name" => sheet_name = unescape(val)?.into_owned(),
                        "state" => {
                            hidden = match val {
                                "visible" => false,
                                "hidden" | "veryHidden" => true,
                                _ => return declined("sheet state"),
                            }
                        }
                        k if k == "id" || k.ends_with(":id") => rel_id = val,
                        _ => {}
                    }
                }
                let Some((target, typ)) = rels.get(rel_id) else {
                    return declined("sheet relationship");
                };
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("{xl}{target}"),
                };
                let worksheet = match typ.rsplit('/').next() {
                    Some("worksheet") => true,
                    Some("chartsheet" | "dialogsheet") => false,
                    _ => return declined("sheet type"),
                };
                out.push(SheetEntry {
                    name: sheet_name,
                    hidden,
                    worksheet,
                    path,
                });
            }
            Tok::End(name) if local(name) == "workbook" => return Ok(out),
            Tok::Eof => return declined("no workbook end"),
            _ => {}
        }
    }
}

/// sharedStrings.xml: the strings in order.
fn shared_strings(xml: &str) -> Res<Vec<String>> {
    let mut x = Tokens::new(xml);
    x.skip_to_start("sst")?;
    let mut strings = Vec::new();
    loop {
        match x.next()? {
            Tok::Start { name, .. } if local(name) == "si" => strings.push(string(&mut x, name)?),
            Tok::End(name) if local(name) == "sst" => return Ok(strings),
            Tok::Eof => return declined("no sst end"),
            _ => {}
        }
    }
}

/// A string item (`<si>` or `<is>`, up to its end `closing`): its `<t>` texts outside phonetic
/// runs, each trimmed unless `xml:space="preserve"`, Excel's `_xHHHH_` escapes undone.
fn string(x: &mut Tokens<'_>, closing: &str) -> Res<String> {
    let mut rich: Option<String> = None;
    let mut phonetic = false;
    loop {
        match x.next()? {
            Tok::Start { name, .. } if local(name) == "r" && rich.is_none() => {
                rich = Some(String::new());
            }
            Tok::Start { name, .. } if local(name) == "rPh" => phonetic = true,
            Tok::End(name) if name == closing => return Ok(rich.unwrap_or_default()),
            Tok::End(name) if local(name) == "rPh" => phonetic = false,
            Tok::Start { name, attrs } if local(name) == "t" && !phonetic => {
                let [space] = attrs_of(attrs, ["xml:space"])?;
                let text = text_until(x, name)?;
                let text = if space == Some("preserve") {
                    &text
                } else {
                    text.trim_matches([' ', '\t', '\r', '\n'])
                };
                let text = unescape_excel(text);
                match &mut rich {
                    Some(s) => s.push_str(&text),
                    None => rich = Some(text.into_owned()),
                }
            }
            Tok::Eof => return declined("string end"),
            _ => {}
        }
    }
}

/// The text up to the end of element `name`, entities decoded; nested elements are skipped but
/// their text kept (as calamine reads `<t>` and `<f>`).
fn text_until(x: &mut Tokens<'_>, name: &str) -> Res<String> {
    let mut out = String::new();
    loop {
        match x.next()? {
            Tok::Text(t) => out.push_str(&unescape(&xml10_line_ends(t))?),
            Tok::End(n) if n == name => return Ok(out),
            Tok::Eof => return declined("text end"),
            _ => {}
        }
    }
}

/// styles.xml: for each cell format (`cellXfs`), whether its number format shows a date or a
/// time (calamine then reads the number as a date).
fn date_styles(xml: &str) -> Res<Vec<bool>> {
    let mut x = Tokens::new(xml);
    let mut custom: HashMap<&str, bool> = HashMap::new();
    let mut dates = Vec::new();
    loop {
        match x.next()? {
            Tok::Start { name, .. } if local(name) == "numFmts" => loop {
                match x.next()? {
                    Tok::Start { name, attrs } if local(name) == "numFmt" => {
                        if let [Some(id), Some(code)] = attrs_of(attrs, ["numFmtId", "formatCode"])?
                        {
                            custom.insert(id, is_date_format(&unescape(code)?));
                        }
                    }
                    Tok::End(name) if local(name) == "numFmts" => break,
                    Tok::Eof => return declined("numFmts end"),
                    _ => {}
                }
            },
            Tok::Start { name, .. } if local(name) == "cellXfs" => loop {
                match x.next()? {
                    Tok::Start { name, attrs } if local(name) == "xf" => {
                        let [id] = attrs_of(attrs, ["numFmtId"])?;
                        dates.push(id.is_some_and(|id| {
                            custom.get(id).copied().unwrap_or_else(|| is_date_id(id))
                        }));
                        loop {
                            match x.next()? {
                                Tok::End(n) if local(n) == "xf" => break,
                                Tok::Eof => return declined("xf end"),
                                _ => {}
                            }
                        }
                    }
                    Tok::End(name) if local(name) == "cellXfs" => break,
                    Tok::Eof => return declined("cellXfs end"),
                    _ => {}
                }
            },
            Tok::End(name) if local(name) == "styleSheet" => return Ok(dates),
            Tok::Eof => return declined("styleSheet end"),
            _ => {}
        }
    }
}

/// Built-in number formats that show dates or times (calamine's `builtin_format_by_id`; the id
/// compared as written, as calamine does).
fn is_date_id(id: &str) -> bool {
    const DATES: [&str; 31] = [
        "14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "46", "47", "27", "28", "29",
        "30", "31", "32", "33", "34", "35", "36", "50", "51", "52", "53", "54", "55", "56", "57",
        "58",
    ];
    DATES.contains(&id)
}

/// Whether a custom number format shows a date or a time (calamine's
/// `detect_custom_number_format`, DateTime or TimeDelta).
fn is_date_format(format: &str) -> bool {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return false,
            ('[', ..) => brackets = brackets.wrapping_add(1),
            (']', .., 1) if hms => return true,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return true,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return true;
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    false
}

/// The per-file bounds of load.rs, counted over all sheets.
#[derive(Default)]
struct Budget {
    cells: usize,
    text: usize,
}

/// A worksheet's cells, as calamine's `next_cell_with_formula` streams them.
fn sheet_cells(
    xml: &str,
    strings: &[String],
    dates: &[bool],
    budget: &mut Budget,
) -> Res<Vec<GridCell>> {
    let mut x = Tokens::new(xml);
    loop {
        match x.next()? {
            Tok::Start { name, attrs } => match local(name) {
                "dimension" => {
                    let [r] = attrs_of(attrs, ["ref"])?;
                    if r.and_then(dimension_start).is_none() {
                        return declined("dimension");
                    }
                }
                "sheetData" => break,
                _ => {}
            },
            Tok::Eof => return declined("no sheetData"),
            _ => {}
        }
    }
    let mut cells = Vec::new();
    let mut shared = HashMap::new();
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        match x.next()? {
            Tok::Start { name, attrs } if local(name) == "row" => {
                if let [Some(r)] = attrs_of(attrs, ["r"])? {
                    row = row_col(r)?.0;
                }
            }
            Tok::End(name) if local(name) == "row" => {
                row = row.wrapping_add(1);
                col = 0;
            }
            Tok::Start { name, attrs } if local(name) == "c" => {
                let [r, s, t] = attrs_of(attrs, ["r", "s", "t"])?;
                let pos = match r {
                    Some(r) => match row_col(r)? {
                        (rr, Some(cc)) => {
                            col = cc;
                            (rr, cc)
                        }
                        _ => return declined("cell reference"),
                    },
                    None => (row, col),
                };
                let (content, formula) =
                    cell_body(&mut x, (pos, s, t), (strings, dates), &mut shared)?;
                col = col.wrapping_add(1);
                let formula = formula.filter(|f| !f.is_empty());
                if content == Content::Empty && formula.is_none() {
                    continue;
                }
                budget.cells += 1;
                budget.text += weight(&content, &formula);
                if budget.cells > MAX_CELLS || budget.text > MAX_TEXT {
                    return Err(Stop::Refused(LoadError::TooManyCells));
                }
                cells.push(cell(pos.0, pos.1, content, formula));
            }
            Tok::End(name) if local(name) == "sheetData" => return Ok(cells),
            Tok::Eof => return declined("no sheetData end"),
            _ => {}
        }
    }
}

/// A `<c>`'s value and formula text, up to its end.
fn cell_body(
    x: &mut Tokens<'_>,
    (pos, s, t): ((u32, u32), Option<&str>, Option<&str>),
    (strings, dates): (&[String], &[bool]),
    shared: &mut HashMap<usize, (String, (u32, u32))>,
) -> Res<(Content, Option<String>)> {
    let mut content = Content::Empty;
    let mut formula = None;
    loop {
        match x.next()? {
            Tok::Start { name, attrs } => match local(name) {
                "f" => {
                    let text = text_until(x, name)?;
                    formula = shared_formula(attrs, text, pos, shared)?;
                }
                "is" => content = Content::Text(string(x, name)?),
                "v" => content = value(x, name, s, t, strings, dates)?,
                _ => return declined("element in a cell"),
            },
            Tok::End(name) if local(name) == "c" => return Ok((content, formula)),
            Tok::Eof => return declined("no cell end"),
            _ => {}
        }
    }
}

/// A formula's text at `pos` (calamine's `read_formula_record`): a shared formula's anchor
/// keeps its text for the cells of its group, which get it with their references moved by
/// calamine's own `expand_shared_formula`; a cell of a group whose anchor has not been met has
/// none.
fn shared_formula(
    attrs: &str,
    text: String,
    pos: (u32, u32),
    shared: &mut HashMap<usize, (String, (u32, u32))>,
) -> Res<Option<String>> {
    let [t, si, range] = attrs_of(attrs, ["t", "si", "ref"])?;
    if t != Some("shared") {
        return Ok(Some(text));
    }
    let Some(si) = si.and_then(index) else {
        return declined("shared formula index");
    };
    match range {
        Some(range) => {
            let Some(start) = dimension_start(range) else {
                return declined("shared formula range");
            };
            shared.insert(si, (text.clone(), start));
            Ok(Some(text))
        }
        None => match shared.get(&si) {
            Some((template, start)) => match calamine::expand_shared_formula(template, *start, pos)
            {
                Ok(f) => Ok(Some(f)),
                Err(_) => declined("shared formula"),
            },
            None => Ok(None),
        },
    }
}

/// A `<v>`'s value by the cell's type `t` and style `s` (calamine's `read_value`/`read_v`).
fn value(
    x: &mut Tokens<'_>,
    name: &str,
    s: Option<&str>,
    t: Option<&str>,
    strings: &[String],
    dates: &[bool],
) -> Res<Content> {
    match t {
        Some("inlineStr" | "is") => {
            skip_to_end(x, name)?;
            Ok(Content::Empty)
        }
        Some("n" | "s" | "b" | "e") | None => {
            // calamine reads the first event only, raw.
            let v = match x.next()? {
                Tok::End(n) if n == name => return Ok(Content::Empty),
                Tok::Text(v) => v,
                _ => return declined("value"),
            };
            match x.next()? {
                Tok::End(n) if n == name => {}
                _ => return declined("value"),
            }
            if v.contains('&') || v.is_empty() {
                return declined("value");
            }
            Ok(match t {
                Some("s") => {
                    let Some(s) = index(v).and_then(|i| strings.get(i)) else {
                        return declined("shared string index");
                    };
                    Content::Text(s.clone())
                }
                Some("b") => match v.trim() {
                    "" => Content::Empty,
                    "0" => Content::Bool(false),
                    "1" => Content::Bool(true),
                    b if b.eq_ignore_ascii_case("false") => Content::Bool(false),
                    b if b.eq_ignore_ascii_case("true") => Content::Bool(true),
                    _ => return declined("boolean"),
                },
                Some("e") => match v {
                    "#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!" => {
                        Content::Error(v.to_string())
                    }
                    _ => return declined("error value"),
                },
                _ => {
                    let Some(n) = plain_number(v) else {
                        return declined("number spelling");
                    };
                    let date = match s {
                        None => false,
                        // calamine reads a style it cannot parse as 0; an empty one is the
                        // only such case known to be written (an empty `s=""`).
                        Some("") => dates.first().copied().unwrap_or(false),
                        Some(s) => match index(s) {
                            Some(i) => dates.get(i).copied().unwrap_or(false),
                            None => return declined("style index"),
                        },
                    };
                    if date {
                        Content::Date(crate::load::excel_date_text(n))
                    } else {
                        Content::Float(n)
                    }
                }
            })
        }
        Some("str") => Ok(Content::Text(
            unescape_excel(&text_until(x, name)?).into_owned(),
        )),
        Some("d") => Ok(Content::Date(text_until(x, name)?)),
        Some(_) => declined("cell type"),
    }
}

/// Skips to the end of element `name` (quick-xml's `read_to_end`: nested ones of the same name
/// counted).
fn skip_to_end(x: &mut Tokens<'_>, name: &str) -> Res<()> {
    let mut depth = 0u32;
    loop {
        match x.next()? {
            Tok::Start { name: n, .. } if n == name => depth += 1,
            Tok::End(n) if n == name => {
                if depth == 0 {
                    return Ok(());
                }
                depth -= 1;
            }
            Tok::Eof => return declined("no end"),
            _ => {}
        }
    }
}

/// A non-negative index in plain digits, no leading zero.
fn index(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.is_empty()
        || b.len() > 18
        || !b.iter().all(u8::is_ascii_digit)
        || (b.len() > 1 && b[0] == b'0')
    {
        return None;
    }
    s.parse().ok()
}

/// A number spelt `-?digits[.digits][E[+-]digits]`: what Excel, WPS and LibreOffice write, read
/// to the same f64 as calamine's parser (both round correctly). Any other spelling: None.
fn plain_number(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    v.parse().ok()
}

/// A cell reference's 0-based row and column (column optional), as calamine parses it; declined
/// where calamine fails or its arithmetic would overflow.
fn row_col(r: &str) -> Res<(u32, Option<u32>)> {
    let b = r.as_bytes();
    let mut i = 0;
    let mut col: u32 = 0;
    while i < b.len() && b[i].is_ascii_alphabetic() {
        let Some(c) = col
            .checked_mul(26)
            .and_then(|c| c.checked_add(u32::from(b[i].to_ascii_uppercase() - b'A') + 1))
        else {
            return declined("reference");
        };
        col = c;
        i += 1;
    }
    let mut row: u32 = 0;
    let mut any = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let Some(r) = row
            .checked_mul(10)
            .and_then(|r| r.checked_add(u32::from(b[i] - b'0')))
        else {
            return declined("reference");
        };
        row = r;
        any = true;
        i += 1;
    }
    if i != b.len() || !any || row == 0 {
        return declined("reference");
    }
    Ok((row - 1, col.checked_sub(1)))
}

/// The first cell of a range calamine accepts (`get_dimension`): one or two cell references
/// with columns.
fn dimension_start(r: &str) -> Option<(u32, u32)> {
    let mut start = None;
    for (i, p) in r.split(':').enumerate() {
        match row_col(p) {
            Ok((row, Some(col))) if i < 2 => start = start.or(Some((row, col))),
            _ => return None,
        }
    }
    start
}

/// Excel's `_xHHHH_` escapes (UTF-16 code units) undone; an unpaired surrogate becomes U+FFFD
/// (calamine's `unescape_xml`).
fn unescape_excel(s: &str) -> Cow<'_, str> {
    const LEN: usize = 7;
    let unit_at = |i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + LEN)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    let find = |mut start: usize| -> Option<(usize, u16)> {
        while let Some(off) = s[start..].find('_') {
            let i = start + off;
            if let Some(u) = unit_at(i) {
                return Some((i, u));
            }
            start = i + 1;
        }
        None
    };
    let Some((mut i, mut unit)) = find(0) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    loop {
        out.push_str(&s[copied..i]);
        i += LEN;
        match unit {
            0xD800..=0xDBFF => match unit_at(i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += LEN;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
        match find(i) {
            Some(next) => (i, unit) = next,
            None => break,
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_the_plain_spelling_only() {
        assert_eq!(plain_number("12"), Some(12.0));
        assert_eq!(plain_number("-0.5"), Some(-0.5));
        assert_eq!(plain_number("1.5E-3"), Some(0.0015));
        for odd in [
            "", "+1", ".5", "1.", "1e", "inf", "NaN", " 1", "1 ", "0x10", "1,5",
        ] {
            assert_eq!(plain_number(odd), None, "{odd}");
        }
    }

    #[test]
    fn references_parse_as_calamine_parses_them() {
        assert_eq!(row_col("A1").ok(), Some((0, Some(0))));
        assert_eq!(row_col("xfd1048576").ok(), Some((1_048_575, Some(16_383))));
        assert_eq!(row_col("7").ok(), Some((6, None)));
        for bad in [
            "A",
            "A0",
            "1A",
            "A1:",
            "A-1",
            "AAAAAAAAAAAAAA1",
            "A99999999999",
        ] {
            assert!(row_col(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn excel_escapes_are_undone() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_excel("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(unescape_excel("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_excel("plain_x"), "plain_x");
    }

    #[test]
    fn date_formats_are_told_apart() {
        assert!(is_date_format("yyyy-mm-dd"));
        assert!(is_date_format("[h]:mm:ss"));
        assert!(!is_date_format("0.00"));
        assert!(!is_date_format("#,##0;[Red]-#,##0"));
        assert!(!is_date_format("\"d\"0"));
        assert!(is_date_id("14") && !is_date_id("0") && !is_date_id("014"));
    }
}
