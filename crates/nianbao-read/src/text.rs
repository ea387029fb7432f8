//! A published report as plain text (the seed: text taken from the PDF of the report), its
//! tables as lines of tab-separated cells (or cells separated by two or more spaces, or single
//! spaces on a line of numbers): one grid for the whole file, a cell's row its line and its column
//! its place on the line.
//!
//! Text taken from a PDF drops merged cells: a row of table 三 with three levels of labels has
//! its numbers one column right of the headers (the seed's 不予公开 rows). So a row's run of
//! numbers never ends right of the last header above it: it is moved left to end under that
//! header, and its labels left of its first number.

use nianbao_format::Kind;

use crate::grid::{Content, Grid, cell};
use crate::load::MAX_CELLS;
use crate::report::{Document, too_many_cells};
use crate::value::{Parsed, parse_text};
use crate::{FileError, MAX_FILE_SIZE};

/// The name of the text's one grid in provenance (`文本!C57`: line 57, third cell).
pub(crate) const SHEET: &str = "文本";

/// A text file's bytes as text: UTF-8 (a BOM dropped), UTF-16 with its BOM, else GB18030 (a
/// superset of GBK and GB2312), as Chinese Windows saves it. Rosters, waiver files and
/// published reports alike.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Whether decoded text holds tables of a report: the labels of table 三 and of table 二 or 四
/// (a CSV of table 三 alone is a spreadsheet export, not a report).
pub(crate) fn has_report_tables(text: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.contains("自然人")
        && squeezed.contains("本年新收")
        && (squeezed.contains("行政复议") || squeezed.contains("行政许可"))
}

fn is_number(s: &str) -> bool {
    matches!(parse_text(s, Kind::Amount), Parsed::Value(_))
}

/// A line's cells.
fn split_line(line: &str) -> Vec<String> {
    if line.contains('\t') {
        return line.split('\t').map(|s| s.trim().to_string()).collect();
    }
    if line.contains("  ") || line.contains('\u{3000}') {
        // A full-width space separates like two spaces.
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut run = 0;
        for ch in line.chars() {
            match ch {
                ' ' | '\u{a0}' => run += 1,
                '\u{3000}' => run += 2,
                _ => {
                    if run >= 2 && !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    } else if run == 1 && !cur.is_empty() {
                        cur.push(' ');
                    }
                    run = 0;
                    cur.push(ch);
                }
            }
        }
        out.push(cur);
        return out;
    }
    // Single spaces split only a line of words ending in a number, never a sentence or a title.
    let sentence = line.contains(['。', '，', '；', '、']);
    if !sentence && line.split_whitespace().last().is_some_and(is_number) {
        return line.split_whitespace().map(str::to_string).collect();
    }
    vec![line.trim().to_string()]
}

/// Reads a report's text into one grid and its prose.
pub(crate) fn read(bytes: &[u8]) -> Result<Document, FileError> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_many_cells());
    }
    let text = decode_text(bytes);
    let mut cells = Vec::new();
    let mut prose: Vec<String> = Vec::new();
    let mut para = String::new();
    // The last column of a header cell since the last blank line.
    let mut header_last: Option<usize> = None;
    for (r, line) in text.lines().enumerate() {
        let Ok(row) = u32::try_from(r) else {
            return Err(too_many_cells());
        };
        let mut parts = split_line(line);
        while parts.last().is_some_and(String::is_empty) {
            parts.pop();
        }
        if parts.iter().all(String::is_empty) {
            header_last = None;
            if !para.is_empty() {
                prose.push(std::mem::take(&mut para));
            }
            continue;
        }
        if parts.len() == 1 {
            // Prose: lines of a paragraph broken by the PDF are joined; a short line without a
            // full stop is a heading of its own.
            let t = parts[0].as_str();
            para.push_str(t);
            if t.ends_with(['。', '；', '：']) || t.chars().count() < 30 {
                prose.push(std::mem::take(&mut para));
            }
        }
        let numbers = parts.iter().any(|p| is_number(p));
        let placed = if numbers {
            realign(&parts, header_last)
        } else {
            if let Some(last) = parts.iter().rposition(|p| !p.is_empty()) {
                header_last = Some(header_last.map_or(last, |h| h.max(last)));
            }
            parts.into_iter().enumerate().collect()
        };
        for (c, text) in placed {
            if text.is_empty() {
                continue;
            }
            if cells.len() >= MAX_CELLS {
                return Err(too_many_cells());
            }
            let col = u32::try_from(c).map_err(|_| too_many_cells())?;
            cells.push(cell(row, col, Content::Text(text), None));
        }
    }
    if !para.is_empty() {
        prose.push(para);
    }
    Ok(Document {
        grids: vec![Grid::new(SHEET.into(), false, cells)],
        prose,
        generated: None,
    })
}

/// A data line's cells with its trailing run of numbers moved left to end under the last
/// header column (when it ends right of it), and its labels left of the numbers.
fn realign(parts: &[String], header_last: Option<usize>) -> Vec<(usize, String)> {
    let identity = || parts.iter().cloned().enumerate().collect();
    let Some(last) = parts.iter().rposition(|p| !p.is_empty()) else {
        return identity();
    };
    let Some(h) = header_last.filter(|&h| last > h) else {
        return identity();
    };
    if !is_number(&parts[last]) {
        return identity();
    }
    let mut start = last;
    while start > 0 && (parts[start - 1].is_empty() || is_number(&parts[start - 1])) {
        start -= 1;
    }
    while parts[start].is_empty() {
        start += 1;
    }
    let shift = last - h;
    if shift > start {
        return identity();
    }
    let first_value = start - shift;
    let labels: Vec<(usize, &String)> = parts[..start]
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .collect();
    let lshift = labels
        .last()
        .map_or(0, |(p, _)| (p + 1).saturating_sub(first_value));
    let mut out: Vec<(usize, String)> = Vec::new();
    for (p, text) in labels {
        let at = p.saturating_sub(lshift);
        match out.last_mut() {
            Some((q, t)) if *q >= at => t.push_str(text),
            _ => out.push((at, text.clone())),
        }
    }
    for (i, p) in parts[start..=last].iter().enumerate() {
        out.push((first_value + i, p.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_row_shifted_right_by_the_pdf_is_moved_under_its_headers() {
        let row = strs(&[
            "",
            "(三) 不予公开",
            "1.属于国家秘密",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "7",
        ]);
        let got = realign(&row, Some(8));
        assert_eq!(got[0], (0, "(三) 不予公开".to_string()));
        assert_eq!(got[1], (1, "1.属于国家秘密".to_string()));
        assert_eq!(got[2], (2, "0".to_string()));
        assert_eq!(got.last(), Some(&(8, "7".to_string())));
        // In place already: unchanged.
        let row = strs(&["总计", "", "257", "95"]);
        assert_eq!(realign(&row, Some(8)).len(), 4);
    }

    #[test]
    fn lines_split_at_tabs_double_spaces_or_between_numbers() {
        assert_eq!(split_line("规章\t0\t0"), strs(&["规章", "0", "0"]));
        assert_eq!(
            split_line("结果 维持  结果 纠正"),
            strs(&["结果 维持", "结果 纠正"])
        );
        assert_eq!(split_line("规章 0 0 0"), strs(&["规章", "0", "0", "0"]));
        assert_eq!(
            split_line("金山区 2022 年政府信息公开工作年度报告"),
            strs(&["金山区 2022 年政府信息公开工作年度报告"])
        );
        assert_eq!(
            split_line("2022 年，全区共受理政府信息公开申请 398 件"),
            strs(&["2022 年，全区共受理政府信息公开申请 398 件"])
        );
    }

    #[test]
    fn gb18030_text_is_decoded() {
        let (gb, _, _) = encoding_rs::GB18030.encode("自然人\t本年新收");
        assert_eq!(decode_text(&gb), "自然人\t本年新收");
        assert!(!has_report_tables("自然人,本年新收"));
        assert!(has_report_tables("自然人 本年新收 行政复议"));
    }
}
