//! Writes the combined workbook (rust_xlsxwriter) and the JSON report, atomically
//!
//! The workbook has four sheets:
//!
//! 1. `全区汇总`: the district totals in the official layout of tables 二, 三 and 四, with the
//!    official labels, readable back as a return by `nianbao-read`;
//! 2. `分单位明细`: one row per unit and one column per field, with a 合计 row of live `SUM`
//!    formulas over the units in the totals (cached results equal to the totals);
//! 3. `校验结果`: every violation, one per row;
//! 4. `报送情况`: who filed what, and what became of every file.

mod atomic;
mod json;
mod layout;
mod sheets;
mod style;

use nianbao_format::{FIELD_COUNT, Lang, Report};
use rust_xlsxwriter::Workbook;

pub use atomic::write_atomic;
pub use json::json_report;

/// Sheet names, always in Chinese (the CLI and clerks refer to them by name).
pub const SHEET_SUMMARY: &str = "全区汇总";
pub const SHEET_UNITS: &str = "分单位明细";
pub const SHEET_CHECKS: &str = "校验结果";
pub const SHEET_FILING: &str = "报送情况";

/// How the outputs are written.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Language of headers, statuses and messages (sheet 1 always uses the official Chinese
    /// labels).
    pub lang: Lang,
    /// The district's name, put before the year in the title of `全区汇总`
    /// ("金山区2022年政府信息公开工作年度报告统计表（汇总：42/42 单位）").
    pub district: Option<String>,
}

/// Why the workbook could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the report has {found} totals, expected {expected}")]
    Totals { found: usize, expected: usize },
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Builds the combined workbook in memory.
pub fn workbook_bytes(report: &Report, opts: &WriteOptions) -> Result<Vec<u8>, WriteError> {
    if report.totals.len() != FIELD_COUNT {
        return Err(WriteError::Totals {
            found: report.totals.len(),
            expected: FIELD_COUNT,
        });
    }
    let styles = style::Styles::new();
    let mut wb = Workbook::new();
    sheets::summary::write(wb.add_worksheet(), report, opts, &styles)?;
    sheets::units::write(wb.add_worksheet(), report, opts, &styles)?;
    sheets::checks::write(wb.add_worksheet(), report, opts, &styles)?;
    sheets::filing::write(wb.add_worksheet(), report, opts, &styles)?;
    Ok(wb.save_to_buffer()?)
}

/// Picks the Chinese or English text.
pub(crate) fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_error<T: std::error::Error + Send + Sync + 'static>() {}

    #[test]
    fn write_error_works_with_anyhow_context() {
        is_error::<WriteError>();
        let e = WriteError::Totals {
            found: 3,
            expected: FIELD_COUNT,
        };
        assert_eq!(e.to_string(), "the report has 3 totals, expected 200");
    }
}
