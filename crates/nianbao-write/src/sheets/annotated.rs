//! The annotated return: the file the district office sends back to a unit whose return failed
//! its checks (退回修改).
//!
//! 1. `年报统计表`: the unit's values in the official layout ([`super::official`]), under a
//!    title, the unit's name (so the corrected file is filed under the same unit) and a line on
//!    what to do; every cell of a failed rule filled light red, the cell most likely wrong in each
//!    rule strong red with a note giving the rule's message and the suggested value, equally
//!    likely candidates orange with a note saying so, unreadable cells strong red showing the
//!    text as typed, with the read problem as note.
//! 2. `问题清单`: one row per error or warning: severity, the cells in sheet 1 (linked), the
//!    message and the suggested change, for a clerk who does not hover over notes.
//!
//! Every text names the cells of this file: the messages are rendered again for its layout
//! ([`crate::messages`]), never copied with the addresses of the file the unit sent.

use nianbao_format::problem;
use nianbao_format::{
    FIELD_COUNT, FORM_TITLE, Lang, Reading, Severity, Suspect, UNIT_LABEL, UnitEntry, Violation,
};
use rust_xlsxwriter::{
    ColNum, Color, Format, FormatUnderline, Formula, RowNum, Worksheet, XlsxError,
};

use super::official::{self, Cells, Decoration, Shown};
use crate::layout::{Print, Sheet, col, fitted_widths, row};
use crate::messages::{a1, suspects, this_year};
use crate::plan::{Plan, Role};
use crate::style::{Mark, Styles};
use crate::{SHEET_PROBLEMS, SHEET_RETURN, WriteOptions, tr};

/// The row the tables start on, below the title, the unit, the instructions and the legend.
const TABLES_ROW: RowNum = 5;
const LINK_COLOR: u32 = 0x0563C1;
/// The longest text a formula's string may hold (Excel: 255 characters).
const MAX_FORMULA_TEXT: usize = 255;

/// Where sheet 1 puts each field's value cell.
pub fn positions() -> Vec<(RowNum, ColNum)> {
    official::positions(TABLES_ROW).0
}

/// Whether a violation is one the unit must act on (errors and warnings, not notes, not those
/// the office accepted an explanation for).
fn reported(v: &Violation) -> bool {
    matches!(v.severity, Severity::Error | Severity::Warning) && v.counts()
}

/// The unit's name as the return states it.
fn unit_name(unit: &UnitEntry) -> &str {
    if unit.name.is_empty() {
        &unit.unit
    } else {
        &unit.name
    }
}

/// What each value cell shows: the value, nothing where the unit left the cell blank (and the
/// value is 0), or the text typed where no value could be read.
pub fn shown(readings: &[Reading]) -> Vec<Shown<'_>> {
    readings
        .iter()
        .map(|r| match r.value {
            Some(0) if r.blank => Shown::Blank,
            Some(v) => Shown::Value(v),
            None => Shown::Raw(&r.raw),
        })
        .collect()
}

fn severity_tag(s: Severity, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("【{}】", s.label(lang)),
        Lang::En => format!("[{}] ", s.label(lang)),
    }
}

fn suggested_text(s: &Suspect, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("建议值：{}", s.suggested_text()),
        Lang::En => format!("Suggested value: {}", s.suggested_text()),
    }
}

fn tied_text(s: &Suspect, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "几处修改的可能性相同（见橙色单元格），请逐一核对；若是此格有误，建议值：{}",
            s.suggested_text()
        ),
        Lang::En => format!(
            "Several repairs are equally likely (the orange cells); check each. If this cell is \
             wrong, suggested value: {}",
            s.suggested_text()
        ),
    }
}

/// How each of the 200 value cells is marked, and the notes it carries; `texts` are the
/// violations' messages for this file.
pub fn decorations(
    readings: &[Reading],
    violations: &[Violation],
    texts: &[String],
    lang: Lang,
) -> Vec<Decoration> {
    let mut d = vec![Decoration::default(); FIELD_COUNT];
    fn raise(d: &mut Decoration, m: Mark) {
        d.mark = d.mark.max(Some(m));
    }
    fn add(d: &mut Decoration, text: String) {
        if !d.notes.contains(&text) {
            d.notes.push(text);
        }
    }
    for (v, text) in violations.iter().zip(texts).filter(|(v, _)| reported(v)) {
        let head = format!("{}{text}", severity_tag(v.severity, lang));
        let involved: Vec<usize> = v.fields.iter().filter_map(this_year).collect();
        for &i in &involved {
            raise(&mut d[i], Mark::Involved);
        }
        let suspects = suspects(v);
        if v.suspects_tied && suspects.len() > 1 {
            for &(i, s) in &suspects {
                raise(&mut d[i], Mark::Tied);
                add(&mut d[i], format!("{head}\n{}", tied_text(s, lang)));
            }
        } else if let Some(&(i, s)) = suspects.first() {
            raise(&mut d[i], Mark::Suspect);
            add(&mut d[i], format!("{head}\n{}", suggested_text(s, lang)));
        } else if let [i] = involved[..] {
            // A problem of one cell (a blank total, an unreadable value): the note says what.
            add(&mut d[i], head);
        }
    }
    for (i, r) in readings.iter().enumerate().take(FIELD_COUNT) {
        if r.value.is_some() {
            continue;
        }
        raise(&mut d[i], Mark::Unreadable);
        let id = &nianbao_format::FieldRef::this_year(i);
        for (v, text) in violations
            .iter()
            .zip(texts)
            .filter(|(v, _)| v.rule.starts_with(problem::VALUE_PREFIX) && v.fields.contains(id))
        {
            add(
                &mut d[i],
                format!("{}{text}", severity_tag(v.severity, lang)),
            );
        }
        if d[i].notes.is_empty() {
            add(
                &mut d[i],
                match lang {
                    Lang::Zh => format!("无法识别为数值：“{}”，请填写数字", r.raw),
                    Lang::En => format!("not a number: \"{}\"; enter a number", r.raw),
                },
            );
        }
    }
    d
}

/// "区教育局2022年政府信息公开工作年度报告统计表（退回修改）".
pub fn title(unit: &UnitEntry, opts: &WriteOptions) -> String {
    let year = opts.year.map(|y| format!("{y}年")).unwrap_or_default();
    format!("{}{year}{FORM_TITLE}（退回修改）", unit_name(unit))
}

/// (errors, warnings) among the violations.
fn counts(violations: &[Violation]) -> (usize, usize) {
    let n = |s| {
        violations
            .iter()
            .filter(|v| v.severity == s && v.counts())
            .count()
    };
    (n(Severity::Error), n(Severity::Warning))
}

fn instructions(violations: &[Violation], lang: Lang) -> String {
    let (e, w) = counts(violations);
    match (e + w, lang) {
        (0, Lang::Zh) => "未发现需要修改的问题。".to_string(),
        (0, Lang::En) => "No problems to correct were found.".to_string(),
        (n, Lang::Zh) => format!(
            "退回修改：本表发现 {n} 个问题（错误 {e} 个，警告 {w} 个），有关单元格已标色，鼠标移到\
             标色单元格上可看批注；逐条说明见“{SHEET_PROBLEMS}”工作表。请修改后按原格式重新报送。"
        ),
        (n, Lang::En) => format!(
            "Returned for correction: {n} problems ({e} errors, {w} warnings). The cells concerned \
             are coloured; hover over a coloured cell to read its note. The sheet \
             “{SHEET_PROBLEMS}” lists every problem. Please correct the return and send it again."
        ),
    }
}

/// Writes sheet 1, `texts` being the violations' messages for this file; returns, per field,
/// the cell its value is in (as [`positions`]).
pub fn write_return(
    ws: &mut Worksheet,
    unit: &UnitEntry,
    readings: &[Reading],
    violations: &[Violation],
    texts: &[String],
    opts: &WriteOptions,
    st: &Styles,
) -> Result<Vec<(RowNum, ColNum)>, XlsxError> {
    let lang = opts.lang;
    ws.set_name(SHEET_RETURN)?;
    ws.set_default_note_author(tr(lang, "区政务公开办", "district office"));
    let shown = shown(readings);
    let decorations = decorations(readings, violations, texts, lang);
    let mut plan = Plan::new();
    plan.title(&title(unit, opts));
    // In Chinese whatever the language: `nianbao-read` finds the unit by this label.
    plan.line(1, &format!("{UNIT_LABEL}：{}", unit_name(unit)), Role::Unit);
    plan.line(2, &instructions(violations, lang), Role::Note);
    if decorations.iter().any(|d| d.mark.is_some()) {
        let legend = [
            (
                Mark::Involved,
                tr(
                    lang,
                    "浅红：涉及的单元格",
                    "light red: cells of a failed rule",
                ),
            ),
            (
                Mark::Suspect,
                tr(
                    lang,
                    "深红：最可能出错或无法识别",
                    "red: most likely wrong, or unreadable",
                ),
            ),
            (
                Mark::Tied,
                tr(
                    lang,
                    "橙色：可能出错（几处可能性相同）",
                    "orange: equally likely repairs",
                ),
            ),
        ];
        for (k, (mark, text)) in legend.iter().enumerate() {
            let c0 = col(k * 5);
            plan.span(3, (c0, c0 + 4), text, Role::Legend(*mark));
        }
    }
    plan.tables(TABLES_ROW);
    let cells = Cells {
        shown: &shown,
        decorations: Some(&decorations),
        input: false,
    };
    official::render(ws, &plan, &cells, st)
}

/// The cells of sheet 1 a violation concerns: its suspects first, then its other fields.
fn cells_of(v: &Violation) -> Vec<usize> {
    let mut out: Vec<usize> = suspects(v).into_iter().map(|(i, _)| i).collect();
    for i in v.fields.iter().filter_map(this_year) {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// The change a clerk should make, if the checks can tell.
fn suggestion(v: &Violation, pos: &[(RowNum, ColNum)], lang: Lang) -> String {
    let change = |&(i, s): &(usize, &Suspect)| {
        let at = a1(pos[i]);
        match lang {
            Lang::Zh => format!("将 {at} 由 {} 改为 {}", s.value_text(), s.suggested_text()),
            Lang::En => format!(
                "change {at} from {} to {}",
                s.value_text(),
                s.suggested_text()
            ),
        }
    };
    let suspects = suspects(v);
    if v.suspects_tied && suspects.len() > 1 {
        let all: Vec<String> = suspects.iter().map(change).collect();
        return match lang {
            Lang::Zh => format!("以下修改任选其一（可能性相同，请核对）：{}", all.join("；")),
            Lang::En => format!("one of (equally likely, check): {}", all.join("; ")),
        };
    }
    if let Some(s) = suspects.first() {
        return change(s);
    }
    if v.rule.starts_with(problem::VALUE_PREFIX) {
        return tr(lang, "请填写数字", "enter a number").to_string();
    }
    if v.rule == problem::TOTAL_BLANK
        && let [id] = &v.fields[..]
        && let Some(i) = this_year(id)
    {
        let at = a1(pos[i]);
        let value = v.expected.as_deref().unwrap_or_default();
        return match lang {
            Lang::Zh => format!("核对后在 {at} 填写总计 {value}"),
            Lang::En => format!("check it and enter the total {value} in {at}"),
        };
    }
    String::new()
}

/// Writes sheet 2, the list of problems; `texts` are the violations' messages for this file and
/// `pos` is where sheet 1 put each field.
pub fn write_problems(
    ws: &mut Worksheet,
    unit: &UnitEntry,
    violations: &[Violation],
    texts: &[String],
    pos: &[(RowNum, ColNum)],
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    let lang = opts.lang;
    ws.set_name(SHEET_PROBLEMS)?;
    let heads = [
        tr(lang, "序号", "No."),
        tr(lang, "类别", "Severity"),
        tr(lang, "本表单元格", "Cells (this workbook)"),
        tr(lang, "问题说明", "Problem"),
        tr(lang, "建议修改", "Suggested change"),
    ];
    let last = col(heads.len() - 1);
    let mut listed: Vec<(&Violation, &String)> = violations
        .iter()
        .zip(texts)
        .filter(|(v, _)| reported(v))
        .collect();
    listed.sort_by_key(|(v, _)| std::cmp::Reverse(v.severity));
    let cells: Vec<String> = listed
        .iter()
        .map(|(v, _)| {
            cells_of(v)
                .into_iter()
                .map(|i| a1(pos[i]))
                .collect::<Vec<_>>()
                .join(tr(lang, "、", ", "))
        })
        .collect();
    let widths = fitted_widths(
        &[
            (6.0, 6.0),
            (8.0, 9.0),
            (14.0, 24.0),
            (64.0, 64.0),
            (36.0, 36.0),
        ],
        std::iter::once(heads.map(String::from)).chain(
            cells
                .iter()
                .map(|c| ["", "", c.as_str(), "", ""].map(String::from)),
        ),
    );
    let mut s = Sheet::new(ws, widths, 10.0)?;
    let (e, w) = counts(violations);
    let title = match lang {
        Lang::Zh => format!("问题清单：{}（错误 {e} 个，警告 {w} 个）", unit_name(unit)),
        Lang::En => format!("Problems: {} ({e} errors, {w} warnings)", unit_name(unit)),
    };
    s.text_sized(
        0,
        0,
        0,
        last,
        &title,
        &st.heading,
        crate::style::HEADING_SIZE,
    )?;
    for (c, h) in heads.iter().enumerate() {
        s.text(1, col(c), 1, col(c), h, &st.header)?;
    }
    let link: Format = st
        .text
        .clone()
        .set_font_color(Color::RGB(LINK_COLOR))
        .set_underline(FormatUnderline::Single);
    for (k, (&(v, message), text)) in listed.iter().zip(&cells).enumerate() {
        let r = row(k + 2);
        s.text(r, 0, r, 0, &(k + 1).to_string(), &st.label)?;
        let sev = match v.severity {
            Severity::Error => &st.text_error,
            _ => &st.text_warning,
        };
        s.text(r, 1, r, 1, v.severity.label(lang), sev)?;
        match cells_of(v).first() {
            Some(&first) => {
                // A HYPERLINK formula, not a cell hyperlink: LibreOffice does not wrap the text
                // of a cell hyperlink, and a long list of cells would be cut off.
                let first = a1(pos[first]);
                s.text(r, 2, r, 2, text, &link)?;
                if text.chars().count() <= MAX_FORMULA_TEXT {
                    let formula = Formula::new(format!(
                        "=HYPERLINK(\"#'{SHEET_RETURN}'!{first}\",\"{text}\")"
                    ))
                    .set_result(text);
                    s.ws.write_formula_with_format(r, 2, formula, &link)?;
                }
            }
            None => s.text(r, 2, r, 2, "", &st.text)?,
        }
        s.text(r, 3, r, 3, message, &st.text)?;
        s.text(r, 4, r, 4, &suggestion(v, pos, lang), &st.text)?;
    }
    if listed.is_empty() {
        s.text(
            2,
            0,
            2,
            last,
            tr(lang, "未发现需要修改的问题", "no problems to correct"),
            &st.text,
        )?;
    }
    s.apply_heights(18.0)?;
    s.ws.set_freeze_panes(2, 0)?;
    Print::list(1, 1, lang).apply(s.ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_those_sheet_1_writes() {
        let readings = vec![Reading::default(); FIELD_COUNT];
        let unit = UnitEntry {
            unit: "U01".into(),
            name: String::new(),
            kind: None,
            files: vec![],
            status: nianbao_format::UnitStatus::Ok,
            readings: None,
            values: None,
            in_totals: true,
            errors: 0,
            warnings: 0,
            blanks: 0,
            note: None,
        };
        let mut ws = Worksheet::new();
        let opts = WriteOptions::default();
        let pos = write_return(&mut ws, &unit, &readings, &[], &[], &opts, &Styles::new())
            .expect("sheet");
        assert_eq!(pos, positions());
    }
}
