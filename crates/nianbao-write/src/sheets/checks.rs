//! `校验结果`: every violation, one per row, in the clerk's words: the unit, the file, the rule's
//! title, the severity, the fields by their official labels, the cells of the unit's file, the
//! two sides of the rule as they stand, the cell most likely wrong and what it should be, the
//! message; the rule and field ids last, for machines. An autofilter and a frozen header.

use nianbao_format::{CellRef, Lang, Report, Severity, Violation};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::unit_display;
use crate::labels::{field_labels, rule_title};
use crate::layout::{Print, Sheet, col, fitted_widths, row};
use crate::style::Styles;
use crate::{SHEET_CHECKS, WriteOptions, tr};

/// Field labels listed in one cell before "……共 N 项".
const MAX_LABELS: usize = 4;
/// Columns printed: the id columns after them are for machines.
const PRINTED: usize = 11;
const SEVERITY_COL: usize = 3;

/// The headers, in `lang`.
pub fn headers(lang: Lang) -> [&'static str; 13] {
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
    report: &Report,
    opts: &WriteOptions,
    unit: &str,
    file: Option<&str>,
    v: &Violation,
) -> [String; 13] {
    let lang = opts.lang;
    // The two sides only for a rule that compares two sums (a read problem's "actual" is the
    // text typed, a blank total's "expected" the sum taken; their messages say so).
    let (left, right) = match (&v.expected, &v.actual) {
        (Some(e), Some(a)) => (e.clone(), a.clone()),
        _ => (String::new(), String::new()),
    };
    let (wrong, should) = suggestion(v, lang);
    [
        unit_display(report, unit, lang),
        file.unwrap_or_default().to_string(),
        rule_title(&v.rule, opts.rule_set(), lang),
        v.severity.label(lang).to_string(),
        field_labels(&v.fields, MAX_LABELS, lang),
        cells_text(&v.cells),
        left,
        right,
        wrong,
        should,
        v.message.get(lang).to_string(),
        v.rule.clone(),
        v.fields.join(", "),
    ]
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
    let rows: Vec<[String; 13]> = report
        .violations
        .iter()
        .map(|uv| cells_of_row(report, opts, &uv.unit, uv.file.as_deref(), &uv.violation))
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
        (10.0, 18.0),
        (12.0, 28.0),
    ];
    let widths = fitted_widths(
        &limits,
        std::iter::once(heads.map(String::from)).chain(rows.iter().cloned()),
    );
    let mut s = Sheet::new(ws, widths, 10.0)?;
    for (c, h) in heads.iter().enumerate() {
        s.text(0, col(c), 0, col(c), h, &st.header)?;
    }
    for (i, (cells, uv)) in rows.iter().zip(&report.violations).enumerate() {
        let r = row(i + 1);
        for (c, text) in cells.iter().enumerate() {
            let f = match (c, uv.violation.severity) {
                (SEVERITY_COL, Severity::Error) => &st.text_error,
                (SEVERITY_COL, Severity::Warning) => &st.text_warning,
                _ => &st.text,
            };
            s.text(r, col(c), r, col(c), text, f)?;
        }
    }
    s.apply_heights(18.0)?;
    let last = row(rows.len());
    s.ws.autofilter(0, 0, last, col(heads.len() - 1))?;
    s.ws.set_freeze_panes(1, 0)?;
    Print {
        area: Some((last, col(PRINTED - 1))),
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
