//! `全区汇总`: the district totals in the official layout of tables 二, 三 and 四 (a
//! [`Plan`] rendered by [`super::official`]), under a title that says how many units they stand
//! for. The sheet is a return in its own right: `nianbao-read` reads the same totals back.

use nianbao_format::{FIELD_COUNT, FORM_TITLE, Report, UNIT_LABEL};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::official::{self, Cells, Shown};
use crate::plan::{Plan, Role};
use crate::style::Styles;
use crate::{SHEET_SUMMARY, WriteOptions};

/// The sheet's title: "{district}{year}年政府信息公开工作年度报告统计表（汇总：41/42 单位）".
pub fn title(report: &Report, opts: &WriteOptions) -> String {
    let district = opts.district.as_deref().unwrap_or("");
    let year = report.year.map(|y| format!("{y}年")).unwrap_or_default();
    format!(
        "{district}{year}{FORM_TITLE}（汇总：{}）",
        report.coverage.label(nianbao_format::Lang::Zh)
    )
}

pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_SUMMARY)?;
    debug_assert_eq!(report.totals.len(), FIELD_COUNT);
    let shown: Vec<Shown<'_>> = report.totals.iter().map(|&v| Shown::Value(v)).collect();
    let cells = Cells {
        shown: &shown,
        decorations: None,
        input: false,
    };
    let mut plan = Plan::new();
    plan.title(&title(report, opts));
    // A named body's totals name it as a return does: its city reads them as its return.
    match opts.district.as_deref() {
        Some(name) => {
            plan.line(1, &format!("{UNIT_LABEL}：{name}"), Role::Unit);
            plan.tables(3);
        }
        None => {
            plan.tables(2);
        }
    }
    official::render(ws, &plan, &cells, st)?;
    Ok(())
}

/// A unit's own return in the official layout: "{year}年政府信息公开工作年度报告统计表", the
/// 填报单位 line, then tables 二, 三 and 四 with `values` (canonical order).
pub fn write_return(
    ws: &mut Worksheet,
    unit_name: &str,
    year: Option<i32>,
    values: &[i64],
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(crate::SHEET_RETURN)?;
    let shown: Vec<Shown<'_>> = values.iter().map(|&v| Shown::Value(v)).collect();
    let cells = Cells {
        shown: &shown,
        decorations: None,
        input: false,
    };
    let year = year.map(|y| format!("{y}年")).unwrap_or_default();
    let mut plan = Plan::new();
    plan.title(&format!("{year}{FORM_TITLE}"));
    plan.line(1, &format!("{UNIT_LABEL}：{unit_name}"), Role::Unit);
    plan.tables(3);
    official::render(ws, &plan, &cells, st)?;
    Ok(())
}
