//! `报送情况`: a summary line, every unit with its status and counts, then every input file and
//! what became of it.
//!
//! rust_xlsxwriter writes the sheet's head (the summary, the deadline, the header) and a probe
//! row; the units' and the files' rows are rendered in its place ([`splice_rows`]), in parallel
//! and in parts a re-run keeps ([`crate::DeflateMemo`]), as `分单位明细`'s are.

use std::borrow::Cow;

use nianbao_format::{FileStatus, Lang, Report, UnitEntry, UnitStatus};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::rows::{Cells, around_probe, decimal, open_row, push_rendered};
use super::{UnitNames, join_files};
use crate::WriteError;
use crate::layout::{Print, Sheet, col, fitted_widths, row, texts_height};
use crate::style::Styles;
use crate::zipsplice::{DeflateMemo, Part, Parts, SpliceError};
use crate::{SHEET_FILING, WriteOptions, tr};

/// The header's row (0-based); the units' rows follow it, where the probe row stands.
const HEAD_ROW: usize = 2;
const FIRST_ROW: usize = HEAD_ROW + 1;
/// Columns A–I.
const COLS: usize = 9;
/// The width of a column beyond those set.
const DEFAULT_WIDTH: f64 = 10.0;
/// The least height of a row of the lists.
const MIN_HEIGHT: f64 = 18.0;
/// Rows rendered and deflated as one part.
const ROWS_PER_PART: usize = 256;

/// "应报 42：计入汇总 40，未计入 2（U05 朱泾镇（重复报送）、U11 吕巷镇（值无法读取）），未报 0；
/// 另有名单外单位 1（…）": the roster's units add up, each one left out says why.
pub fn summary_line(report: &Report, lang: Lang) -> String {
    let c = &report.coverage;
    let on_roster = |u: &&UnitEntry| u.status != UnitStatus::Unknown;
    let left_out: Vec<String> = report
        .units
        .iter()
        .filter(on_roster)
        .filter(|u| !u.in_totals && u.status != UnitStatus::Missing)
        .map(|u| super::units::unit_label(u, lang))
        .collect();
    let names = UnitNames::new(report);
    let missing: Vec<String> = c
        .missing
        .iter()
        .map(|code| names.display(code, lang))
        .collect();
    let unknown: Vec<String> = report
        .units
        .iter()
        .filter(|u| u.status == UnitStatus::Unknown)
        .map(|u| u.name.clone())
        .collect();
    // Three lists share the cell.
    let room = (super::CELL_TEXT_MAX - 300) / 3;
    let list = |v: &[String], sep: &str| {
        if v.is_empty() {
            String::new()
        } else {
            let joined = super::join_fitting(v, sep, room, lang);
            match lang {
                Lang::Zh => format!("（{joined}）"),
                Lang::En => format!(" ({joined})"),
            }
        }
    };
    let expected = report
        .units
        .iter()
        .filter(on_roster)
        .count()
        .max(c.expected);
    match lang {
        Lang::Zh => {
            let mut line = format!(
                "应报 {expected}：计入汇总 {}，未计入 {}{}，未报 {}{}",
                c.in_totals,
                left_out.len(),
                list(&left_out, "、"),
                missing.len(),
                list(&missing, "、"),
            );
            if !unknown.is_empty() {
                line.push_str(&format!(
                    "；另有名单外单位 {}{}",
                    unknown.len(),
                    list(&unknown, "、")
                ));
            }
            line
        }
        Lang::En => {
            let mut line = format!(
                "Expected {expected}: in the totals {}, left out {}{}, missing {}{}",
                c.in_totals,
                left_out.len(),
                list(&left_out, "; "),
                missing.len(),
                list(&missing, "; "),
            );
            if !unknown.is_empty() {
                line.push_str(&format!(
                    "; also {} not on the roster{}",
                    unknown.len(),
                    list(&unknown, "; ")
                ));
            }
            line
        }
    }
}

fn file_status_label(s: FileStatus, lang: Lang) -> &'static str {
    match s {
        FileStatus::Ok => tr(lang, "已读取", "ok"),
        FileStatus::Failed => tr(lang, "无法读取", "failed"),
        FileStatus::Skipped => tr(lang, "已跳过", "skipped"),
    }
}

/// The columns' headers.
fn heads(lang: Lang) -> [&'static str; COLS] {
    [
        tr(lang, "单位代码", "Unit code"),
        tr(lang, "单位名称", "Unit name"),
        tr(lang, "类型", "Kind"),
        tr(lang, "文件", "File"),
        tr(lang, "状态", "Status"),
        tr(lang, "错误数", "Errors"),
        tr(lang, "警告数", "Warnings"),
        tr(lang, "空白单元格数", "Blank cells"),
        tr(lang, "备注", "Note"),
    ]
}

/// A unit's texts in columns A–E.
fn unit_texts(u: &UnitEntry, lang: Lang) -> [Cow<'_, str>; 5] {
    [
        Cow::Borrowed(u.unit.as_str()),
        Cow::Borrowed(u.name.as_str()),
        Cow::Borrowed(u.kind.as_deref().unwrap_or_default()),
        Cow::Owned(join_files(&u.files, lang)),
        Cow::Borrowed(u.status.label(lang)),
    ]
}

/// The sheet's column widths, fitted to every unit's texts: the head and the rows both need
/// them.
#[derive(Debug, Clone)]
pub struct Layout {
    widths: Vec<f64>,
}

impl Layout {
    pub fn new(report: &Report, lang: Lang) -> Layout {
        let limits = [
            (10.0, 16.0),
            (14.0, 30.0),
            (8.0, 14.0),
            (16.0, 44.0),
            (10.0, 14.0),
        ];
        let heads = heads(lang).map(Cow::Borrowed);
        let mut widths = fitted_widths(
            &limits,
            std::iter::once(heads)
                .map(|h| h.into_iter().take(5).collect::<Vec<_>>())
                .chain(report.units.iter().map(|u| unit_texts(u, lang).to_vec())),
        );
        widths.extend([8.0, 8.0, 14.0, 40.0]);
        Layout { widths }
    }

    /// The height a row needs for these texts, each in columns c0..=c1.
    fn height<'t>(&self, texts: impl IntoIterator<Item = (usize, usize, &'t str)>) -> f64 {
        texts_height(&self.widths, DEFAULT_WIDTH, MIN_HEIGHT, texts)
    }
}

/// The formats of the rows' cells, by role: the probe row holds one cell in each, in this
/// order.
fn probe_formats(st: &Styles) -> [&Format; ROLES] {
    [
        &st.text,
        &st.text_warning,
        &st.text_error,
        &st.count,
        &st.note_bold,
        &st.header,
    ]
}

const TEXT: usize = 0;
const WARNING: usize = 1;
const ERROR: usize = 2;
const COUNT: usize = 3;
const TITLE: usize = 4;
const HEADER: usize = 5;
const ROLES: usize = 6;

/// The role of a unit's status cell: the format [`super::status_format`] gives it.
fn status_role(status: UnitStatus) -> usize {
    match status {
        UnitStatus::Ok | UnitStatus::Explained => TEXT,
        UnitStatus::Warnings => WARNING,
        _ => ERROR,
    }
}

/// The row (0-based) of the files' header, below the units and the title.
fn files_head_row(report: &Report) -> usize {
    FIRST_ROW + report.units.len() + 2
}

/// The summary line and, with a deadline, the deadline's line, each across the list's width,
/// wrapped: a line naming many units left out, overflowing to the right, made the sheet print at
/// a fraction of its size.
fn head_lines(
    s: &mut Sheet<'_>,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    let lang = opts.lang;
    let names = UnitNames::new(report);
    let last_col = col(COLS - 1);
    s.text(
        0,
        0,
        0,
        last_col,
        &summary_line(report, lang),
        &st.note_bold_wrap,
    )?;
    if let Some((date, passed)) = &opts.deadline {
        let missing: Vec<String> = report
            .coverage
            .missing
            .iter()
            .map(|code| names.display(code, lang))
            .collect();
        let room = super::CELL_TEXT_MAX - 200;
        let missing_zh = super::join_fitting(&missing, "、", room, lang);
        let missing_en = super::join_fitting(&missing, "; ", room, lang);
        let line = match (lang, passed, missing.is_empty()) {
            (Lang::Zh, _, true) => format!("报送截止：{date}；全部单位均已报送"),
            (Lang::Zh, false, false) => {
                format!(
                    "报送截止：{date}；尚未报送 {} 个：{}",
                    missing.len(),
                    missing_zh
                )
            }
            (Lang::Zh, true, false) => format!(
                "报送截止：{date}（已过）；逾期未报 {} 个：{}",
                missing.len(),
                missing_zh
            ),
            (Lang::En, _, true) => format!("Deadline: {date}; every unit has filed"),
            (Lang::En, false, false) => {
                format!(
                    "Deadline: {date}; {} not yet filed: {}",
                    missing.len(),
                    missing_en
                )
            }
            (Lang::En, true, false) => format!(
                "Deadline: {date} (passed); {} overdue: {}",
                missing.len(),
                missing_en
            ),
        };
        let f = if *passed && !missing.is_empty() {
            &st.note_error_wrap
        } else {
            &st.note_wrap
        };
        s.text(1, 0, 1, last_col, &line, f)?;
    }
    s.min_height(0, 22.0);
    Ok(())
}

/// Writes the sheet's head, its settings and the probe row; [`splice_rows`] puts the units'
/// and the files' rows in the probe row's place in the saved workbook.
pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
    layout: &Layout,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_FILING)?;
    let lang = opts.lang;
    let mut s = Sheet::new(ws, layout.widths.clone(), DEFAULT_WIDTH)?;

    head_lines(&mut s, report, opts, st)?;

    let hr = row(HEAD_ROW);
    for (c, h) in heads(lang).iter().enumerate() {
        s.text(hr, col(c), hr, col(c), h, &st.header)?;
    }
    s.apply_heights(MIN_HEIGHT)?;
    let probe_row = row(FIRST_ROW);
    for (c, fmt) in probe_formats(st).into_iter().enumerate() {
        s.ws.write_number_with_format(probe_row, col(c), 0.0, fmt)?;
    }
    // The last cell the rows fill (the files' 原因 runs to I), for the sheet's dimension.
    let last = files_head_row(report) + report.files.len();
    s.ws.write_blank(row(last), col(COLS - 1), &st.text)?;
    s.ws.set_freeze_panes(hr + 1, 0)?;
    Print {
        footer: Some(lang),
        ..Print::default()
    }
    .apply(s.ws)
}

/// Writes the sheet's XML (`xml`, as rust_xlsxwriter saved it from [`write`]) to `parts` with
/// the units' and the files' rows, and the files' merged cells, in place of the probe row.
/// The rows are what rust_xlsxwriter writes for them cell by cell (a test holds them to it).
pub fn splice_rows(
    xml: &[u8],
    report: &Report,
    lang: Lang,
    layout: &Layout,
    level: u32,
    memo: Option<&dyn DeflateMemo>,
    parts: &mut Parts<'_, '_>,
) -> Result<(), WriteError> {
    let sheet = around_probe(xml, FIRST_ROW + 1, ROLES, COLS)?;
    const END: &str = "</sheetData>";
    // The head's merged cells (its lines across the sheet) come first after the data, then the
    // files'; nothing else that must come before them follows the data (the print settings do:
    // <printOptions>, <pageMargins>).
    let (above, tail) = head_merges(&sheet.rest[END.len()..])
        .filter(|(_, tail)| tail.starts_with("<p"))
        .ok_or(SpliceError::Format(
            "the filing sheet's merged cells have no place",
        ))?;
    let cells = &sheet.cells;
    let names = UnitNames::new(report);
    parts.push(Part::new(sheet.head, level, false))?;

    push_rendered(
        parts,
        &report.units,
        ROWS_PER_PART,
        512,
        level,
        memo,
        |first, batch, buf| {
            for (k, u) in batch.iter().enumerate() {
                unit_row(buf, cells, layout, FIRST_ROW + first + k, u, lang)?;
            }
            Ok(())
        },
    )?;

    // The title and the files' header: 文件 over A–B, 状态 in C, 单位 in D, 原因 over E–I.
    let fh = files_head_row(report);
    let title = fh - 1;
    let mut buf = Vec::new();
    let mut digits = [0; 20];
    let r = decimal(title as u64 + 1, &mut digits);
    open_row(&mut buf, r, None, "");
    cells.string(&mut buf, 0, r, TITLE, tr(lang, "文件处理情况", "Files"))?;
    buf.extend_from_slice(b"</row>");
    let head = [
        tr(lang, "文件", "File"),
        tr(lang, "状态", "Status"),
        tr(lang, "单位", "Unit"),
        tr(lang, "原因", "Reason"),
    ];
    file_cells(&mut buf, cells, layout, fh, head, [HEADER; 4])?;
    parts.push(Part::new(&buf, level, false))?;

    push_rendered(
        parts,
        &report.files,
        ROWS_PER_PART,
        256,
        level,
        memo,
        |first, batch, buf| {
            for (k, f) in batch.iter().enumerate() {
                let unit = f
                    .unit
                    .as_deref()
                    .map(|u| names.display(u, lang))
                    .unwrap_or_default();
                let status = match f.status {
                    FileStatus::Failed => ERROR,
                    _ => TEXT,
                };
                let texts = [
                    f.file.as_str(),
                    file_status_label(f.status, lang),
                    &unit,
                    f.error.as_ref().map(|m| m.get(lang)).unwrap_or(""),
                ];
                file_cells(
                    buf,
                    cells,
                    layout,
                    fh + 1 + first + k,
                    texts,
                    [TEXT, status, TEXT, TEXT],
                )?;
            }
            Ok(())
        },
    )?;

    let merges = above.0 + 2 * (1 + report.files.len());
    let mut buf = format!("{END}<mergeCells count=\"{merges}\">").into_bytes();
    buf.extend_from_slice(above.1.as_bytes());
    merged(&mut buf, fh);
    parts.push(Part::new(&buf, level, false))?;
    push_rendered(
        parts,
        &report.files,
        ROWS_PER_PART,
        64,
        level,
        memo,
        |first, batch, buf| {
            for k in 0..batch.len() {
                merged(buf, fh + 1 + first + k);
            }
            Ok(())
        },
    )?;
    let mut rest = b"</mergeCells>".to_vec();
    rest.extend_from_slice(tail.as_bytes());
    parts.push(Part::new(&rest, level, true))?;
    Ok(())
}

/// The merged cells rust_xlsxwriter wrote at the start of `tail` (what follows the sheet's
/// data) — how many and their `<mergeCell>` elements — and what follows them.
fn head_merges(tail: &str) -> Option<((usize, &str), &str)> {
    const OPEN: &str = "<mergeCells count=\"";
    const CLOSE: &str = "</mergeCells>";
    let Some(rest) = tail.strip_prefix(OPEN) else {
        return Some(((0, ""), tail));
    };
    let (count, rest) = rest.split_once("\">")?;
    let (inner, after) = rest.split_once(CLOSE)?;
    Some(((count.parse().ok()?, inner), after))
}

/// A unit's row `r` (0-based): its texts, status, counts and note.
fn unit_row(
    buf: &mut Vec<u8>,
    cells: &Cells,
    layout: &Layout,
    r: usize,
    u: &UnitEntry,
    lang: Lang,
) -> Result<(), XlsxError> {
    let texts = unit_texts(u, lang);
    let note = u.note.as_ref().map(|m| m.get(lang)).unwrap_or("");
    let height = layout.height(
        texts
            .iter()
            .enumerate()
            .map(|(c, t)| (c, c, t.as_ref()))
            .chain([(8, 8, note)]),
    );
    let mut digits = [0; 20];
    let r = decimal(r as u64 + 1, &mut digits);
    open_row(buf, r, Some(height), "");
    for (c, text) in texts.iter().enumerate() {
        let role = if c == 4 { status_role(u.status) } else { TEXT };
        cells.string(buf, c, r, role, text)?;
    }
    for (c, n) in [(5, u.errors), (6, u.warnings), (7, u.blanks)] {
        cells.integer(buf, c, r, COUNT, n as i64);
    }
    cells.string(buf, 8, r, TEXT, note)?;
    buf.extend_from_slice(b"</row>");
    Ok(())
}

/// A row of the files' list (0-based `r`): A–B merged, C, D, E–I merged, in these roles.
fn file_cells(
    buf: &mut Vec<u8>,
    cells: &Cells,
    layout: &Layout,
    r: usize,
    texts: [&str; 4],
    roles: [usize; 4],
) -> Result<(), XlsxError> {
    let spans = [(0, 1), (2, 2), (3, 3), (4, 8)];
    let height = layout.height(spans.iter().zip(texts).map(|(&(c0, c1), t)| (c0, c1, t)));
    let mut digits = [0; 20];
    let r = decimal(r as u64 + 1, &mut digits);
    open_row(buf, r, Some(height), "");
    for ((c0, c1), (text, role)) in spans.into_iter().zip(texts.into_iter().zip(roles)) {
        cells.string(buf, c0, r, role, text)?;
        for c in c0 + 1..=c1 {
            cells.blank(buf, c, r, role);
        }
    }
    buf.extend_from_slice(b"</row>");
    Ok(())
}

/// The merged cells of the files' row `r` (0-based).
fn merged(buf: &mut Vec<u8>, r: usize) {
    let r = r + 1;
    let _ = std::io::Write::write_fmt(
        buf,
        format_args!("<mergeCell ref=\"A{r}:B{r}\"/><mergeCell ref=\"E{r}:I{r}\"/>"),
    );
}

#[cfg(test)]
mod tests {
    use nianbao_format::{Coverage, FileEntry, Msg, UnitStatus};

    use super::*;
    use crate::layout::{Print, Sheet, col, fitted_widths, row};
    use crate::sheets::rows::testing::{Rng, normalized, workbook_meeting};
    use crate::zipsplice::replace_members;

    /// The format `报送情况` showed a unit's status in.
    fn status_format(status: UnitStatus, st: &Styles) -> &Format {
        match status {
            UnitStatus::Ok | UnitStatus::Explained => &st.text,
            UnitStatus::Warnings => &st.text_warning,
            _ => &st.text_error,
        }
    }

    /// The sheet as rust_xlsxwriter wrote it cell by cell before its rows were rendered here.
    fn written_by_rust_xlsxwriter(
        ws: &mut Worksheet,
        report: &Report,
        opts: &WriteOptions,
        st: &Styles,
    ) -> Result<(), XlsxError> {
        ws.set_name(SHEET_FILING)?;
        let lang = opts.lang;
        let names = UnitNames::new(report);
        let heads = heads(lang);
        let rows: Vec<[String; 5]> = report
            .units
            .iter()
            .map(|u| {
                [
                    u.unit.clone(),
                    u.name.clone(),
                    u.kind.clone().unwrap_or_default(),
                    join_files(&u.files, lang),
                    u.status.label(lang).to_string(),
                ]
            })
            .collect();
        let limits = [
            (10.0, 16.0),
            (14.0, 30.0),
            (8.0, 14.0),
            (16.0, 44.0),
            (10.0, 14.0),
        ];
        let mut widths = fitted_widths(
            &limits,
            std::iter::once(heads.map(String::from).to_vec())
                .chain(rows.iter().map(|r| r.to_vec())),
        );
        widths.extend([8.0, 8.0, 14.0, 40.0]);
        let mut s = Sheet::new(ws, widths, 10.0)?;

        // The head as the sheet writes it: what is compared is the rows.
        head_lines(&mut s, report, opts, st)?;

        let hr = 2;
        for (c, h) in heads.iter().enumerate() {
            s.text(hr, col(c), hr, col(c), h, &st.header)?;
        }
        for (i, (cells, u)) in rows.iter().zip(&report.units).enumerate() {
            let r = hr + 1 + row(i);
            for (c, text) in cells.iter().enumerate() {
                let f = if c == 4 {
                    status_format(u.status, st)
                } else {
                    &st.text
                };
                s.text(r, col(c), r, col(c), text, f)?;
            }
            for (c, n) in [(5, u.errors), (6, u.warnings), (7, u.blanks)] {
                s.ws.write_number_with_format(r, c, n as f64, &st.count)?;
            }
            let note = u.note.as_ref().map(|m| m.get(lang)).unwrap_or("");
            s.text(r, 8, r, 8, note, &st.text)?;
        }

        // The files, below: 文件 over A–B, 状态 in C, 单位 in D, 原因 over E–I.
        let fr = hr + 1 + row(rows.len()) + 1;
        s.ws.write_string_with_format(fr, 0, tr(lang, "文件处理情况", "Files"), &st.note_bold)?;
        let fh = fr + 1;
        s.text(fh, 0, fh, 1, tr(lang, "文件", "File"), &st.header)?;
        s.text(fh, 2, fh, 2, tr(lang, "状态", "Status"), &st.header)?;
        s.text(fh, 3, fh, 3, tr(lang, "单位", "Unit"), &st.header)?;
        s.text(fh, 4, fh, 8, tr(lang, "原因", "Reason"), &st.header)?;
        for (i, f) in report.files.iter().enumerate() {
            let r = fh + 1 + row(i);
            let status_fmt = match f.status {
                FileStatus::Failed => &st.text_error,
                _ => &st.text,
            };
            let unit = f
                .unit
                .as_deref()
                .map(|u| names.display(u, lang))
                .unwrap_or_default();
            let reason = f.error.as_ref().map(|m| m.get(lang)).unwrap_or("");
            s.text(r, 0, r, 1, &f.file, &st.text)?;
            s.text(r, 2, r, 2, file_status_label(f.status, lang), status_fmt)?;
            s.text(r, 3, r, 3, &unit, &st.text)?;
            s.text(r, 4, r, 8, reason, &st.text)?;
        }
        s.apply_heights(18.0)?;
        s.ws.set_freeze_panes(hr + 1, 0)?;
        Print {
            footer: Some(lang),
            ..Print::default()
        }
        .apply(s.ws)
    }

    fn unit(code: &str, name: &str, status: UnitStatus, files: &[&str], note: &str) -> UnitEntry {
        UnitEntry {
            unit: code.into(),
            name: name.into(),
            kind: code.len().is_multiple_of(2).then(|| "乡镇".to_string()),
            files: files.iter().map(|f| f.to_string()).collect(),
            status,
            readings: None,
            values: None,
            in_totals: matches!(status, UnitStatus::Ok | UnitStatus::Warnings),
            errors: code.len() * 3,
            warnings: usize::from(status == UnitStatus::Warnings),
            blanks: 12_345,
            note: (!note.is_empty()).then(|| Msg::new(note, format!("{note} (en)"))),
        }
    }

    /// Units of every status, texts that wrap and texts to escape; files read, failed and
    /// skipped, with and without a unit and a reason.
    fn report() -> Report {
        let mut units: Vec<UnitEntry> = UnitStatus::ALL
            .iter()
            .enumerate()
            .map(|(i, &s)| unit(&format!("U{i:02}"), "石化街道", s, &["石化街道.xlsx"], ""))
            .collect();
        units.push(unit(
            "U90",
            &"区发展和改革委员会".repeat(3),
            UnitStatus::Errors,
            &[
                "a&b.xlsx",
                "很长的文件名很长的文件名很长的文件名很长的文件名.xlsx",
                "c.xls",
            ],
            "值无法读取：“约10” & <多> _x0041_",
        ));
        units.push(unit(
            " U91",
            "\t制表\u{1}",
            UnitStatus::Ok,
            &[],
            " 前后空格 ",
        ));
        units.push(unit(
            "U92",
            "",
            UnitStatus::Missing,
            &[],
            &"很长的备注".repeat(40),
        ));
        let files = vec![
            FileEntry {
                file: "石化街道.xlsx".into(),
                status: FileStatus::Ok,
                unit: Some("U00".into()),
                error: None,
            },
            FileEntry {
                file: "a&b.xlsx".into(),
                status: FileStatus::Failed,
                unit: Some("U90".into()),
                error: Some(Msg::new(
                    "不是有效的表格文件：".repeat(12),
                    "not a workbook",
                )),
            },
            FileEntry {
                file: "说明.docx".into(),
                status: FileStatus::Skipped,
                unit: None,
                error: Some(Msg::new("不是表格文件", "not a spreadsheet")),
            },
            FileEntry {
                file: "汇总/区级/很长的路径很长的路径很长的路径很长的路径.xlsx".into(),
                status: FileStatus::Ok,
                unit: Some("district".into()),
                error: None,
            },
        ];
        Report {
            year: Some(2023),
            units,
            totals: Vec::new(),
            violations: Vec::new(),
            files,
            coverage: Coverage {
                expected: 10,
                received: 8,
                in_totals: 3,
                missing: vec!["U04".into(), "U92".into()],
            },
            waivers: Default::default(),
        }
    }

    #[test]
    fn rows_are_what_rust_xlsxwriter_writes_cell_by_cell() {
        let st = Styles::new();
        let workbook = || workbook_meeting(&st);
        let report = report();
        let mut empty = report.clone();
        empty.units.clear();
        empty.files.clear();
        let cases = [
            (Lang::Zh, Some(("2024-01-31".to_string(), true)), &report),
            (Lang::En, Some(("2024-01-31".to_string(), false)), &report),
            (Lang::Zh, None, &empty),
        ];
        for (lang, deadline, report) in cases {
            let opts = WriteOptions {
                lang,
                deadline,
                ..WriteOptions::default()
            };
            let mut old = workbook();
            written_by_rust_xlsxwriter(old.add_worksheet(), report, &opts, &st).expect("old");
            let old = old.save_to_buffer().expect("saved");

            let layout = Layout::new(report, lang);
            let mut new = workbook();
            write(new.add_worksheet(), report, &opts, &st, &layout).expect("the head");
            let saved = new.save_to_buffer().expect("saved");
            let mut spliced = Vec::new();
            replace_members::<WriteError>(
                &saved,
                &[("xl/worksheets/sheet2.xml", 1 << 20)],
                &mut spliced,
                |_, xml, parts| splice_rows(xml, report, lang, &layout, 3, None, parts),
            )
            .expect("spliced");
            let (ours, theirs) = (normalized(&spliced), normalized(&old));
            if !report.units.is_empty() {
                assert!(theirs.contains("_x005F_x0041_") && theirs.contains("&amp;"));
                assert!(theirs.contains("xml:space") && theirs.contains("<mergeCell "));
                assert!(theirs.contains("ht=\"35.25\""), "a row that wraps");
            }
            for (a, b) in ours.split("<row ").zip(theirs.split("<row ")) {
                assert_eq!(a, b);
            }
            assert_eq!(ours, theirs);
        }
    }

    /// The sheet spliced from rendered rows, and as the former writer wrote it, normalised.
    fn both_ways(report: &Report, opts: &WriteOptions) -> (String, String) {
        let st = Styles::new();
        let mut old = workbook_meeting(&st);
        written_by_rust_xlsxwriter(old.add_worksheet(), report, opts, &st).expect("old");
        let old = old.save_to_buffer().expect("saved");
        let layout = Layout::new(report, opts.lang);
        let mut new = workbook_meeting(&st);
        write(new.add_worksheet(), report, opts, &st, &layout).expect("the head");
        let saved = new.save_to_buffer().expect("saved");
        let mut spliced = Vec::new();
        replace_members::<WriteError>(
            &saved,
            &[("xl/worksheets/sheet2.xml", 1 << 20)],
            &mut spliced,
            |_, xml, parts| splice_rows(xml, report, opts.lang, &layout, 3, None, parts),
        )
        .expect("spliced");
        (normalized(&spliced), normalized(&old))
    }

    #[test]
    fn random_units_and_files_give_what_rust_xlsxwriter_writes() {
        for seed in 1..=12u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let units: Vec<UnitEntry> = (0..rng.below(40))
                .map(|i| {
                    let status = UnitStatus::ALL[rng.below(UnitStatus::ALL.len())];
                    let files: Vec<String> = (0..rng.below(4)).map(|_| rng.text(40)).collect();
                    let files: Vec<&str> = files.iter().map(String::as_str).collect();
                    let mut u = unit(
                        &format!("R{i}"),
                        &rng.text(30),
                        status,
                        &files,
                        &rng.text(60),
                    );
                    u.kind = Some(rng.text(12)).filter(|k| !k.is_empty());
                    u.errors = rng.below(1000);
                    u
                })
                .collect();
            let codes: Vec<String> = units.iter().map(|u| u.unit.clone()).collect();
            let files = (0..rng.below(40))
                .map(|_| FileEntry {
                    file: rng.text(50),
                    status: [FileStatus::Ok, FileStatus::Failed, FileStatus::Skipped][rng.below(3)],
                    unit: (!codes.is_empty() && rng.below(2) == 0)
                        .then(|| codes[rng.below(codes.len())].clone()),
                    error: Some(rng.text(90))
                        .filter(|e| !e.is_empty())
                        .map(|e| Msg::new(e.clone(), e)),
                })
                .collect();
            let report = Report {
                units,
                files,
                ..report()
            };
            let lang = [Lang::Zh, Lang::En][rng.below(2)];
            let opts = WriteOptions {
                lang,
                ..WriteOptions::default()
            };
            let (ours, theirs) = both_ways(&report, &opts);
            assert_eq!(ours, theirs, "seed {seed}");
        }
    }

    #[test]
    fn a_status_is_shown_in_the_format_it_was() {
        let st = Styles::new();
        for s in UnitStatus::ALL {
            assert_eq!(probe_formats(&st)[status_role(s)], status_format(s, &st));
        }
    }
}
