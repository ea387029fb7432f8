//! The four sheets of the combined workbook, the official layout they and the annotated return
//! share, and the annotated return's sheets.

pub mod annotated;
pub mod changes;
pub mod checks;
pub mod filing;
pub mod official;
pub mod summary;
pub mod units;

use nianbao_format::{Kind, Lang, Report, UnitStatus};
use rust_xlsxwriter::Format;

use crate::style::Styles;

/// A stored value as the number a cell shows: counts as they are, amounts in 万元.
pub fn cell_number(kind: Kind, v: i64) -> f64 {
    match kind {
        Kind::Count => v as f64,
        Kind::Amount => v as f64 / 100.0,
    }
}

/// "U05 朱泾镇" for a unit code, the name alone when the code is the name, "全区" for the district.
pub fn unit_display(report: &Report, code: &str, lang: Lang) -> String {
    if code == nianbao_format::DISTRICT {
        return crate::tr(lang, "全区", "district").to_string();
    }
    match report.units.iter().find(|u| u.unit == code) {
        Some(u) => u.label(),
        None => code.to_string(),
    }
}

/// The text format a unit's status is shown in.
pub fn status_format(status: UnitStatus, st: &Styles) -> &Format {
    match status {
        UnitStatus::Ok | UnitStatus::Explained => &st.text,
        UnitStatus::Warnings => &st.text_warning,
        _ => &st.text_error,
    }
}

/// Joins a unit's files for one cell.
pub fn join_files(files: &[String], lang: Lang) -> String {
    files.join(crate::tr(lang, "；", "; "))
}
