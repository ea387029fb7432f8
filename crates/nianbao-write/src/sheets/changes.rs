//! `变化`: what changed since the workspace's last run — units filed, re-filed, withdrawn,
//! statuses, and the district totals that moved (field, label, before → after).

use nianbao_format::{
    Changes, Kind, Lang, Report, UnitStatus, code_and_name, field_index, fields, format_value,
};
use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::labels::field_label;
use crate::layout::{Print, Sheet, col};
use crate::style::Styles;
use crate::{SHEET_CHANGES, WriteOptions, tr};

pub fn write(
    ws: &mut Worksheet,
    changes: &Changes,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_CHANGES)?;
    // Units by code and name, as the clerk knows them.
    let names: std::collections::HashMap<&str, &str> = report
        .units
        .iter()
        .map(|u| (u.unit.as_str(), u.name.as_str()))
        .collect();
    let who = |code: &str| code_and_name(code, names.get(code).copied().unwrap_or_default());
    let lang = opts.lang;
    let mut s = Sheet::new(ws, vec![16.0, 44.0, 16.0, 16.0], 10.0)?;
    let since = match (&changes.since_label(), lang) {
        (Some(t), Lang::Zh) => format!("与上次汇总（{t}）相比"),
        (Some(t), Lang::En) => format!("Since the last run ({t})"),
        (None, Lang::Zh) => "本工作区的第一次汇总".to_string(),
        (None, Lang::En) => "The workspace's first run".to_string(),
    };
    s.ws.write_string_with_format(0, 0, since, &st.note_bold)?;
    let mut r = 2;
    let heading = |s: &mut Sheet<'_>, r: &mut u32, text: &str| -> Result<(), XlsxError> {
        s.ws.write_string_with_format(*r, 0, text, &st.note_bold)?;
        *r += 1;
        Ok(())
    };
    if changes.is_empty() {
        s.ws.write_string_with_format(r, 0, tr(lang, "没有变化", "Nothing changed"), &st.text)?;
    }
    for (units, zh, en) in [
        (&changes.new_units, "新报送的单位", "Units filed"),
        (
            &changes.refiled_units,
            "重新报送（文件有变化）的单位",
            "Units that filed again",
        ),
        (
            &changes.withdrawn_units,
            "撤回（文件已不在）的单位",
            "Units withdrawn",
        ),
        (
            &changes.set_aside_units,
            "有未采用的新文件的单位（与已计入的报表相同，只计一次；或较旧的版本；见“报送情况”）",
            "Units that sent another file, not taken (a copy of the return counted, or an older one; see the filing sheet)",
        ),
    ] {
        if units.is_empty() {
            continue;
        }
        heading(&mut s, &mut r, tr(lang, zh, en))?;
        let listed: Vec<String> = units.iter().map(|u| who(u)).collect();
        let text = super::join_fitting(&listed, "、", super::CELL_TEXT_MAX, lang);
        s.text(r, 0, r, 1, &text, &st.text)?;
        r += 2;
    }
    if !changes.status_changed.is_empty() {
        heading(&mut s, &mut r, tr(lang, "状态变化", "Status changes"))?;
        for (c, h) in [
            tr(lang, "单位", "Unit"),
            tr(lang, "原状态", "From"),
            tr(lang, "现状态", "To"),
        ]
        .iter()
        .enumerate()
        {
            s.text(r, col(c), r, col(c), h, &st.header)?;
        }
        r += 1;
        for ch in &changes.status_changed {
            s.text(r, 0, r, 0, &who(&ch.unit), &st.text)?;
            s.text(r, 1, r, 1, &UnitStatus::label_of(&ch.from, lang), &st.text)?;
            s.text(r, 2, r, 2, &UnitStatus::label_of(&ch.to, lang), &st.text)?;
            r += 1;
        }
        r += 1;
    }
    if !changes.totals_changed.is_empty() {
        heading(
            &mut s,
            &mut r,
            tr(lang, "全区合计的变化", "District totals that moved"),
        )?;
        for (c, h) in [
            tr(lang, "字段编号", "Field id"),
            tr(lang, "字段", "Field"),
            tr(lang, "原值", "Before"),
            tr(lang, "现值", "After"),
        ]
        .iter()
        .enumerate()
        {
            s.text(r, col(c), r, col(c), h, &st.header)?;
        }
        r += 1;
        for t in &changes.totals_changed {
            let kind = field_index(&t.field).map_or(Kind::Count, |i| fields()[i].kind);
            s.text(r, 0, r, 0, &t.field, &st.text)?;
            s.text(r, 1, r, 1, &field_label(&t.field, lang), &st.text)?;
            s.text(r, 2, r, 2, &format_value(kind, t.from), &st.text)?;
            s.text(r, 3, r, 3, &format_value(kind, t.to), &st.text)?;
            r += 1;
        }
    }
    s.apply_heights(18.0)?;
    Print::list(0, 0, lang).apply(s.ws)
}
