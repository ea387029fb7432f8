//! A published report (政府信息公开工作年度报告) read as a return: its tables — from an HTML page,
//! its plain text or a Word .docx — laid out as [`Grid`]s the way a spreadsheet would hold them
//! (a merged cell's text in its top-left cell, the cells it covers empty), then located by their
//! labels exactly as a sheet is; and the figures its prose states about applications checked
//! against its table 三.
//!
//! Provenance: a value of a page's or a document's N-th table is named `表格N!C5` (column C, row
//! 5 of that table, merged cells expanded); a value of a text file `文本!C57` (line 57, its third
//! cell).

use std::collections::HashSet;

use nianbao_format::narrative::Claim;
use nianbao_format::{FieldRef, Msg, Reading, Severity, Violation, problem};

use crate::grid::{Content, Grid, GridCell, cell};
use crate::load::{MAX_CELLS, MAX_TEXT};
use crate::{FileError, Format, Return};

/// A cell of a document's table as written: its text and how far it spans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DocCell {
    pub text: String,
    pub rowspan: u32,
    pub colspan: u32,
}

/// A document as the readers of HTML, .docx and text give it.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// Tables already laid out as grids (text: one grid for the file).
    pub grids: Vec<Grid>,
    /// The text outside the tables, paragraph by paragraph (title and headings included).
    pub prose: Vec<String>,
    /// The value of nianbao's marker when nianbao wrote the page (`published`).
    pub generated: Option<String>,
}

/// Spans larger than these are not tables anyone writes (HTML caps colspan at 1000).
const MAX_COLSPAN: u32 = 1000;
const MAX_ROWSPAN: u32 = 10_000;

/// Why a table is too large to be a return's.
pub(crate) fn too_many_cells() -> FileError {
    FileError::new(
        format!("表格单元格过多（超过 {MAX_CELLS} 个），不是年报统计表"),
        format!("too many cells (over {MAX_CELLS}) to be a return"),
    )
}

/// Lays out rows of cells with row and column spans as a spreadsheet holds them (the HTML table
/// model: a cell goes to the first column of its row not covered by a cell above). `budget` is
/// what is left of [`MAX_CELLS`] for the file; every covered position counts.
pub(crate) fn lay_out(
    sheet: String,
    rows: &[Vec<DocCell>],
    budget: &mut usize,
) -> Result<Grid, FileError> {
    let mut taken: HashSet<(u32, u32)> = HashSet::new();
    let mut cells: Vec<GridCell> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| too_many_cells())?;
        let mut c: u32 = 0;
        for dc in row {
            while taken.contains(&(r, c)) {
                c += 1;
            }
            let (rs, cs) = (
                dc.rowspan.clamp(1, MAX_ROWSPAN),
                dc.colspan.clamp(1, MAX_COLSPAN),
            );
            let area = rs as usize * cs as usize;
            if area > *budget {
                return Err(too_many_cells());
            }
            *budget -= area;
            for dr in 0..rs {
                for dcol in 0..cs {
                    taken.insert((r + dr, c + dcol));
                }
            }
            let text = dc.text.trim();
            if !text.is_empty() {
                cells.push(cell(r, c, Content::Text(text.to_string()), None));
            }
            c += cs;
        }
    }
    Ok(Grid::new(sheet, false, cells))
}

/// A table's name in provenance: "表格3", the third table of the document.
pub(crate) fn table_name(n: usize) -> String {
    format!("表格{n}")
}

/// Reads a document's return: its tables by label, unit and year from its title, and every
/// figure its prose states about applications checked against table 三.
pub(crate) fn read_document(
    doc: Document,
    format: Format,
    file_name: &str,
) -> Result<Return, FileError> {
    let text_len: usize = doc.prose.iter().map(String::len).sum();
    if text_len > MAX_TEXT {
        return Err(FileError::new(
            "文件文字过多，不是年报",
            "too much text to be a report",
        ));
    }
    let grids = doc.grids;
    let title = title_of(&doc.prose);
    let mut ret = crate::from_grids(&grids, format, file_name).map_err(|e| match format {
        Format::Docx => FileError::new(
            "这是 Word 文档，不是 Excel 表格；请用 Excel 或 WPS 表格填报",
            "this is a Word document, not a spreadsheet",
        ),
        _ => e,
    })?;
    if let Some((name, year)) = &title {
        if ret.unit_name.is_none() && !name.is_empty() {
            ret.unit_name = Some(name.clone());
        }
        if let Some(y) = year {
            ret.year = Some(*y);
        }
    }
    ret.problems
        .extend(prose_mismatches(&doc.prose, &ret.readings));
    ret.generated = doc.generated;
    Ok(ret)
}

/// The report's title ("金山区 2022 年政府信息公开工作年度报告"): the name before the year, and
/// the year.
fn title_of(prose: &[String]) -> Option<(String, Option<i32>)> {
    let line = prose
        .iter()
        .take(20)
        .find(|p| p.contains("政府信息公开") && p.contains("年度报告") && p.chars().count() < 80)?;
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = compact.chars().collect();
    let at = chars
        .windows(5)
        .position(|w| w[4] == '年' && w[0] == '2' && w[..4].iter().all(|c| c.is_ascii_digit()));
    match at {
        Some(i) => {
            let name: String = chars[..i].iter().collect();
            let year: String = chars[i..i + 4].iter().collect();
            Some((name, year.parse().ok()))
        }
        None => {
            let name = compact
                .split("政府信息公开")
                .next()
                .unwrap_or("")
                .to_string();
            Some((name, None))
        }
    }
}

/// One figure the prose states: the sentence, the figure and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    pub sentence: String,
    pub claim: Claim,
    pub value: i64,
}

/// The figures a report's prose states about applications: in every sentence that speaks of
/// 申请, each clause (split at commas and brackets) naming one figure ([`Claim::of_clause`]) and
/// holding exactly one "N 件" (an approximate "140余件" is no figure).
pub fn stated_figures(prose: &[String]) -> Vec<Stated> {
    let mut out = Vec::new();
    for para in prose {
        for sentence in para.split_inclusive(['。', '；', ';', '！', '？']) {
            let sentence = sentence.trim();
            if !sentence.contains("申请") {
                continue;
            }
            for clause in
                sentence.split(['，', ',', '（', '）', '(', ')', '：', ':', '；', ';', '。'])
            {
                let Some(claim) = Claim::of_clause(clause) else {
                    continue;
                };
                if let [value] = counts_in(clause)[..] {
                    out.push(Stated {
                        sentence: sentence.to_string(),
                        claim,
                        value,
                    });
                }
            }
        }
    }
    out
}

/// The numbers directly followed by 件 (spaces allowed) in a clause.
fn counts_in(clause: &str) -> Vec<i64> {
    let chars: Vec<char> = clause.chars().map(nianbao_format::fold_width).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == ',') {
            i += 1;
        }
        let digits: String = chars[start..i].iter().filter(|c| **c != ',').collect();
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if chars.get(j) == Some(&'件')
            && let Ok(v) = digits.parse::<i64>()
        {
            out.push(v);
        }
    }
    out
}

/// A warning for every figure the prose states that its table 三 does not hold, quoting the
/// sentence.
fn prose_mismatches(prose: &[String], readings: &[Reading]) -> Vec<Violation> {
    let mut out = Vec::new();
    for s in stated_figures(prose) {
        let idx = s.claim.field();
        let Some(reading) = readings.get(idx) else {
            continue;
        };
        let Some(table) = reading.value else {
            continue;
        };
        if table == s.value {
            continue;
        }
        let field = &nianbao_format::fields()[idx];
        let what = s.claim.what();
        let at = reading
            .cell
            .as_ref()
            .map(|c| format!("（{c}）"))
            .unwrap_or_default();
        out.push(Violation {
            rule: problem::PROSE_MISMATCH.into(),
            severity: Severity::Warning,
            fields: vec![FieldRef::this_year(idx)],
            cells: reading.cell.iter().cloned().collect(),
            expected: Some(table.to_string()),
            actual: Some(s.value.to_string()),
            message: Msg::new(
                format!(
                    "正文“{}”所述{} {} 件与{}{at}的 {table} 件不符",
                    s.sentence,
                    what.zh,
                    s.value,
                    field.label_zh()
                ),
                format!(
                    "the prose \"{}\" states {} {}, but {}{at} holds {table}",
                    s.sentence, what.en, s.value, field.id
                ),
            ),
            ..Default::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dc(text: &str, rowspan: u32, colspan: u32) -> DocCell {
        DocCell {
            text: text.into(),
            rowspan,
            colspan,
        }
    }

    #[test]
    fn spans_push_later_cells_right_and_down() {
        let rows = vec![
            vec![dc("角", 2, 2), dc("甲", 1, 2)],
            vec![dc("乙", 1, 1), dc("丙", 1, 1)],
            vec![dc("1", 1, 1), dc("2", 1, 1), dc("3", 1, 1), dc("4", 1, 1)],
        ];
        let mut budget = 100;
        let g = lay_out("表格1".into(), &rows, &mut budget).unwrap();
        let at = |r, c| g.get(r, c).map(|x| x.content.raw());
        assert_eq!(at(0, 0).as_deref(), Some("角"));
        assert_eq!(at(0, 2).as_deref(), Some("甲"));
        assert_eq!(at(1, 2).as_deref(), Some("乙"));
        assert_eq!(at(1, 3).as_deref(), Some("丙"));
        assert_eq!(at(2, 3).as_deref(), Some("4"));
        assert_eq!(budget, 100 - 4 - 2 - 2 - 4);
        let mut small = 3;
        assert!(lay_out("t".into(), &rows, &mut small).is_err());
    }

    #[test]
    fn the_seed_sentences_state_four_figures() {
        let prose = vec![
            "2022 年，全区共受理政府信息公开申请 398 件，较上年度有所下降；答复政府信息公开申请 390 件（含上年度结转申请 7 件，另有 15 件结转至下年度继续办理）。信息公开类行政复议 0 件，诉讼 1 件（尚未审结）。".to_string(),
            "积极收集公众对政策制定和执行效果的反馈与评价，9件留言均完成答复；通过“在线咨询”平台解答市民咨询140余件。".to_string(),
        ];
        let got: Vec<(Claim, i64)> = stated_figures(&prose)
            .into_iter()
            .map(|s| (s.claim, s.value))
            .collect();
        assert_eq!(
            got,
            vec![
                (Claim::Received, 398),
                (Claim::Answered, 390),
                (Claim::CarriedOver, 7),
                (Claim::CarriedForward, 15)
            ]
        );
    }

    #[test]
    fn titles_name_the_unit_and_year() {
        let t = |s: &str| title_of(&[s.to_string()]);
        assert_eq!(
            t("金山区 2022 年政府信息公开工作年度报告"),
            Some(("金山区".into(), Some(2022)))
        );
        assert_eq!(
            t("上海市金山区教育局2023年政府信息公开工作年度报告"),
            Some(("上海市金山区教育局".into(), Some(2023)))
        );
        assert_eq!(t("一、总体情况"), None);
    }
}
