//! The four sheets of the combined workbook, the official layout they and the annotated return
//! share, and the annotated return's sheets.

pub mod annotated;
pub mod changes;
pub mod checks;
pub mod filing;
pub mod official;
pub mod rows;
pub mod summary;
pub mod unit_rows;
pub mod units;

use std::collections::HashMap;

use nianbao_format::{Kind, Lang, Report, UnitEntry};

/// A stored value as the number a cell shows: counts as they are, amounts in 万元.
pub fn cell_number(kind: Kind, v: i64) -> f64 {
    match kind {
        Kind::Count => v as f64,
        Kind::Amount => v as f64 / 100.0,
    }
}

/// A report's units by code, looked up once per row rather than searched for (10,000 units,
/// a row per violation and per file).
pub struct UnitNames<'a>(HashMap<&'a str, &'a UnitEntry>);

impl<'a> UnitNames<'a> {
    pub fn new(report: &'a Report) -> UnitNames<'a> {
        let mut by_code = HashMap::with_capacity(report.units.len());
        for u in &report.units {
            by_code.entry(u.unit.as_str()).or_insert(u);
        }
        UnitNames(by_code)
    }

    /// The (first) unit of this code.
    pub fn get(&self, code: &str) -> Option<&'a UnitEntry> {
        self.0.get(code).copied()
    }

    /// "U05 朱泾镇" for a unit code, the name alone when the code is the name, "全区" for the
    /// district.
    pub fn display(&self, code: &str, lang: Lang) -> String {
        if code == nianbao_format::DISTRICT {
            return crate::tr(lang, "全区", "district").to_string();
        }
        match self.get(code) {
            Some(u) => u.label(),
            None => code.to_string(),
        }
    }
}

/// Excel's limit on the text of one cell (UTF-16 code units); a longer text fails the workbook.
pub const CELL_TEXT_MAX: usize = 32_767;

/// `items` joined by `sep` in at most `room` UTF-16 code units: all of them when they fit, else
/// as many as fit and how many there are in all ("…等 2000 个"), so that a list of thousands of
/// units (a province's first run, its missing units) still fits in its cell.
pub fn join_fitting(items: &[String], sep: &str, room: usize, lang: Lang) -> String {
    let len = |s: &str| s.encode_utf16().count();
    let sep_len = len(sep);
    let all: usize =
        items.iter().map(|i| len(i)).sum::<usize>() + sep_len * items.len().saturating_sub(1);
    if all <= room {
        return items.join(sep);
    }
    let tail = match lang {
        Lang::Zh => format!("等 {} 个", items.len()),
        Lang::En => format!(" … ({} in all)", items.len()),
    };
    let mut out = String::new();
    let mut used = len(&tail);
    for (k, item) in items.iter().enumerate() {
        let add = len(item) + if k > 0 { sep_len } else { 0 };
        if used + add > room {
            break;
        }
        if k > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
        used += add;
    }
    out.push_str(&tail);
    out
}

/// Joins a unit's files for one cell.
pub fn join_files(files: &[String], lang: Lang) -> String {
    files.join(crate::tr(lang, "；", "; "))
}
