//! Measuring text in Excel column-width units, writing cells (merged or not) while keeping track
//! of the row heights their wrapped text needs, fitting column widths to their texts, and the
//! print setup every sheet shares ([`Print`]).

use std::collections::BTreeMap;

use rust_xlsxwriter::{ColNum, Format, RowNum, Worksheet, XlsxError};

use crate::style::FONT_SIZE;

/// Points per line of 11 pt 宋体, and the padding a row needs around its lines.
const LINE_HEIGHT: f64 = 15.0;
const ROW_PADDING: f64 = 5.0;
/// Excel's largest row height.
const MAX_ROW_HEIGHT: f64 = 409.0;
/// Room a cell's borders and margins take from its width.
const CELL_MARGIN: f64 = 1.0;

/// Whether a character is drawn full width (CJK ideographs, kana, hangul, full-width forms and
/// the CJK punctuation Chinese fonts draw full width).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2010..=0x2027
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The width of `s` in column-width units at 11 pt: about 2.1 per CJK character, 1.05 per
/// ASCII character.
pub fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if is_wide(c) { 2.1 } else { 1.05 }).sum()
}

/// The room one line of text takes: [`text_width`], plus some for Latin text, whose word
/// wrapping wastes room at line ends.
fn line_width(line: &str) -> f64 {
    let w = text_width(line);
    if line.is_ascii() { w * 1.1 } else { w }
}

/// How many lines `s` takes when wrapped in a cell `width` units wide at `font_size`.
pub fn lines_needed(s: &str, width: f64, font_size: f64) -> usize {
    let room = (width - CELL_MARGIN).max(1.0);
    let scale = font_size / FONT_SIZE;
    s.split('\n')
        .map(|line| ((line_width(line) * scale / room).ceil() as usize).max(1))
        .sum()
}

/// The height a row needs for `lines` lines at `font_size`.
pub fn height_for(lines: usize, font_size: f64) -> f64 {
    let line = LINE_HEIGHT * font_size / FONT_SIZE;
    (lines as f64 * line + ROW_PADDING).min(MAX_ROW_HEIGHT)
}

/// A column width that shows `s` on one line, within [min, max].
pub fn fit_width(s: &str, min: f64, max: f64) -> f64 {
    let widest = s.split('\n').map(line_width).fold(0.0, f64::max);
    (widest + CELL_MARGIN + 1.0).clamp(min, max)
}

/// Column widths fitted to a table's texts (the header row among them): each column as wide as
/// its widest text on one line, within its `(min, max)`; a text wider than `max` wraps. Columns
/// beyond `limits` are left out.
pub fn fitted_widths<R, T>(limits: &[(f64, f64)], rows: impl IntoIterator<Item = R>) -> Vec<f64>
where
    R: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    let mut widths: Vec<f64> = limits.iter().map(|&(min, _)| min).collect();
    for r in rows {
        for (c, text) in r.into_iter().enumerate().take(limits.len()) {
            let (min, max) = limits[c];
            widths[c] = widths[c].max(fit_width(text.as_ref(), min, max));
        }
    }
    widths
}

/// How a sheet prints: A4 landscape, one page wide and as many pages tall as it takes. Every
/// sheet writer ends with [`Print::apply`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Print {
    /// Rows printed again at the top of every page (the header).
    pub repeat_rows: Option<(RowNum, RowNum)>,
    /// The last row and column printed, when not every used cell.
    pub area: Option<(RowNum, ColNum)>,
    /// A form (the official tables): centred on the page, narrow margins, no gridlines on
    /// screen, no page footer.
    pub form: bool,
    /// A page footer "第 1 页，共 3 页" in this language (lists that run over pages).
    pub footer: Option<nianbao_format::Lang>,
    /// Columns printed again at the left of every page; set for a sheet too wide to fit one
    /// page at a readable size, which then prints at 100 % over as many pages as it takes.
    pub repeat_cols: Option<(ColNum, ColNum)>,
}

impl Print {
    /// A list whose header rows r0..=r1 repeat on every page, with page numbers.
    pub fn list(r0: RowNum, r1: RowNum, lang: nianbao_format::Lang) -> Print {
        Print {
            repeat_rows: Some((r0, r1)),
            footer: Some(lang),
            ..Print::default()
        }
    }

    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        match self.repeat_cols {
            None => {
                ws.set_print_fit_to_pages(1, 0);
            }
            Some((c0, c1)) => {
                ws.set_repeat_columns(c0, c1)?;
            }
        }
        if self.form {
            ws.set_screen_gridlines(false);
            ws.set_print_center_horizontally(true);
            ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
        }
        if let Some((r0, r1)) = self.repeat_rows {
            ws.set_repeat_rows(r0, r1)?;
        }
        if let Some((r, c)) = self.area {
            ws.set_print_area(0, 0, r, c)?;
        }
        match self.footer {
            Some(nianbao_format::Lang::Zh) => {
                ws.set_footer("&C第 &P 页，共 &N 页");
            }
            Some(nianbao_format::Lang::En) => {
                ws.set_footer("&CPage &P of &N");
            }
            None => {}
        }
        Ok(())
    }
}

/// The width of columns c0..=c1 together; columns beyond `widths` are `default` wide.
pub fn span_width(widths: &[f64], default: f64, c0: ColNum, c1: ColNum) -> f64 {
    (c0..=c1)
        .map(|c| widths.get(usize::from(c)).copied().unwrap_or(default))
        .sum()
}

/// The height (points) a text wrapped in a cell `width` wide needs at `font_size`.
pub fn text_height(s: &str, width: f64, font_size: f64) -> f64 {
    height_for(lines_needed(s, width, font_size), font_size)
}

/// The height [`Sheet::apply_heights`] sets for a row that needs `h`.
pub fn row_height(h: f64, min: f64) -> f64 {
    h.max(min).ceil()
}

/// The height [`Sheet`] gives a row of wrapped texts at the body's font size, each over columns
/// c0..=c1 of `widths` (beyond them `default` wide), never below `min`: for rows rendered
/// outside rust_xlsxwriter.
pub fn texts_height<'t>(
    widths: &[f64],
    default: f64,
    min: f64,
    texts: impl IntoIterator<Item = (usize, usize, &'t str)>,
) -> f64 {
    let need = texts
        .into_iter()
        .map(|(c0, c1, s)| text_height(s, span_width(widths, default, col(c0), col(c1)), FONT_SIZE))
        .fold(0.0, f64::max);
    row_height(need, min)
}

/// Writes cells on one worksheet, remembering the heights rows need.
pub struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    widths: Vec<f64>,
    default_width: f64,
    heights: BTreeMap<RowNum, f64>,
}

impl<'a> Sheet<'a> {
    /// Sets the column widths (units) now; columns beyond `widths` are `default_width` wide.
    pub fn new(
        ws: &'a mut Worksheet,
        widths: Vec<f64>,
        default_width: f64,
    ) -> Result<Sheet<'a>, XlsxError> {
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c), *w)?;
        }
        Ok(Sheet {
            ws,
            widths,
            default_width,
            heights: BTreeMap::new(),
        })
    }

    fn width(&self, c0: ColNum, c1: ColNum) -> f64 {
        span_width(&self.widths, self.default_width, c0, c1)
    }

    /// Asks for at least `h` points on row `r`.
    pub fn min_height(&mut self, r: RowNum, h: f64) {
        let e = self.heights.entry(r).or_insert(0.0);
        *e = e.max(h);
    }

    /// Records the height a wrapped text needs over rows r0..=r1 and columns c0..=c1.
    fn need(&mut self, r0: RowNum, r1: RowNum, c0: ColNum, c1: ColNum, s: &str, size: f64) {
        let per_row = text_height(s, self.width(c0, c1), size) / f64::from(r1 - r0 + 1);
        for r in r0..=r1 {
            self.min_height(r, per_row);
        }
    }

    /// Writes text into a cell, merging r0..=r1 × c0..=c1 when that is more than one cell.
    pub fn text(
        &mut self,
        r0: RowNum,
        c0: ColNum,
        r1: RowNum,
        c1: ColNum,
        s: &str,
        f: &Format,
    ) -> Result<(), XlsxError> {
        self.text_sized(r0, c0, r1, c1, s, f, FONT_SIZE)
    }

    /// [`Sheet::text`] for a format with another font size.
    #[allow(clippy::too_many_arguments)]
    pub fn text_sized(
        &mut self,
        r0: RowNum,
        c0: ColNum,
        r1: RowNum,
        c1: ColNum,
        s: &str,
        f: &Format,
        size: f64,
    ) -> Result<(), XlsxError> {
        if (r0, c0) == (r1, c1) {
            self.ws.write_string_with_format(r0, c0, s, f)?;
        } else {
            self.ws.merge_range(r0, c0, r1, c1, s, f)?;
        }
        self.need(r0, r1, c0, c1, s, size);
        Ok(())
    }

    /// Writes a number into a cell, merging c0..=c1 of row r when that is more than one cell.
    pub fn number(
        &mut self,
        r: RowNum,
        c0: ColNum,
        c1: ColNum,
        v: f64,
        f: &Format,
    ) -> Result<(), XlsxError> {
        if c1 > c0 {
            self.ws.merge_range(r, c0, r, c1, "", f)?;
        }
        self.ws.write_number_with_format(r, c0, v, f)?;
        Ok(())
    }

    /// Sets the heights recorded so far, never below `min`.
    pub fn apply_heights(&mut self, min: f64) -> Result<(), XlsxError> {
        for (&r, &h) in &self.heights {
            self.ws.set_row_height(r, row_height(h, min))?;
        }
        Ok(())
    }
}

/// A column index from a usize (sheets here have far fewer than 16384 columns).
pub fn col(c: usize) -> ColNum {
    ColNum::try_from(c).unwrap_or(ColNum::MAX)
}

/// A row index from a usize.
pub fn row(r: usize) -> RowNum {
    RowNum::try_from(r).unwrap_or(RowNum::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_twice_as_wide_as_ascii() {
        assert!(is_wide('自'));
        assert!(is_wide('（'));
        assert!(is_wide('“'));
        assert!(!is_wide('a'));
        assert!(!is_wide('1'));
        assert!(text_width("自然人") > 1.9 * text_width("abc"));
    }

    #[test]
    fn wrapping_counts_lines() {
        // 10 CJK characters (21 units) in a 12-unit column: two lines.
        assert_eq!(lines_needed("一二三四五六七八九十", 12.0, 11.0), 2);
        assert_eq!(lines_needed("一二三", 12.0, 11.0), 1);
        assert_eq!(lines_needed("一\n二", 12.0, 11.0), 2);
        assert_eq!(lines_needed("", 12.0, 11.0), 1);
        assert!(height_for(2, 11.0) > height_for(1, 11.0));
        assert!(height_for(1000, 11.0) <= 409.0);
    }

    #[test]
    fn fitted_widths_take_the_widest_text_within_limits() {
        let long = "很长的说明".repeat(30);
        let rows = [vec!["单位", "说明"], vec!["U01 石化街道", &long]];
        let w = fitted_widths(&[(4.0, 30.0), (10.0, 40.0)], rows);
        assert_eq!(w[0], fit_width("U01 石化街道", 4.0, 30.0));
        assert_eq!(w[1], 40.0);
        let none: [[&str; 0]; 0] = [];
        assert_eq!(fitted_widths(&[(6.0, 9.0)], none), vec![6.0]);
    }

    #[test]
    fn a_fitted_column_holds_its_text_on_one_line() {
        for t in [
            "department",
            "石化街道.xlsx",
            "区发展和改革委员会",
            "U01",
            "空白单元格数",
        ] {
            assert_eq!(lines_needed(t, fit_width(t, 1.0, 100.0), 11.0), 1, "{t}");
        }
    }
}
