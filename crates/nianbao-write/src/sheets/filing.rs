//! `报送情况`: a summary line, every unit with its status and counts, then every input file and
//! what became of it.

use nianbao_format::{FileStatus, Lang, Report, UnitEntry, UnitStatus};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{UnitNames, join_files, status_format};
use crate::layout::{Print, Sheet, col, fitted_widths, row};
use crate::style::Styles;
use crate::{SHEET_FILING, WriteOptions, tr};

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

pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_FILING)?;
    let lang = opts.lang;
    let names = UnitNames::new(report);
    let heads = [
        tr(lang, "单位代码", "Unit code"),
        tr(lang, "单位名称", "Unit name"),
        tr(lang, "类型", "Kind"),
        tr(lang, "文件", "File"),
        tr(lang, "状态", "Status"),
        tr(lang, "错误数", "Errors"),
        tr(lang, "警告数", "Warnings"),
        tr(lang, "空白单元格数", "Blank cells"),
        tr(lang, "备注", "Note"),
    ];
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
        std::iter::once(heads.map(String::from).to_vec()).chain(rows.iter().map(|r| r.to_vec())),
    );
    widths.extend([8.0, 8.0, 14.0, 40.0]);
    let mut s = Sheet::new(ws, widths, 10.0)?;

    s.ws.write_string_with_format(0, 0, summary_line(report, lang), &st.note_bold)?;
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
            &st.text_error
        } else {
            &st.note
        };
        s.ws.write_string_with_format(1, 0, line, f)?;
    }
    s.min_height(0, 22.0);

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
