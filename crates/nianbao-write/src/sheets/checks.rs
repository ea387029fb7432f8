//! `校验结果`: every violation, one per row, with an autofilter and a frozen header.

use nianbao_format::{Report, Severity};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::unit_display;
use crate::layout::{Sheet, col, fit_width, row};
use crate::style::Styles;
use crate::{SHEET_CHECKS, WriteOptions, tr};

pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_CHECKS)?;
    let lang = opts.lang;
    let heads = [
        tr(lang, "单位", "Unit"),
        tr(lang, "文件", "File"),
        tr(lang, "规则", "Rule"),
        tr(lang, "严重程度", "Severity"),
        tr(lang, "字段", "Fields"),
        tr(lang, "单元格", "Cells"),
        tr(lang, "应为", "Expected"),
        tr(lang, "实为", "Actual"),
        tr(lang, "说明", "Message"),
    ];
    let rows: Vec<[String; 9]> = report
        .violations
        .iter()
        .map(|uv| {
            let v = &uv.violation;
            [
                unit_display(report, &uv.unit, lang),
                uv.file.clone().unwrap_or_default(),
                v.rule.clone(),
                v.severity.label(lang).to_string(),
                v.fields.join(", "),
                v.cells
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                v.expected.clone().unwrap_or_default(),
                v.actual.clone().unwrap_or_default(),
                v.message.get(lang).to_string(),
            ]
        })
        .collect();
    // (min, max) width of each column; the message column wraps.
    let limits = [
        (10.0, 24.0),
        (10.0, 36.0),
        (10.0, 26.0),
        (9.0, 10.0),
        (12.0, 40.0),
        (10.0, 30.0),
        (8.0, 16.0),
        (8.0, 20.0),
        (40.0, 70.0),
    ];
    let widths: Vec<f64> = limits
        .iter()
        .enumerate()
        .map(|(c, &(min, max))| {
            rows.iter()
                .map(|r| fit_width(&r[c], min, max))
                .chain([fit_width(heads[c], min, max)])
                .fold(min, f64::max)
        })
        .collect();
    let mut s = Sheet::new(ws, widths, 10.0)?;
    for (c, h) in heads.iter().enumerate() {
        s.text(0, col(c), 0, col(c), h, &st.header)?;
    }
    for (i, (cells, uv)) in rows.iter().zip(&report.violations).enumerate() {
        let r = row(i + 1);
        for (c, text) in cells.iter().enumerate() {
            let f = match (c, uv.violation.severity) {
                (3, Severity::Error) => &st.text_error,
                (3, Severity::Warning) => &st.text_warning,
                _ => &st.text,
            };
            s.text(r, col(c), r, col(c), text, f)?;
        }
    }
    s.apply_heights(18.0)?;
    let last = row(rows.len());
    s.ws.autofilter(0, 0, last, col(heads.len() - 1))?;
    s.ws.set_freeze_panes(1, 0)?;
    s.ws.set_landscape();
    s.ws.set_paper_size(9);
    s.ws.set_print_fit_to_pages(1, 0);
    s.ws.set_repeat_rows(0, 0)?;
    Ok(())
}
