//! Builds the bytes of the combined workbook (rust_xlsxwriter), the annotated returns, the JSON report
//! and the published tables (HTML page and fragment, Markdown: [`publish`])
//!
//! The workbook has four sheets:
//!
//! 1. `全区汇总`: the district totals in the official layout of tables 二, 三 and 四, with the
//!    official labels, readable back as a return by `nianbao-read`;
//! 2. `分单位明细`: one row per unit and one column per field, with a 合计 row of live `SUM`
//!    formulas over the units in the totals (cached results equal to the totals);
//! 3. `校验结果`: every violation, one per row;
//! 4. `报送情况`: who filed what, and what became of every file.
//!
//! [`annotated_return`] builds the other workbook: the one the district office sends back to a
//! unit whose return failed its checks (退回修改), its values in the same official layout with the
//! failed rules marked on the cells and a list of the problems, every text naming the cells of
//! that file.
//!
//! [`template_bytes`] builds the blank return a unit fills in (`nianbao template`): the same
//! official layout, last year's values pre-filled, input cells validated, every rule live in a
//! check cell, the sheet protected (see the `template` module).
//!
//! All carry the custom document property [`nianbao_format::GENERATED_PROPERTY`], by which
//! `nianbao-read` tells them from the returns of units (a template's value says it is a return
//! form, read as a return).

mod json;
mod labels;
mod layout;
mod messages;
pub mod plan;
mod publish;
mod sheets;
mod style;
mod template;
mod zipsplice;

use std::sync::Arc;

use nianbao_format::{
    FIELD_COUNT, GENERATED_PROPERTY, Lang, Msg, Report, UnitEntry, Violation, annotated_mark,
};
use nianbao_rules::RuleSet;
use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

pub use json::{json_report, write_json_report};
pub use publish::{
    PUBLISHED_MARK, Publication, Published, is_untouched_publication, narrative, publish,
};
pub use template::{
    CHECK_NOT_A_NUMBER, CHECK_OK, Prefill, PriorReturn, TemplateSpec, check_text,
    filled_template_bytes, prefills, template_bytes, template_file_name,
};
pub use zipsplice::DeflateMemo;

/// Sheet names, always in Chinese (the CLI and clerks refer to them by name).
pub const SHEET_SUMMARY: &str = "全区汇总";
pub const SHEET_UNITS: &str = "分单位明细";
pub const SHEET_CHECKS: &str = "校验结果";
pub const SHEET_FILING: &str = "报送情况";
/// What changed since the workspace's last run (only in `nianbao run`'s workbook).
pub const SHEET_CHANGES: &str = "变化";
/// The sheets of the annotated return: the unit's return, marked, and the list of problems.
pub const SHEET_RETURN: &str = "年报统计表";
pub const SHEET_PROBLEMS: &str = "问题清单";

/// How the outputs are written.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Language of headers, statuses and messages (sheet 1 always uses the official Chinese
    /// labels).
    pub lang: Lang,
    /// The district's name, put before the year in the title of `全区汇总`
    /// ("金山区2022年政府信息公开工作年度报告统计表（汇总：42/42 单位）"), as its 填报单位 and in
    /// the workbook's marker, so that a city consolidating its districts reads it as a return.
    pub district: Option<String>,
    /// The report year, put in the title of [`annotated_return`] ("区教育局2022年政府信息公开
    /// 工作年度报告统计表（退回修改）"; `Report::year`). [`workbook_bytes`] takes the year from
    /// the report instead.
    pub year: Option<i32>,
    /// The rules the violations came from (`--rules`); None: the built-in rules. Their
    /// descriptions title the rules in `校验结果`, and [`annotated_return`] words a failed check
    /// again from its terms with the cells of the annotated file.
    pub rules: Option<Arc<RuleSet>>,
    /// What changed since the workspace's last run (`nianbao run`): a sheet `变化` in the
    /// workbook and `"changes"` in the JSON report.
    pub changes: Option<nianbao_format::Changes>,
    /// The workspace's deadline (YYYY-MM-DD) and whether it has passed: `报送情况` names it and
    /// lists the units not yet filed (逾期 once it has passed).
    pub deadline: Option<(String, bool)>,
    /// Where the deflated parts of `分单位明细`'s units' rows are kept between runs (a
    /// workspace's cache); the bytes written are the same with or without.
    pub memo: Option<Arc<dyn DeflateMemo>>,
}

impl WriteOptions {
    /// The rule set in use.
    pub fn rule_set(&self) -> &RuleSet {
        self.rules.as_deref().unwrap_or_else(|| RuleSet::builtin())
    }
}

/// The document properties of every workbook written: the marker (that nianbao wrote it, and
/// what it is) and a fixed creation date (1 January after the report year), so that the same
/// inputs give byte-identical files.
fn mark(wb: &mut Workbook, value: &str, year: Option<i32>) {
    let mut props = DocProperties::new().set_custom_property(GENERATED_PROPERTY, value);
    let created = year
        .and_then(|y| u16::try_from(y + 1).ok())
        .and_then(|y| rust_xlsxwriter::ExcelDateTime::from_ymd(y, 1, 1).ok())
        .or_else(|| rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).ok());
    if let Some(date) = created {
        props = props.set_creation_datetime(&date);
    }
    wb.set_properties(&props);
}

/// Why the workbook could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the report has {found} totals, expected {expected}")]
    Totals { found: usize, expected: usize },
    #[error("unit {unit} has no values to annotate (its return was not read)")]
    NoReadings { unit: String },
    #[error("unit {unit} has {found} values, expected {expected}")]
    Readings {
        unit: String,
        found: usize,
        expected: usize,
    },
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the workbook: {0}")]
    Splice(#[from] zipsplice::SpliceError),
}

impl WriteError {
    /// The reason in the clerk's language and in English.
    pub fn message(&self) -> nianbao_format::Msg {
        use nianbao_format::Msg;
        match self {
            WriteError::Totals { found, expected } => Msg::new(
                format!("汇总数据有 {found} 项，应为 {expected} 项"),
                self.to_string(),
            ),
            WriteError::NoReadings { unit } => Msg::new(
                format!("单位 {unit} 的报表未读取，无法生成退回文件"),
                self.to_string(),
            ),
            WriteError::Readings {
                unit,
                found,
                expected,
            } => Msg::new(
                format!("单位 {unit} 有 {found} 个数值，应为 {expected} 个"),
                self.to_string(),
            ),
            WriteError::Xlsx(e) => Msg::new(format!("无法生成工作簿（{e}）"), self.to_string()),
            WriteError::Splice(e) => Msg::new(format!("无法写出工作簿（{e}）"), self.to_string()),
        }
    }
}

/// Builds the combined workbook in memory.
pub fn workbook_bytes(report: &Report, opts: &WriteOptions) -> Result<Vec<u8>, WriteError> {
    let mut out = Vec::new();
    write_workbook(report, opts, &mut out)?;
    Ok(out)
}

/// Writes the combined workbook to `out`. rust_xlsxwriter builds it without the units' rows of
/// `分单位明细` (the small rest is kept in memory); those are rendered and deflated in parallel
/// and written in its place as they are made (`sheets::unit_rows`).
pub fn write_workbook(
    report: &Report,
    opts: &WriteOptions,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(), WriteError> {
    let layouts = Layouts {
        checks: sheets::checks::Layout::new(report, opts),
        filing: sheets::filing::Layout::new(report, opts.lang),
    };
    let saved = build_workbook(report, opts, &layouts)?.save_to_buffer()?;
    let level = u32::from(ZIP_LEVEL);
    let memo = opts.memo.as_deref();
    // The sheets whose rows are rendered in place of a probe row: 分单位明细 and 校验结果 have
    // none when they have no rows.
    let mut replaced = Vec::with_capacity(3);
    if !report.units.is_empty() {
        replaced.push((UNITS_MEMBER, MAX_SPLICED_XML));
    }
    if sheets::checks::has_rows(report) {
        replaced.push((CHECKS_MEMBER, MAX_SPLICED_XML));
    }
    replaced.push((FILING_MEMBER, MAX_SPLICED_XML));
    zipsplice::replace_members(&saved, &replaced, out, |k, xml, parts| {
        match replaced[k].0 {
            UNITS_MEMBER => {
                sheets::unit_rows::splice_rows(xml, report, opts.lang, level, memo, parts)
            }
            CHECKS_MEMBER => {
                let layout = &layouts.checks;
                sheets::checks::splice_rows(xml, report, opts, layout, level, memo, parts)
            }
            _ => {
                let layout = &layouts.filing;
                sheets::filing::splice_rows(xml, report, opts.lang, layout, level, memo, parts)
            }
        }
    })
}

/// The column widths of the sheets whose rows are rendered after the workbook is saved, fitted
/// to every row: the sheets' heads and their rows both need them.
struct Layouts {
    checks: sheets::checks::Layout,
    filing: sheets::filing::Layout,
}

/// The zip members of `分单位明细`, `校验结果` and `报送情况`, the second to fourth sheets.
const UNITS_MEMBER: &str = "xl/worksheets/sheet2.xml";
const CHECKS_MEMBER: &str = "xl/worksheets/sheet3.xml";
const FILING_MEMBER: &str = "xl/worksheets/sheet4.xml";
/// The most a spliced sheet holds without its rows (head, notes, settings: a few KB).
const MAX_SPLICED_XML: u64 = 16 << 20;

/// Deflate level of the combined workbook. zlib's default (6) spent 0.45 s of 10,000 returns'
/// 5.3 CPU-seconds on the writing thread; 3 is 10 % larger (7.3 → 8.0 MB), 1 was 64 % larger.
const ZIP_LEVEL: u8 = 3;

fn build_workbook(
    report: &Report,
    opts: &WriteOptions,
    layouts: &Layouts,
) -> Result<Workbook, WriteError> {
    if report.totals.len() != FIELD_COUNT {
        return Err(WriteError::Totals {
            found: report.totals.len(),
            expected: FIELD_COUNT,
        });
    }
    let styles = style::Styles::new();
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    mark(
        &mut wb,
        &nianbao_format::summary_mark(
            opts.district.as_deref(),
            nianbao_format::SummaryCounts {
                counted: report.coverage.in_totals,
                of: report.coverage.expected,
                with_errors: report
                    .units
                    .iter()
                    .filter(|u| u.status == nianbao_format::UnitStatus::Errors)
                    .count(),
            },
        ),
        report.year,
    );
    // The sheets after 分单位明细 are built on a thread of their own while it, the bulk of the
    // workbook, is written (10,000 units: 2 million cells); they are added behind it.
    let (first, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| later_sheets(report, opts, &styles, layouts));
        let first = (|| -> Result<(), WriteError> {
            sheets::summary::write(wb.add_worksheet(), report, opts, &styles)?;
            // One row per unit, 204 columns: written row by row to a temporary file, not kept
            // in memory.
            sheets::units::write(
                wb.add_worksheet_with_constant_memory()?,
                report,
                opts,
                &styles,
            )?;
            Ok(())
        })();
        (first, rest.join())
    });
    first?;
    let rest = rest.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    for ws in rest {
        wb.push_worksheet(ws);
    }
    Ok(wb)
}

/// 校验结果, 报送情况 and 变化 (when there are changes), in this order.
fn later_sheets(
    report: &Report,
    opts: &WriteOptions,
    styles: &style::Styles,
    layouts: &Layouts,
) -> Result<Vec<Worksheet>, XlsxError> {
    let mut checks = Worksheet::new();
    sheets::checks::write(&mut checks, report, opts, styles, &layouts.checks)?;
    let mut filing = Worksheet::new();
    sheets::filing::write(&mut filing, report, opts, styles, &layouts.filing)?;
    let mut later = vec![checks, filing];
    if let Some(changes) = &opts.changes {
        let mut ws = Worksheet::new();
        sheets::changes::write(&mut ws, changes, report, opts, styles)?;
        later.push(ws);
    }
    Ok(later)
}

/// The unit's return re-laid in the official format, every cell involved in a failed rule filled
/// red, the top suspect of each failed rule marked, and a cell comment (note) giving the rule and
/// the suggested value.
///
/// `violations` are the unit's own (`report.violations` whose `unit` is `unit.unit`); only errors
/// and warnings mark cells, and field ids prefixed "prior." (last year's return) are not cells of
/// this one. Sheet [`SHEET_RETURN`] is laid out like `全区汇总`: light red for every field of a
/// failed rule; strong red, bold, with a note ("建议值：…") for the first suspect of a rule;
/// orange with a note for each suspect when `suspects_tied`; strong red showing the text typed for
/// a value that could not be read, with the read problem as note. Blank cells stay blank. Sheet
/// [`SHEET_PROBLEMS`] lists every error and warning with its cells in sheet 1 and the change
/// suggested. The messages are worded again for this file: every address and every "=value" in
/// a note or the list is a cell of sheet 1 ("prior." values, from last year's return, are named
/// "上年报表 …" without one). Notes and instructions are in `opts.lang`; the title (with
/// `opts.year`) and the labels are the official Chinese ones, and "填报单位：{name}" names the
/// unit, so that the file, corrected and sent again, reads back by `nianbao-read` as the unit's
/// return with the same values. The file carries the marker property with the fingerprint of its
/// values ([`nianbao_format::annotated_mark`]).
pub fn annotated_return(
    unit: &UnitEntry,
    violations: &[Violation],
    opts: &WriteOptions,
) -> Result<Vec<u8>, WriteError> {
    let readings = unit
        .readings
        .as_deref()
        .ok_or_else(|| WriteError::NoReadings {
            unit: unit.unit.clone(),
        })?;
    if readings.len() != FIELD_COUNT {
        return Err(WriteError::Readings {
            unit: unit.unit.clone(),
            found: readings.len(),
            expected: FIELD_COUNT,
        });
    }
    let pos = sheets::annotated::positions();
    let texts: Vec<String> = violations
        .iter()
        .map(|v| messages::render(v, readings, &pos, opts.rule_set()))
        .map(|m: Msg| m.get(opts.lang).to_string())
        .collect();
    let styles = style::Styles::new();
    let mut wb = Workbook::new();
    mark(&mut wb, &annotated_mark(readings), opts.year);
    let written = sheets::annotated::write_return(
        wb.add_worksheet(),
        unit,
        readings,
        violations,
        &texts,
        opts,
        &styles,
    )?;
    debug_assert_eq!(written, pos);
    sheets::annotated::write_problems(
        wb.add_worksheet(),
        unit,
        violations,
        &texts,
        &pos,
        opts,
        &styles,
    )?;
    Ok(wb.save_to_buffer()?)
}

/// A unit's return as the unit sends it: the official layout, the year in the title, 填报单位
/// filled in, the 200 `values` in canonical order (amounts in hundredths). It carries no marker:
/// it is a return, read like any other (tests write planted returns with it).
pub fn return_bytes(
    unit_name: &str,
    year: Option<i32>,
    values: &[i64],
) -> Result<Vec<u8>, WriteError> {
    if values.len() != FIELD_COUNT {
        return Err(WriteError::Totals {
            found: values.len(),
            expected: FIELD_COUNT,
        });
    }
    let styles = style::Styles::new();
    let mut wb = Workbook::new();
    sheets::summary::write_return(wb.add_worksheet(), unit_name, year, values, &styles)?;
    Ok(wb.save_to_buffer()?)
}

/// A file name for a unit's annotated return: "U05_朱泾镇_退回修改.xlsx" ("朱泾镇_退回修改.xlsx"
/// when the code is the name), with characters no file system takes replaced by "_".
pub fn annotated_file_name(unit: &UnitEntry) -> String {
    format!("{}_退回修改.xlsx", safe_stem(&unit.unit, &unit.name))
}

/// "U05_朱泾镇" ("朱泾镇" when the code is the name), with characters no file system takes
/// replaced by "_": the start of the file names written for a unit.
pub fn safe_stem(code: &str, name: &str) -> String {
    let stem = if name.is_empty() || name == code {
        code.to_string()
    } else {
        format!("{code}_{name}")
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    safe.trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string()
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
