//! Worksheet rows rendered as the sheet XML rust_xlsxwriter writes for them, byte for byte: a
//! sheet's bulk (one row per unit, per file) is rendered here in parallel and deflated in parts
//! ([`crate::zipsplice`]) where rust_xlsxwriter left a probe row, instead of stored cell by cell
//! and written on one thread. The probe row holds one cell in each format the rows use; the
//! style (xf) indices rust_xlsxwriter gave those formats are read from it.

use std::io::Write;

use nianbao_format::column_name;
use rayon::prelude::*;
use rust_xlsxwriter::XlsxError;

use crate::WriteError;
use crate::zipsplice::{DeflateMemo, Part, Parts, SpliceError};

/// Excel's limit on the text of one cell, in UTF-16 code units.
const TEXT_MAX: usize = 32_767;

/// The probe row of a sheet: where it is in the sheet's XML, what its `<row>` tag carries
/// besides `r`, and the style index of each of its cells, in order.
pub struct Probe {
    pub start: usize,
    pub end: usize,
    pub row_attrs: String,
    pub styles: Vec<u32>,
}

/// The probe row `r` (1-based) of a sheet's XML.
pub fn probe(xml: &str, r: usize) -> Option<Probe> {
    let open = format!("<row r=\"{r}\"");
    let start = xml.find(&open)?;
    let tag_end = start + xml[start..].find('>')?;
    let row_attrs = xml[start + open.len()..tag_end].to_string();
    let end = tag_end + xml[tag_end..].find("</row>")? + "</row>".len();
    let mut styles = Vec::new();
    for cell in xml[tag_end..end].split("<c ").skip(1) {
        let attrs = &cell[..cell.find('>')?];
        let style = match attrs.find(" s=\"") {
            Some(at) => {
                let v = &attrs[at + 4..];
                v[..v.find('"')?].parse().ok()?
            }
            None => 0,
        };
        styles.push(style);
    }
    Some(Probe {
        start,
        end,
        row_attrs,
        styles,
    })
}

/// A list sheet's XML as rust_xlsxwriter saved it, split around its probe row: what comes
/// before the probe, the cells in the probe's styles, and what follows the rows (from
/// `</sheetData>` on).
pub struct AroundProbe<'x> {
    pub head: &'x [u8],
    pub cells: Cells,
    pub rest: &'x str,
}

/// Splits `xml` around its probe row `r` (1-based), which holds at least `roles` cells (the
/// first `roles` are the probe's; a sheet one row long has its last cell there too), for rows
/// `width` columns wide.
pub fn around_probe(
    xml: &[u8],
    r: usize,
    roles: usize,
    width: usize,
) -> Result<AroundProbe<'_>, SpliceError> {
    let not_ours = || SpliceError::Format("a list sheet without its probe row");
    let xml = std::str::from_utf8(xml).map_err(|_| not_ours())?;
    let p = probe(xml, r)
        .filter(|p| p.styles.len() >= roles)
        .ok_or_else(not_ours)?;
    let data_end = p.end + xml[p.end..].find("</sheetData>").ok_or_else(not_ours)?;
    Ok(AroundProbe {
        head: &xml.as_bytes()[..p.start],
        cells: Cells::new(width, &p.styles[..roles]),
        rest: &xml[data_end..],
    })
}

/// Writes the cells of rows, in the styles (by role: the index of the probe's cell) read from
/// the probe row.
pub struct Cells {
    /// `<c r="A` to the last column: each cell's start up to its row number.
    cols: Vec<Vec<u8>>,
    /// What ends a cell's start by role: `" s="N"`, or `"` for style 0 (no attribute).
    styles: Vec<Vec<u8>>,
}

impl Cells {
    /// Cells in `width` columns, in the probe's `styles`.
    pub fn new(width: usize, styles: &[u32]) -> Cells {
        Cells {
            cols: (0..width as u32)
                .map(|c| format!("<c r=\"{}", column_name(c)).into_bytes())
                .collect(),
            styles: styles
                .iter()
                .map(|&s| match s {
                    0 => b"\"".to_vec(),
                    s => format!("\" s=\"{s}\"").into_bytes(),
                })
                .collect(),
        }
    }

    /// `<c r="E12" s="3"`: a cell's start, with the style of its role.
    fn open(&self, buf: &mut Vec<u8>, c: usize, r: &[u8], role: usize) {
        buf.extend_from_slice(&self.cols[c]);
        buf.extend_from_slice(r);
        buf.extend_from_slice(&self.styles[role]);
    }

    /// A whole number as rust_xlsxwriter prints the cell's `f64`: below 2^53 it prints as the
    /// integer does.
    pub fn integer(&self, buf: &mut Vec<u8>, c: usize, r: &[u8], role: usize, v: i64) {
        if v.unsigned_abs() >= 1 << 53 {
            return self.number(buf, c, r, role, v as f64);
        }
        self.open(buf, c, r, role);
        buf.extend_from_slice(b"><v>");
        if v < 0 {
            buf.push(b'-');
        }
        let mut digits = [0; 20];
        buf.extend_from_slice(decimal(v.unsigned_abs(), &mut digits));
        buf.extend_from_slice(b"</v></c>");
    }

    /// A number as rust_xlsxwriter prints it (`{}` of the `f64`).
    pub fn number(&self, buf: &mut Vec<u8>, c: usize, r: &[u8], role: usize, v: f64) {
        self.open(buf, c, r, role);
        let _ = write!(buf, "><v>{v}</v></c>");
    }

    /// A blank cell in its role's format (none at all in style 0).
    pub fn blank(&self, buf: &mut Vec<u8>, c: usize, r: &[u8], role: usize) {
        if self.styles[role] != b"\"" {
            self.open(buf, c, r, role);
            buf.extend_from_slice(b"/>");
        }
    }

    /// An inline string, or a formatted blank for an empty one (as rust_xlsxwriter writes it).
    pub fn string(
        &self,
        buf: &mut Vec<u8>,
        c: usize,
        r: &[u8],
        role: usize,
        text: &str,
    ) -> Result<(), XlsxError> {
        if text.is_empty() {
            self.blank(buf, c, r, role);
            return Ok(());
        }
        if text.len() > TEXT_MAX && text.encode_utf16().count() > TEXT_MAX {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.open(buf, c, r, role);
        let ws = ['\t', '\n', ' '];
        let preserve = text.starts_with(ws) || text.ends_with(ws);
        buf.extend_from_slice(if preserve {
            b" t=\"inlineStr\"><is><t xml:space=\"preserve\">".as_slice()
        } else {
            b" t=\"inlineStr\"><is><t>".as_slice()
        });
        escape(buf, text);
        buf.extend_from_slice(b"</t></is></c>");
        Ok(())
    }
}

/// `<row r="12"` and, for a row of its own height, the height rust_xlsxwriter writes for
/// `set_row_height(points)` (in whole pixels), then `attrs` and the tag's end.
pub fn open_row(buf: &mut Vec<u8>, r: &[u8], points: Option<f64>, attrs: &str) {
    buf.extend_from_slice(b"<row r=\"");
    buf.extend_from_slice(r);
    buf.push(b'"');
    if let Some(points) = points {
        let pixels = (points * 4.0 / 3.0).round() as u32;
        let _ = write!(
            buf,
            " ht=\"{}\" customHeight=\"1\"",
            f64::from(pixels) * 0.75
        );
    }
    buf.extend_from_slice(attrs.as_bytes());
    buf.push(b'>');
}

/// `v` in decimal digits, written at the end of `out`.
pub fn decimal(mut v: u64, out: &mut [u8; 20]) -> &[u8] {
    let mut at = out.len();
    loop {
        at -= 1;
        out[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &out[at..];
        }
    }
}

/// Text as rust_xlsxwriter escapes it: `&`, `<` and `>` as entities, control characters and
/// U+FFFE/U+FFFF as `_xHHHH_`, and a literal `_xHHHH_` with its underscore escaped
/// (`_x005F_xHHHH_`) so that it reads back as typed.
pub fn escape(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, ch) in text.char_indices() {
        let escaped: Option<std::borrow::Cow<'static, str>> = match ch {
            '&' => Some("&amp;".into()),
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '\t' | '\n' => None,
            '\x00'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => {
                Some(format!("_x{:04X}_", ch as u32).into())
            }
            '_' if is_escape_pattern(&bytes[i..]) => Some("_x005F_".into()),
            _ => None,
        };
        if let Some(e) = escaped {
            buf.extend_from_slice(&bytes[plain..i]);
            buf.extend_from_slice(e.as_bytes());
            plain = i + ch.len_utf8();
        }
    }
    buf.extend_from_slice(&bytes[plain..]);
}

/// `_xHHHH_` (four hexadecimal digits) at the start of `b`.
fn is_escape_pattern(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// Parts rendered at once per thread before they are written in order (bounds the memory: each
/// holds its XML while it is deflated, and its deflated bytes until written).
const PARTS_PER_THREAD: usize = 2;

/// Renders `items` as parts of `per_part` items each, [`PARTS_PER_THREAD`] parts a thread at a
/// time in parallel, and pushes them in order: `render` writes the rows of a batch of items given the
/// index of its first item. A part whose XML `memo` holds is not deflated again.
pub fn push_rendered<T: Sync>(
    parts: &mut Parts<'_, '_>,
    items: &[T],
    per_part: usize,
    bytes_per_item: usize,
    level: u32,
    memo: Option<&dyn DeflateMemo>,
    render: impl Fn(usize, &[T], &mut Vec<u8>) -> Result<(), XlsxError> + Sync,
) -> Result<(), WriteError> {
    let batches: Vec<(usize, &[T])> = items
        .chunks(per_part.max(1))
        .enumerate()
        .map(|(i, c)| (i * per_part, c))
        .collect();
    let at_once = PARTS_PER_THREAD * rayon::current_num_threads();
    for window in batches.chunks(at_once) {
        let rendered: Vec<Result<Part, XlsxError>> = window
            .par_iter()
            .map(|&(first, batch)| {
                let mut buf = Vec::with_capacity(batch.len() * bytes_per_item);
                render(first, batch, &mut buf)?;
                Ok(Part::kept(&buf, level, false, memo))
            })
            .collect();
        for part in rendered {
            parts.push(part?)?;
        }
    }
    Ok(())
}

/// What the tests of the sheets rendered here share: each compares a sheet spliced from its
/// rendered rows with the same sheet written by rust_xlsxwriter cell by cell.
#[cfg(test)]
pub mod testing {
    use std::io::Read;

    use rust_xlsxwriter::Workbook;

    use crate::layout::col;
    use crate::style::Styles;

    /// A small deterministic generator for the randomised comparisons.
    pub struct Rng(pub u64);

    impl Rng {
        pub fn below(&mut self, n: usize) -> usize {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
        }

        /// A text of up to `max` characters: CJK and ASCII words, spaces (at either end too),
        /// line breaks, what XML and Excel escape, now and then empty.
        pub fn text(&mut self, max: usize) -> String {
            const PIECES: [&str; 16] = [
                "区",
                "政府信息公开",
                "（",
                "）",
                "、",
                "a",
                "Zb9",
                " ",
                "\n",
                "&",
                "<",
                ">",
                "_x0041_",
                "\u{1}",
                "：",
                ".xlsx",
            ];
            let len = self.below(max + 1);
            let mut s = String::new();
            while s.chars().count() < len {
                s.push_str(PIECES[self.below(PIECES.len())]);
            }
            s
        }
    }

    /// A workbook whose first sheet meets every format of the lists, in one order: both
    /// workbooks compared start so, and give the formats the same style indices.
    pub fn workbook_meeting(st: &Styles) -> Workbook {
        let formats = [
            &st.note_bold,
            &st.note,
            &st.note_bold_wrap,
            &st.note_wrap,
            &st.note_error_wrap,
            &st.header,
            &st.text,
            &st.text_warning,
            &st.text_error,
            &st.count,
        ];
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, f) in formats.iter().enumerate() {
            ws.write_number_with_format(0, col(c), 0.0, f)
                .expect("a cell");
        }
        wb
    }

    fn member(zip: &[u8], name: &str) -> String {
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
        let mut s = String::new();
        a.by_name(name)
            .expect("the member")
            .read_to_string(&mut s)
            .expect("UTF-8");
        s
    }

    /// The second sheet's XML with its shared strings put inline and without the `spans` of
    /// its rows (an optional hint rust_xlsxwriter gives when it holds the whole sheet).
    pub fn normalized(zip: &[u8]) -> String {
        let sst = member(zip, "xl/sharedStrings.xml");
        let strings: Vec<&str> = sst
            .split("<si>")
            .skip(1)
            .map(|s| &s[..s.find("</si>").expect("an end")])
            .collect();
        let xml = member(zip, "xl/worksheets/sheet2.xml");
        let mut out = String::new();
        let mut rest = xml.as_str();
        const SHARED: &str = " t=\"s\"><v>";
        while let Some(at) = rest.find(SHARED) {
            out.push_str(&rest[..at]);
            let after = &rest[at + SHARED.len()..];
            let end = after.find("</v>").expect("a value");
            let i: usize = after[..end].parse().expect("an index");
            out.push_str(" t=\"inlineStr\"><is>");
            out.push_str(strings[i]);
            out.push_str("</is>");
            rest = &after[end + 4..];
        }
        out.push_str(rest);
        let mut plain = String::new();
        let mut rest = out.as_str();
        while let Some(at) = rest.find(" spans=\"") {
            plain.push_str(&rest[..at]);
            let after = &rest[at + " spans=\"".len()..];
            rest = &after[after.find('"').expect("an end") + 1..];
        }
        plain.push_str(rest);
        plain
    }
}
