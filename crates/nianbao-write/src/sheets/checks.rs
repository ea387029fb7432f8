//! `校验结果`: every violation, one per row, in the clerk's words: the unit, the file, the rule's
//! title, the severity, the fields by their official labels, the cells of the unit's file, the
//! two sides of the rule as they stand, the cell most likely wrong and what it should be, the
//! message, the explanation the office accepted (出错说明, 已说明); the rule and field ids last,
//! for machines. An autofilter and a frozen header. Under the violations, when a waiver file
//! was given, a short section: how many violations it explained, and its explanations that
//! expired or matched nothing, each with its line.

use nianbao_format::{CellRef, Lang, Report, Severity, UnitStatus, Violation, Waived, Waiver};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::UnitNames;
use crate::labels::{field_labels, rule_title};
use crate::layout::{Print, Sheet, col, fitted_widths, row};
use crate::style::Styles;
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

pub fn write(
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
    // (min, max) width of each column; longer texts wrap.
    let limits = [
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
            s.text(r, col(c), r, col(c), text, f)?;
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
                s.text(r, col(c), r, col(c), text, f)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_format::Suspect;

    fn cell(sheet: &str, row: u32, col: u32) -> CellRef {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
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
