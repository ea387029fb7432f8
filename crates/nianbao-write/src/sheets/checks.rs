//! `校验结果`: every violation, one per row, in the clerk's words: the unit, the file, the rule's
//! title, the severity, the fields by their official labels, the cells of the unit's file, the
//! two sides of the rule as they stand, the cell most likely wrong and what it should be, the
//! message, the explanation the office accepted (出错说明, 已说明); the rule and field ids last,
//! for machines. An autofilter and a frozen header. Under the violations, when a waiver file
//! was given, a short section: how many violations it explained, and its explanations that
//! expired or matched nothing, each with its line.

use nianbao_format::{CellRef, Lang, Report, Severity, UnitStatus, Violation, Waived, Waiver};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::UnitNames;
use super::rows::{Cells, around_probe, decimal, open_row, push_rendered};
use crate::WriteError;
use crate::labels::{field_labels, rule_title};
use crate::layout::{Print, Sheet, col, fitted_widths, row, row_height, texts_height};
use crate::style::Styles;
use crate::zipsplice::{DeflateMemo, Part, Parts};
use crate::{SHEET_CHECKS, WriteOptions, tr};

/// Field labels listed in one cell before "……共 N 项".
const MAX_LABELS: usize = 4;
/// Columns printed: the id columns after them are for machines.
const PRINTED: usize = 12;
const SEVERITY_COL: usize = 3;
const COLS: usize = 14;

/// The headers, in `lang`.
pub fn headers(lang: Lang) -> [&'static str; COLS] {
    [
        tr(lang, "单位", "Unit"),
        tr(lang, "文件", "File"),
        tr(lang, "规则", "Rule"),
        tr(lang, "严重程度", "Severity"),
        tr(lang, "字段", "Fields"),
        tr(lang, "单元格", "Cells"),
        tr(lang, "左边", "Left side"),
        tr(lang, "右边", "Right side"),
        tr(lang, "最可能出错", "Most likely wrong"),
        tr(lang, "应改为", "Should be"),
        tr(lang, "说明", "Message"),
        tr(lang, "出错说明", "Explanation"),
        tr(lang, "规则编号", "Rule id"),
        tr(lang, "字段编号", "Field ids"),
    ]
}

/// Cells of the unit's file, the sheet named once per run: "表三!D24, D25, 表二!G7".
fn cells_text(cells: &[CellRef]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut sheet: Option<&str> = None;
    for c in cells {
        if sheet == Some(&*c.sheet) {
            out.push(c.a1());
        } else {
            out.push(c.to_string());
            sheet = Some(&c.sheet);
        }
    }
    out.join(", ")
}

/// (most likely wrong, should be) from the suspects: the first, or every candidate when several
/// repairs fit equally ("表三!D24 或 表三!E24", "1 或 2").
fn suggestion(v: &Violation, lang: Lang) -> (String, String) {
    let name = |s: &nianbao_format::Suspect| {
        s.cell.as_ref().map_or_else(
            || crate::labels::field_label(&s.field, lang),
            |c| c.to_string(),
        )
    };
    let or = tr(lang, " 或 ", " or ");
    match &v.suspects[..] {
        [] => (String::new(), String::new()),
        [first, ..] if !v.suspects_tied => (name(first), first.suggested_text()),
        all => {
            let cells: Vec<String> = all.iter().map(name).collect();
            let values: Vec<String> = all.iter().map(|s| s.suggested_text()).collect();
            let tied = tr(lang, "（可能性相同）", " (equally likely)");
            (format!("{}{tied}", cells.join(or)), values.join(or))
        }
    }
}

/// One row of the sheet.
fn cells_of_row(
    names: &UnitNames<'_>,
    opts: &WriteOptions,
    unit: &str,
    file: Option<&str>,
    v: &Violation,
) -> [String; COLS] {
    let lang = opts.lang;
    // The two sides only for a rule that compares two sums (a read problem's "actual" is the
    // text typed, a blank total's "expected" the sum taken; their messages say so).
    let (left, right) = match (&v.expected, &v.actual) {
        (Some(e), Some(a)) => (e.clone(), a.clone()),
        _ => (String::new(), String::new()),
    };
    let (wrong, should) = suggestion(v, lang);
    let severity = match (&v.waived, lang) {
        (None, _) => v.severity.label(lang).to_string(),
        (Some(_), Lang::Zh) => format!("已说明（{}）", v.severity.label(lang)),
        (Some(_), Lang::En) => format!("explained ({})", v.severity.label(lang)),
    };
    [
        names.display(unit, lang),
        file.unwrap_or_default().to_string(),
        rule_title(&v.rule, opts.rule_set(), lang),
        severity,
        field_labels(
            &v.fields.iter().map(|f| f.id()).collect::<Vec<_>>(),
            MAX_LABELS,
            lang,
        ),
        cells_text(&v.cells),
        left,
        right,
        wrong,
        should,
        v.message.get(lang).to_string(),
        v.waived
            .as_ref()
            .map(|w| explanation(w, lang))
            .unwrap_or_default(),
        v.rule.clone(),
        v.fields
            .iter()
            .map(|f| f.id())
            .collect::<Vec<_>>()
            .join(", "),
    ]
}

/// "2023年废止的文件计在区司法局（有效期至 2025-06-30）": the reason the office accepted.
fn explanation(w: &Waived, lang: Lang) -> String {
    match (&w.expires, lang) {
        (None, _) => w.reason.clone(),
        (Some(d), Lang::Zh) => format!("{}（有效期至 {d}）", w.reason),
        (Some(d), Lang::En) => format!("{} (until {d})", w.reason),
    }
}

/// The title line of the explanations section: "出错说明：已说明 2 处；已过期 1 条；未用到 1 条".
pub fn waivers_line(report: &Report, lang: Lang) -> String {
    let explained = report
        .violations
        .iter()
        .filter(|v| !v.violation.counts())
        .count();
    let w = &report.waivers;
    match lang {
        Lang::Zh => format!(
            "出错说明：已说明 {explained} 处；已过期 {} 条；未用到 {} 条",
            w.expired.len(),
            w.unused.len()
        ),
        Lang::En => format!(
            "Explanations: {explained} violations explained; {} expired; {} unused",
            w.expired.len(),
            w.unused.len()
        ),
    }
}

/// A row of the explanations section: an explanation that expired (`expired`) or matched
/// nothing, in the columns of the violations.
fn waiver_row(
    names: &UnitNames<'_>,
    opts: &WriteOptions,
    w: &Waiver,
    expired: bool,
) -> [String; COLS] {
    let lang = opts.lang;
    let status = if expired {
        tr(lang, "已过期", "expired")
    } else {
        tr(lang, "未用到", "unused")
    };
    let did_not_file = names
        .get(&w.unit)
        .is_none_or(|u| u.status == UnitStatus::Missing);
    let message = match (expired, did_not_file, lang) {
        (true, _, Lang::Zh) => format!(
            "此说明已于 {} 到期，不再适用：相应的问题重新计入",
            w.expires.as_deref().unwrap_or_default()
        ),
        (true, _, Lang::En) => format!(
            "expired on {}; no longer applies: the violations count again",
            w.expires.as_deref().unwrap_or_default()
        ),
        (false, true, Lang::Zh) => "该单位未报送，此说明没有用到".to_string(),
        (false, true, Lang::En) => "the unit has not filed; not used".to_string(),
        (false, false, Lang::Zh) => "该单位没有此规则的问题，此说明没有用到".to_string(),
        (false, false, Lang::En) => "the unit has no violation of this rule; not used".to_string(),
    };
    let line = match lang {
        Lang::Zh => format!("出错说明文件第 {} 行", w.line),
        Lang::En => format!("waiver file, line {}", w.line),
    };
    let mut cells: [String; COLS] = Default::default();
    cells[0] = names.display(&w.unit, lang);
    cells[1] = line;
    cells[2] = rule_title(&w.rule, opts.rule_set(), lang);
    cells[SEVERITY_COL] = status.to_string();
    cells[10] = message;
    cells[11] = explanation(
        &Waived {
            reason: w.reason.clone(),
            expires: w.expires.clone(),
        },
        lang,
    );
    cells[12] = w.rule.clone();
    cells
}

/// (min, max) width of each column; longer texts wrap.
const LIMITS: [(f64, f64); COLS] = [
    (10.0, 18.0),
    (10.0, 22.0),
    (14.0, 26.0),
    (6.0, 9.0),
    (16.0, 30.0),
    (10.0, 18.0),
    (6.0, 9.0),
    (6.0, 9.0),
    (12.0, 16.0),
    (8.0, 9.0),
    (36.0, 56.0),
    (12.0, 30.0),
    (10.0, 18.0),
    (12.0, 28.0),
];
/// The width of a column beyond those set.
const DEFAULT_WIDTH: f64 = 10.0;
/// The least height of a row.
const MIN_HEIGHT: f64 = 18.0;
/// Rows rendered and deflated as one part.
const ROWS_PER_PART: usize = 256;

/// The formats of the rows' cells, by role: the probe row holds one cell in each, in this
/// order.
fn probe_formats(st: &Styles) -> [&Format; ROLES] {
    [&st.text, &st.text_error, &st.text_warning, &st.note_bold]
}

const TEXT: usize = 0;
const ERROR: usize = 1;
const WARNING: usize = 2;
const TITLE: usize = 3;
const ROLES: usize = 4;

/// The role of a violation's cell in column `c`: its severity's colour in 严重程度, unless it
/// is explained.
fn violation_role(c: usize, v: &Violation) -> usize {
    match (c, v.severity) {
        _ if !v.counts() => TEXT,
        (SEVERITY_COL, Severity::Error) => ERROR,
        (SEVERITY_COL, Severity::Warning) => WARNING,
        _ => TEXT,
    }
}

/// The explanations listed under the violations: expired (true), then unused.
fn waiver_list(report: &Report) -> impl Iterator<Item = (&Waiver, bool)> {
    let w = &report.waivers;
    w.expired
        .iter()
        .map(|x| (x, true))
        .chain(w.unused.iter().map(|x| (x, false)))
}

/// The sheet's rows (0-based): the violations' last, the explanations' title and the last
/// printed.
struct Rows {
    last: usize,
    title: Option<usize>,
    printed_to: usize,
}

impl Rows {
    fn of(report: &Report) -> Rows {
        let last = report.violations.len();
        // The explanations, under a blank row: not part of the filtered list.
        let title = (!report.waivers.is_empty()).then_some(last + 2);
        let printed_to = title.map_or(last, |t| {
            t + report.waivers.expired.len() + report.waivers.unused.len()
        });
        Rows {
            last,
            title,
            printed_to,
        }
    }
}

/// Whether the sheet has rows below its header, rendered by [`splice_rows`] in place of the
/// probe row [`write`] leaves; without them the sheet is its header alone.
pub fn has_rows(report: &Report) -> bool {
    Rows::of(report).printed_to > 0
}

/// The sheet's column widths, fitted to every row's texts: the head and the rows both need
/// them.
#[derive(Debug, Clone)]
pub struct Layout {
    widths: Vec<f64>,
}

impl Layout {
    /// The rows' texts are made here to be measured and again when rendered, not held: at a
    /// province's scale they are the sheet.
    pub fn new(report: &Report, opts: &WriteOptions) -> Layout {
        let names = UnitNames::new(report);
        let widths = fitted_widths(
            &LIMITS,
            std::iter::once(headers(opts.lang).map(String::from))
                .chain(report.violations.iter().map(|uv| {
                    cells_of_row(&names, opts, &uv.unit, uv.file.as_deref(), &uv.violation)
                }))
                .chain(
                    waiver_list(report).map(|(w, expired)| waiver_row(&names, opts, w, expired)),
                ),
        );
        Layout { widths }
    }

    /// The height a row of these texts needs: the printed columns' texts only. The rule's id
    /// and the field ids after them are for filtering and machines; 25 field ids wrapped in
    /// their column made rows of the printed list 409 points tall.
    fn height(&self, texts: &[String; COLS]) -> f64 {
        let printed = texts.iter().take(PRINTED).enumerate();
        let cells = printed.map(|(c, s)| (c, c, s.as_str()));
        texts_height(&self.widths, DEFAULT_WIDTH, MIN_HEIGHT, cells)
    }
}

/// Writes the sheet's header, its settings and, when it has rows, the probe row;
/// [`splice_rows`] puts the rows in its place in the saved workbook.
pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
    layout: &Layout,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_CHECKS)?;
    let lang = opts.lang;
    let heads = headers(lang);
    let rows = Rows::of(report);
    let mut s = Sheet::new(ws, layout.widths.clone(), DEFAULT_WIDTH)?;
    for (c, h) in heads.iter().enumerate() {
        s.text(0, col(c), 0, col(c), h, &st.header)?;
    }
    s.apply_heights(MIN_HEIGHT)?;
    if has_rows(report) {
        for (c, fmt) in probe_formats(st).into_iter().enumerate() {
            s.ws.write_number_with_format(1, col(c), 0.0, fmt)?;
        }
        // The last cell the rows fill, for the sheet's dimension.
        s.ws.write_blank(row(rows.printed_to), col(COLS - 1), &st.text)?;
    }
    s.ws.autofilter(0, 0, row(rows.last), col(heads.len() - 1))?;
    s.ws.set_freeze_panes(1, 0)?;
    Print {
        area: Some((row(rows.printed_to), col(PRINTED - 1))),
        ..Print::list(0, 0, lang)
    }
    .apply(s.ws)
}

/// Writes the sheet's XML (`xml`, as rust_xlsxwriter saved it from [`write`]) to `parts` with
/// the violations' and the explanations' rows in place of the probe row: what rust_xlsxwriter
/// writes for them cell by cell (a test holds them to it).
pub fn splice_rows(
    xml: &[u8],
    report: &Report,
    opts: &WriteOptions,
    layout: &Layout,
    level: u32,
    memo: Option<&dyn DeflateMemo>,
    parts: &mut Parts<'_, '_>,
) -> Result<(), WriteError> {
    let sheet = around_probe(xml, 2, ROLES, COLS)?;
    let cells = &sheet.cells;
    let names = UnitNames::new(report);
    parts.push(Part::new(sheet.head, level, false))?;
    push_rendered(
        parts,
        &report.violations,
        ROWS_PER_PART,
        1024,
        level,
        memo,
        |first, batch, buf| {
            for (k, uv) in batch.iter().enumerate() {
                let v = &uv.violation;
                let texts = cells_of_row(&names, opts, &uv.unit, uv.file.as_deref(), v);
                texts_row(buf, cells, layout, first + k + 1, &texts, |c| {
                    violation_role(c, v)
                })?;
            }
            Ok(())
        },
    )?;
    let rows = Rows::of(report);
    if let Some(title) = rows.title {
        let mut buf = Vec::new();
        let mut digits = [0; 20];
        let r = decimal(title as u64 + 1, &mut digits);
        open_row(&mut buf, r, Some(row_height(22.0, MIN_HEIGHT)), "");
        cells.string(&mut buf, 0, r, TITLE, &waivers_line(report, opts.lang))?;
        buf.extend_from_slice(b"</row>");
        for (i, (w, expired)) in waiver_list(report).enumerate() {
            let texts = waiver_row(&names, opts, w, expired);
            let role = if expired { WARNING } else { TEXT };
            texts_row(&mut buf, cells, layout, title + 1 + i, &texts, |c| {
                if c == SEVERITY_COL { role } else { TEXT }
            })?;
        }
        parts.push(Part::new(&buf, level, false))?;
    }
    parts.push(Part::new(sheet.rest.as_bytes(), level, true))?;
    Ok(())
}

/// Row `r` (0-based) of texts, each cell in the role `role` gives its column.
fn texts_row(
    buf: &mut Vec<u8>,
    cells: &Cells,
    layout: &Layout,
    r: usize,
    texts: &[String; COLS],
    role: impl Fn(usize) -> usize,
) -> Result<(), XlsxError> {
    let mut digits = [0; 20];
    let r = decimal(r as u64 + 1, &mut digits);
    open_row(buf, r, Some(layout.height(texts)), "");
    for (c, text) in texts.iter().enumerate() {
        cells.string(buf, c, r, role(c), text)?;
    }
    buf.extend_from_slice(b"</row>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Print, Sheet, col, fitted_widths, row};
    use crate::sheets::rows::testing::{Rng, normalized, workbook_meeting};
    use crate::zipsplice::replace_members;
    use nianbao_format::{Msg, Suspect, UnitEntry, UnitViolation, WaiverOutcome};

    /// The sheet as rust_xlsxwriter wrote it cell by cell before its rows were rendered here.
    fn written_by_rust_xlsxwriter(
        ws: &mut Worksheet,
        report: &Report,
        opts: &WriteOptions,
        st: &Styles,
    ) -> Result<(), XlsxError> {
        ws.set_name(SHEET_CHECKS)?;
        let lang = opts.lang;
        let heads = headers(lang);
        let names = UnitNames::new(report);
        let rows: Vec<[String; COLS]> = report
            .violations
            .iter()
            .map(|uv| cells_of_row(&names, opts, &uv.unit, uv.file.as_deref(), &uv.violation))
            .collect();
        let w = &report.waivers;
        let waiver_rows: Vec<([String; COLS], bool)> = w
            .expired
            .iter()
            .map(|x| (waiver_row(&names, opts, x, true), true))
            .chain(
                w.unused
                    .iter()
                    .map(|x| (waiver_row(&names, opts, x, false), false)),
            )
            .collect();
        let limits = LIMITS;
        let widths = fitted_widths(
            &limits,
            std::iter::once(heads.map(String::from))
                .chain(rows.iter().cloned())
                .chain(waiver_rows.iter().map(|(r, _)| r.clone())),
        );
        let mut s = Sheet::new(ws, widths, 10.0)?;
        for (c, h) in heads.iter().enumerate() {
            s.text(0, col(c), 0, col(c), h, &st.header)?;
        }
        for (i, (cells, uv)) in rows.iter().zip(&report.violations).enumerate() {
            let r = row(i + 1);
            for (c, text) in cells.iter().enumerate() {
                let f = match (c, uv.violation.severity) {
                    _ if !uv.violation.counts() => &st.text,
                    (SEVERITY_COL, Severity::Error) => &st.text_error,
                    (SEVERITY_COL, Severity::Warning) => &st.text_warning,
                    _ => &st.text,
                };
                unprinted_or_measured(&mut s, r, c, text, f)?;
            }
        }
        let last = row(rows.len());
        // The explanations, under a blank row: not part of the filtered list.
        let mut printed_to = last;
        if !w.is_empty() {
            let title = last + 2;
            s.ws.write_string_with_format(title, 0, waivers_line(report, lang), &st.note_bold)?;
            s.min_height(title, 22.0);
            for (i, (cells, expired)) in waiver_rows.iter().enumerate() {
                let r = title + 1 + row(i);
                for (c, text) in cells.iter().enumerate() {
                    let f = if c == SEVERITY_COL && *expired {
                        &st.text_warning
                    } else {
                        &st.text
                    };
                    unprinted_or_measured(&mut s, r, c, text, f)?;
                }
            }
            printed_to = title + row(waiver_rows.len());
        }
        s.apply_heights(18.0)?;
        s.ws.autofilter(0, 0, last, col(heads.len() - 1))?;
        s.ws.set_freeze_panes(1, 0)?;
        Print {
            area: Some((printed_to, col(PRINTED - 1))),
            ..Print::list(0, 0, lang)
        }
        .apply(s.ws)
    }

    /// A printed column's text sets its row's height; one past the print area does not.
    fn unprinted_or_measured(
        s: &mut Sheet<'_>,
        r: u32,
        c: usize,
        text: &str,
        f: &rust_xlsxwriter::Format,
    ) -> Result<(), XlsxError> {
        if c < PRINTED {
            s.text(r, col(c), r, col(c), text, f)?;
        } else {
            s.ws.write_string_with_format(r, col(c), text, f)?;
        }
        Ok(())
    }

    fn violation(rule: &str, severity: Severity, message: &str) -> Violation {
        Violation {
            rule: rule.into(),
            severity,
            fields: vec![nianbao_format::FieldRef::parse("t3.new.total").expect("a field")],
            cells: vec![cell("表三", 5, 3), cell("表三", 6, 3), cell("表二", 2, 4)],
            expected: Some("12".into()),
            actual: Some("13".into()),
            message: Msg::new(message, format!("{message} (en)")),
            ..Default::default()
        }
    }

    fn waiver(unit: &str, line: usize, expires: Option<&str>) -> Waiver {
        Waiver {
            unit: unit.into(),
            rule: "balance.t3".into(),
            reason: "经核实，该单位当年确无此类申请 & <说明>".into(),
            expires: expires.map(Into::into),
            line,
        }
    }

    /// Violations of every severity, one explained, with suspects tied and not, long messages
    /// and texts to escape; explanations applied, expired and unused.
    fn report(waivers: bool) -> Report {
        let mut units = vec![UnitEntry {
            unit: "U01".into(),
            name: "石化街道".into(),
            kind: None,
            files: vec!["石化街道.xlsx".into()],
            status: UnitStatus::Errors,
            readings: None,
            values: None,
            in_totals: true,
            errors: 1,
            warnings: 1,
            blanks: 0,
            note: None,
        }];
        units.push(UnitEntry {
            unit: "U02".into(),
            status: UnitStatus::Missing,
            ..units[0].clone()
        });
        let mut tied = violation(
            "balance.t3",
            Severity::Error,
            "不平衡：“约10” & <多> _x0041_",
        );
        tied.suspects = vec![
            Suspect {
                cell: Some(cell("表三", 5, 3)),
                field: "t3.new.total".into(),
                value: 13,
                suggested: 12,
            },
            Suspect {
                cell: None,
                field: "t3.new.natural_person".into(),
                value: 1,
                suggested: 2,
            },
        ];
        tied.suspects_tied = true;
        let mut single = violation("balance.t2", Severity::Warning, &"很长的说明".repeat(30));
        single.suspects = vec![tied.suspects[0].clone()];
        let mut explained = violation("balance.t4", Severity::Error, "已说明的问题");
        explained.waived = Some(Waived {
            reason: "经核实无误".into(),
            expires: Some("2025-01-31".into()),
        });
        let info = violation("value.blank", Severity::Info, " 有 3 个数值单元格留空 ");
        let violations = [
            ("U01", Some("石化街道.xlsx"), tied),
            ("U01", None, single),
            ("U02", Some("a&b.xls"), explained),
            ("district", None, info),
            (
                "U99",
                None,
                violation("unit.missing", Severity::Error, "未报送"),
            ),
        ]
        .into_iter()
        .map(|(unit, file, violation)| UnitViolation {
            unit: unit.into(),
            file: file.map(Into::into),
            violation,
        })
        .collect();
        let waivers = if waivers {
            WaiverOutcome {
                applied: vec![waiver("U02", 2, None)],
                expired: vec![waiver("U01", 3, Some("2020-01-01"))],
                unused: vec![waiver("U02", 4, None), waiver("U77", 5, None)],
            }
        } else {
            WaiverOutcome::default()
        };
        Report {
            year: Some(2023),
            units,
            totals: Vec::new(),
            violations,
            files: Vec::new(),
            coverage: Default::default(),
            waivers,
        }
    }

    #[test]
    fn random_violations_and_explanations_give_what_rust_xlsxwriter_writes() {
        let st = Styles::new();
        let ids: Vec<&str> = nianbao_format::fields()
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        for seed in 1..=12u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let severities = [Severity::Error, Severity::Warning, Severity::Info];
            let violations = (0..rng.below(40))
                .map(|_| {
                    let mut v = violation(&rng.text(20), severities[rng.below(3)], &rng.text(120));
                    v.fields = (0..rng.below(7))
                        .map(|_| {
                            nianbao_format::FieldRef::parse(ids[rng.below(ids.len())])
                                .expect("a field")
                        })
                        .collect();
                    v.cells = (0..rng.below(9))
                        .map(|_| cell(["表二", "表三"][rng.below(2)], rng.below(60) as u32, 3))
                        .collect();
                    v.expected = Some(rng.text(8)).filter(|t| !t.is_empty());
                    v.waived = (rng.below(4) == 0).then(|| Waived {
                        reason: rng.text(50),
                        expires: None,
                    });
                    UnitViolation {
                        unit: ["U01", "U02", "district", "U99"][rng.below(4)].into(),
                        file: Some(rng.text(40)).filter(|f| !f.is_empty()),
                        violation: v,
                    }
                })
                .collect();
            let mut waivers = WaiverOutcome::default();
            for line in 0..rng.below(6) {
                let mut w = waiver(["U01", "U02", "U88"][rng.below(3)], line + 2, None);
                w.reason = rng.text(60);
                match rng.below(3) {
                    0 => waivers.applied.push(w),
                    1 => waivers.expired.push(w),
                    _ => waivers.unused.push(w),
                }
            }
            let report = Report {
                violations,
                waivers,
                ..report(false)
            };
            let opts = WriteOptions {
                lang: [Lang::Zh, Lang::En][rng.below(2)],
                ..WriteOptions::default()
            };
            let mut old = workbook_meeting(&st);
            written_by_rust_xlsxwriter(old.add_worksheet(), &report, &opts, &st).expect("old");
            let old = old.save_to_buffer().expect("saved");
            let layout = Layout::new(&report, &opts);
            let mut new = workbook_meeting(&st);
            write(new.add_worksheet(), &report, &opts, &st, &layout).expect("the head");
            let mut saved = new.save_to_buffer().expect("saved");
            if has_rows(&report) {
                let mut spliced = Vec::new();
                replace_members::<WriteError>(
                    &saved,
                    &[("xl/worksheets/sheet2.xml", 1 << 20)],
                    &mut spliced,
                    |_, xml, parts| splice_rows(xml, &report, &opts, &layout, 3, None, parts),
                )
                .expect("spliced");
                saved = spliced;
            }
            assert_eq!(normalized(&saved), normalized(&old), "seed {seed}");
        }
    }

    #[test]
    fn rows_are_what_rust_xlsxwriter_writes_cell_by_cell() {
        let st = Styles::new();
        let full = report(true);
        let no_waivers = report(false);
        let mut waivers_only = report(true);
        waivers_only.violations.clear();
        let mut applied_only = report(true);
        applied_only.violations.clear();
        applied_only.waivers.expired.clear();
        applied_only.waivers.unused.clear();
        let mut one = report(false);
        one.violations.truncate(1);
        let mut empty = report(false);
        empty.violations.clear();
        let cases = [
            (Lang::Zh, &full),
            (Lang::En, &full),
            (Lang::Zh, &no_waivers),
            (Lang::Zh, &waivers_only),
            (Lang::Zh, &applied_only),
            (Lang::Zh, &one),
            (Lang::Zh, &empty),
        ];
        for (lang, report) in cases {
            let opts = WriteOptions {
                lang,
                ..WriteOptions::default()
            };
            let mut old = workbook_meeting(&st);
            written_by_rust_xlsxwriter(old.add_worksheet(), report, &opts, &st).expect("old");
            let old = old.save_to_buffer().expect("saved");

            let layout = Layout::new(report, &opts);
            let mut new = workbook_meeting(&st);
            write(new.add_worksheet(), report, &opts, &st, &layout).expect("the head");
            let saved = new.save_to_buffer().expect("saved");
            let spliced = if has_rows(report) {
                let mut spliced = Vec::new();
                replace_members::<WriteError>(
                    &saved,
                    &[("xl/worksheets/sheet2.xml", 1 << 20)],
                    &mut spliced,
                    |_, xml, parts| splice_rows(xml, report, &opts, &layout, 3, None, parts),
                )
                .expect("spliced");
                spliced
            } else {
                saved
            };
            let (ours, theirs) = (normalized(&spliced), normalized(&old));
            if std::ptr::eq(report, &full) {
                assert!(theirs.contains("_x005F_x0041_") && theirs.contains("&amp;"));
                assert!(theirs.contains("xml:space") && theirs.contains("<autoFilter "));
                assert!(theirs.contains("ht=\"21.75\"") && theirs.contains("ht=\"95.25\""));
            }
            for (a, b) in ours.split("<row ").zip(theirs.split("<row ")) {
                assert_eq!(a, b);
            }
            assert_eq!(ours, theirs);
        }
    }

    fn cell(sheet: &str, row: u32, col: u32) -> CellRef {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
    }

    /// A rule over 25 fields (a missing column): its row is as tall as its printed texts, though
    /// the field ids after the print area would wrap to fill 409 points.
    #[test]
    fn a_row_is_as_tall_as_its_printed_texts() {
        let mut v = violation(
            "layout.missing_column",
            Severity::Error,
            "表三缺少列“科研机构”",
        );
        v.fields = nianbao_format::fields()
            .iter()
            .filter(|f| f.id.ends_with(".research"))
            .take(25)
            .map(|f| nianbao_format::FieldRef::parse(&f.id).expect("a field"))
            .collect();
        assert_eq!(v.fields.len(), 25);
        let report = Report {
            violations: vec![UnitViolation {
                unit: "U01".into(),
                file: Some("U01.xlsx".into()),
                violation: v,
            }],
            ..report(false)
        };
        let opts = WriteOptions::default();
        let layout = Layout::new(&report, &opts);
        let names = UnitNames::new(&report);
        let uv = &report.violations[0];
        let texts = cells_of_row(&names, &opts, "U01", Some("U01.xlsx"), &uv.violation);
        let every = texts.iter().enumerate().map(|(c, s)| (c, c, s.as_str()));
        let all = texts_height(&layout.widths, DEFAULT_WIDTH, MIN_HEIGHT, every);
        assert!(all > 300.0, "the field ids alone would need {all}");
        let h = layout.height(&texts);
        assert!(h < all / 1.5, "{h} against {all}");
        // The tallest printed text sets it: none is cut.
        let printed: Vec<f64> = (texts.iter().take(PRINTED).enumerate())
            .map(|(c, t)| {
                texts_height(
                    &layout.widths,
                    DEFAULT_WIDTH,
                    MIN_HEIGHT,
                    [(c, c, t.as_str())],
                )
            })
            .collect();
        assert_eq!(
            h,
            printed.iter().copied().fold(0.0, f64::max),
            "{printed:?}"
        );
    }

    #[test]
    fn cells_name_their_sheet_once_per_run() {
        let cells = [cell("表三", 23, 3), cell("表三", 24, 3), cell("表二", 6, 6)];
        assert_eq!(cells_text(&cells), "表三!D24, D25, 表二!G7");
        assert_eq!(cells_text(&[]), "");
    }

    #[test]
    fn the_suggestion_comes_from_the_suspects() {
        let suspect = |c: u32, v: i64| Suspect {
            cell: Some(cell("表三", 23, c)),
            field: "t3.new.natural_person".into(),
            value: 2,
            suggested: v,
        };
        let mut v = Violation {
            suspects: vec![suspect(3, 1), suspect(4, 5)],
            ..Default::default()
        };
        assert_eq!(
            suggestion(&v, Lang::Zh),
            ("表三!D24".to_string(), "1".to_string())
        );
        v.suspects_tied = true;
        assert_eq!(
            suggestion(&v, Lang::Zh),
            (
                "表三!D24 或 表三!E24（可能性相同）".to_string(),
                "1 或 5".to_string()
            )
        );
        v.suspects.clear();
        assert_eq!(suggestion(&v, Lang::Zh), (String::new(), String::new()));
    }
}
