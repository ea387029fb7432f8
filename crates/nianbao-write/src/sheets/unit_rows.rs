//! The units' rows of `分单位明细`, rendered as sheet XML in parallel and deflated in parts
//! ([`crate::zipsplice`]) in place of the probe row [`super::units::write`] leaves.
//!
//! rust_xlsxwriter writes a worksheet on one thread, storing each cell before writing its XML:
//! at 10,000 units (2 million cells) that was the longest stretch of a run, with one core idle.
//! The rows here are the XML rust_xlsxwriter would write for them, byte for byte (a test holds
//! them to it): inline strings escaped as it escapes them, numbers as it prints them, and the
//! style indices it gave the formats, read from the probe row.

use nianbao_format::{FIELD_COUNT, Kind, Lang, Reading, Report, UnitEntry, fields};
use rust_xlsxwriter::{Format, XlsxError};

use super::join_files;
use super::rows::{Cells, decimal, open_row, probe, push_rendered};
use super::units::{FIRST_FIELD_COL, HEADER_ROWS, field_col, sheet_order};
use crate::WriteError;
use crate::style::Styles;
use crate::zipsplice::{DeflateMemo, Part, Parts, SpliceError};

/// Units rendered and deflated as one part: about 1.3 MB of XML.
const UNITS_PER_PART: usize = 256;

/// What a cell of a unit's row is, for its format: the index of its format in
/// [`probe_formats`] and of its style in [`RowStyles`].
#[derive(Debug, Clone, Copy)]
enum Role {
    /// Code, name, status and files of a unit in the totals.
    Text,
    /// The same, of a unit outside the totals (grey).
    Muted,
    /// A value: the column's format.
    Count,
    Amount,
    /// A blank total the rules filled in (grey, italic).
    BlankCount,
    BlankAmount,
    /// The text typed where a value could not be read (red).
    Unreadable,
}

const ROLES: usize = 7;

/// The formats of the units' cells by [`Role`]: the probe row holds one cell in each, in this
/// order.
pub fn probe_formats(st: &Styles) -> [&Format; ROLES] {
    let d = &st.data;
    [
        &st.text_nowrap,
        &st.text_muted,
        &d.count,
        &d.amount,
        &d.blank_count,
        &d.blank_amount,
        &d.unreadable,
    ]
}

/// Writes the sheet's XML (`xml`, as rust_xlsxwriter saved it) to `parts` with the units' rows
/// in place of the probe row.
pub fn splice_rows(
    xml: &[u8],
    report: &Report,
    lang: Lang,
    level: u32,
    memo: Option<&dyn DeflateMemo>,
    parts: &mut Parts<'_, '_>,
) -> Result<(), WriteError> {
    let xml = std::str::from_utf8(xml)
        .map_err(|_| SpliceError::Format("the units' sheet is not UTF-8"))?;
    let p = probe(xml, HEADER_ROWS + 1)
        .filter(|p| p.styles.len() == ROLES)
        .ok_or(SpliceError::Format("no probe row in the units' sheet"))?;
    let units = sheet_order(report);
    let renderer = Renderer::new(lang, &p.styles, &p.row_attrs);
    parts.push(Part::new(&xml.as_bytes()[..p.start], level, false))?;
    push_rendered(
        parts,
        &units,
        UNITS_PER_PART,
        6 * 1024,
        level,
        memo,
        |first, batch, buf| {
            for (k, u) in batch.iter().enumerate() {
                renderer.row(buf, HEADER_ROWS + first + k + 1, u)?;
            }
            Ok(())
        },
    )?;
    parts.push(Part::new(&xml.as_bytes()[p.end..], level, true))?;
    Ok(())
}

/// Renders one unit's row.
struct Renderer<'a> {
    lang: Lang,
    row_attrs: &'a str,
    cells: Cells,
    kinds: Vec<Kind>,
}

impl<'a> Renderer<'a> {
    fn new(lang: Lang, styles: &[u32], row_attrs: &'a str) -> Renderer<'a> {
        Renderer {
            lang,
            row_attrs,
            cells: Cells::new(FIRST_FIELD_COL + FIELD_COUNT, styles),
            kinds: fields().iter().map(|f| f.kind).collect(),
        }
    }

    /// Row `r` (1-based) for unit `u`: code, name, status and files, then one cell per field.
    fn row(&self, buf: &mut Vec<u8>, r: usize, u: &UnitEntry) -> Result<(), XlsxError> {
        let mut digits = [0; 20];
        let r = decimal(r as u64, &mut digits);
        open_row(buf, r, None, self.row_attrs);
        let text = if u.in_totals { Role::Text } else { Role::Muted } as usize;
        let cells = &self.cells;
        cells.string(buf, 0, r, text, &u.unit)?;
        cells.string(buf, 1, r, text, &u.name)?;
        cells.string(buf, 2, r, text, u.status.label(self.lang))?;
        cells.string(buf, 3, r, text, &join_files(&u.files, self.lang))?;
        for (i, &kind) in self.kinds.iter().enumerate() {
            // The reading when kept (an unreadable value shows what was typed), else the value.
            let compact;
            let reading = match (&u.readings, u.was_read()) {
                (Some(rs), _) => rs.get(i),
                (None, true) => {
                    compact = Reading {
                        value: u.value(i),
                        blank: u.is_blank(i),
                        ..Reading::default()
                    };
                    Some(&compact)
                }
                (None, false) => None,
            };
            self.value(buf, usize::from(field_col(i)), r, kind, reading)?;
        }
        buf.extend_from_slice(b"</row>");
        Ok(())
    }

    /// One field: the number in the column's format; nothing for a blank read as 0 (as the
    /// unit left it) or without readings; a grey number for a blank the rules filled in; the
    /// raw text in red when unreadable.
    fn value(
        &self,
        buf: &mut Vec<u8>,
        c: usize,
        r: &[u8],
        kind: Kind,
        reading: Option<&Reading>,
    ) -> Result<(), XlsxError> {
        let (plain, filled) = match kind {
            Kind::Count => (Role::Count, Role::BlankCount),
            Kind::Amount => (Role::Amount, Role::BlankAmount),
        };
        match reading {
            None
            | Some(Reading {
                value: Some(0),
                blank: true,
                ..
            }) => Ok(()),
            Some(Reading {
                value: Some(v),
                blank,
                ..
            }) => {
                let role = if *blank { filled } else { plain } as usize;
                match kind {
                    Kind::Count => self.cells.integer(buf, c, r, role, *v),
                    Kind::Amount => {
                        self.cells
                            .number(buf, c, r, role, super::cell_number(kind, *v));
                    }
                }
                Ok(())
            }
            Some(Reading {
                value: None, raw, ..
            }) => {
                let shown = if raw.is_empty() { "?" } else { raw.as_str() };
                self.cells
                    .string(buf, c, r, Role::Unreadable as usize, shown)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use nianbao_format::{
        FIELD_COUNT, Kind, Lang, Reading, UnitEntry, UnitStatus, UnitValues, fields,
    };
    use rust_xlsxwriter::{Workbook, Worksheet};

    use super::*;
    use crate::sheets::cell_number;
    use crate::sheets::units::field_col;

    fn reading(value: Option<i64>, blank: bool, raw: &str) -> Reading {
        Reading {
            value,
            blank,
            raw: raw.into(),
            ..Reading::default()
        }
    }

    fn entry(code: &str, name: &str, in_totals: bool, files: &[&str]) -> UnitEntry {
        UnitEntry {
            unit: code.into(),
            name: name.into(),
            kind: None,
            files: files.iter().map(|f| f.to_string()).collect(),
            status: if in_totals {
                UnitStatus::Ok
            } else {
                UnitStatus::Errors
            },
            readings: None,
            values: None,
            in_totals,
            errors: 0,
            warnings: 0,
            blanks: 0,
            note: None,
        }
    }

    /// Units with every kind of cell: numbers of both kinds (negative, large, with cents),
    /// blanks read as 0 and filled in, unreadable text, texts to escape, no files, no values.
    fn units() -> Vec<UnitEntry> {
        let mut readings: Vec<Reading> = (0..FIELD_COUNT as i64)
            .map(|i| match i % 7 {
                0 => reading(Some(0), true, ""),
                1 => reading(Some(i * 1_000_003), false, ""),
                2 => reading(Some(-i), false, ""),
                3 => reading(Some(42), true, ""),
                4 => reading(None, false, "约10 & <多> _x0041_ \u{1}"),
                5 => reading(None, false, ""),
                _ => reading(Some(i * 12_345 + 7), false, ""),
            })
            .collect();
        readings[fields()
            .iter()
            .position(|f| f.kind == Kind::Amount)
            .unwrap()] = reading(Some(1_234_567_890_123), false, "");
        let mut a = entry(
            "U01",
            " 前导空格 & <名>",
            true,
            &["a&b.xlsx", "c_x00e9_.xls"],
        );
        a.readings = Some(readings.clone());
        let mut b = entry("U02", "\t制表\u{FFFE}\r", false, &["b.ods"]);
        b.values = Some(UnitValues::from_readings(&readings));
        let c = entry("U03", "", false, &[]);
        let mut d = entry("U04", "区教育局", true, &["教育局.xlsx"]);
        d.readings = Some(
            (0..FIELD_COUNT as i64)
                .map(|i| reading(Some(i), false, ""))
                .collect(),
        );
        vec![a, b, c, d]
    }

    /// The rows as rust_xlsxwriter writes them, cell by cell (what the sheet did before).
    fn written_by_rust_xlsxwriter(
        ws: &mut Worksheet,
        units: &[&UnitEntry],
        st: &Styles,
        first: u32,
    ) {
        for f in fields() {
            let fmt = match f.kind {
                Kind::Count => &st.data.count,
                Kind::Amount => &st.data.amount,
            };
            ws.set_column_format(field_col(f.index), fmt).unwrap();
        }
        let d = &st.data;
        for (c, fmt) in probe_formats(st).into_iter().enumerate() {
            ws.write_number_with_format(first - 1, c as u16, 0.0, fmt)
                .unwrap();
        }
        for (k, u) in units.iter().enumerate() {
            let r = first + k as u32;
            let text = if u.in_totals {
                &st.text_nowrap
            } else {
                &st.text_muted
            };
            ws.write_string_with_format(r, 0, &u.unit, text).unwrap();
            ws.write_string_with_format(r, 1, &u.name, text).unwrap();
            ws.write_string_with_format(r, 2, u.status.label(Lang::Zh), text)
                .unwrap();
            ws.write_string_with_format(r, 3, join_files(&u.files, Lang::Zh), text)
                .unwrap();
            for f in fields() {
                let c = field_col(f.index);
                let reading = match (&u.readings, u.was_read()) {
                    (Some(rs), _) => Some(rs[f.index].clone()),
                    (None, true) => Some(reading(u.value(f.index), u.is_blank(f.index), "")),
                    (None, false) => None,
                };
                let Some(rd) = reading else { continue };
                match (rd.value, rd.blank) {
                    (Some(0), true) => {}
                    (Some(v), false) => {
                        ws.write_number(r, c, cell_number(f.kind, v)).unwrap();
                    }
                    (Some(v), true) => {
                        let fmt = match f.kind {
                            Kind::Count => &d.blank_count,
                            Kind::Amount => &d.blank_amount,
                        };
                        ws.write_number_with_format(r, c, cell_number(f.kind, v), fmt)
                            .unwrap();
                    }
                    (None, _) => {
                        let shown = if rd.raw.is_empty() {
                            "?"
                        } else {
                            rd.raw.as_str()
                        };
                        ws.write_string_with_format(r, c, shown, &d.unreadable)
                            .unwrap();
                    }
                }
            }
        }
    }

    fn sheet_xml(wb: &mut Workbook) -> String {
        use std::io::Read;
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn rows_are_what_rust_xlsxwriter_writes_byte_for_byte() {
        let units = units();
        let refs: Vec<&UnitEntry> = units.iter().collect();
        let st = Styles::new();
        let first = HEADER_ROWS as u32 + 1;
        // A workbook of its own writes the probe row where the sheet has it and the units
        // after it, as rust_xlsxwriter does, in constant memory as the sheet is written.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        written_by_rust_xlsxwriter(ws, &refs, &st, first);
        let xml = sheet_xml(&mut wb);
        let p = probe(&xml, HEADER_ROWS + 1).expect("the probe row");
        let theirs = &xml[p.end..xml.find("</sheetData>").unwrap()];

        let renderer = Renderer::new(Lang::Zh, &p.styles, &p.row_attrs);
        let mut ours = Vec::new();
        for (k, u) in refs.iter().enumerate() {
            renderer.row(&mut ours, first as usize + k + 1, u).unwrap();
        }
        let ours = String::from_utf8(ours).unwrap();
        assert!(
            theirs.contains("_x005F_x0041_") && theirs.contains("&amp;"),
            "{theirs}"
        );
        assert!(
            theirs.contains("_xFFFE_") && theirs.contains("xml:space"),
            "escapes tried"
        );
        for (a, b) in ours.split("<c ").zip(theirs.split("<c ")) {
            assert_eq!(a, b);
        }
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_text_longer_than_a_cell_holds_is_an_error() {
        let mut u = entry("U01", &"名".repeat(TEXT_MAX + 1), true, &[]);
        u.values = Some(UnitValues::from_readings(&[]));
        let st = &[1, 2, 3, 4, 5, 6, 7];
        const TEXT_MAX: usize = crate::sheets::CELL_TEXT_MAX;
        let err = Renderer::new(Lang::Zh, st, "").row(&mut Vec::new(), 4, &u);
        assert!(matches!(err, Err(XlsxError::MaxStringLengthExceeded)));
        u.name = "名".repeat(TEXT_MAX);
        assert!(
            Renderer::new(Lang::Zh, st, "")
                .row(&mut Vec::new(), 4, &u)
                .is_ok()
        );
    }
}
