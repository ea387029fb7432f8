//! `分单位明细`: one row per unit, one column per field, under three header rows (table, field
//! label, field id); a 合计 row of live `SUM` formulas over the units in the totals, which come
//! first so that one contiguous range per column sums exactly them; a note naming the units the
//! 合计 leaves out, each with the reason. Printed landscape, one page wide, the header rows on
//! every page.

use nianbao_format::{
    FIELD_COUNT, Kind, Lang, Report, Table, UnitEntry, UnitStatus, column_name, fields,
    format_value,
};
use rust_xlsxwriter::{ColNum, Formula, Worksheet, XlsxError};

use super::{cell_number, join_files};
use crate::layout::{Print, Sheet, col, fitted_widths, row};
use crate::style::{SMALL_SIZE, Styles};
use crate::{SHEET_UNITS, WriteOptions, tr};

/// Columns before the fields: code, name, status, file.
pub const FIRST_FIELD_COL: usize = 4;
/// Header rows; units start below them.
pub const HEADER_ROWS: usize = 3;
const FIELD_WIDTH: f64 = 16.0;

fn group_label(table: Table, lang: Lang) -> &'static str {
    match table {
        Table::T2 => tr(lang, "二、主动公开", "Table 2: proactive disclosure"),
        Table::T3 => tr(lang, "三、依申请公开", "Table 3: requests"),
        Table::T4 => tr(lang, "四、复议诉讼", "Table 4: reviews and lawsuits"),
    }
}

/// The units in sheet order: those in the totals first, each group in report order.
pub fn sheet_order(report: &Report) -> Vec<&UnitEntry> {
    let (mut inside, outside): (Vec<&UnitEntry>, Vec<&UnitEntry>) =
        report.units.iter().partition(|u| u.in_totals);
    inside.extend(outside);
    inside
}

/// Why a unit is not in the 合计, as `nianbao-consolidate` decides it: a status that keeps it
/// out (未报送, 无法读取, 重复报送, 名单外单位), else a value that could not be read (a unit with
/// errors is in the totals unless that is so).
pub fn exclusion_reason(u: &UnitEntry, lang: Lang) -> String {
    match u.status {
        UnitStatus::Missing | UnitStatus::Failed | UnitStatus::Duplicate | UnitStatus::Unknown => {
            u.status.label(lang).to_string()
        }
        UnitStatus::Ok | UnitStatus::Warnings | UnitStatus::Errors | UnitStatus::Explained => {
            let unreadable = (0..FIELD_COUNT).any(|i| u.value(i).is_none());
            match u.was_read() {
                false => tr(lang, "无数据", "no values").to_string(),
                true if unreadable => {
                    tr(lang, "值无法读取", "a value could not be read").to_string()
                }
                // Another reason the consolidation gave (a return of another year).
                true => u.note.as_ref().map_or_else(
                    || tr(lang, "未计入汇总", "not in the totals").to_string(),
                    |n| n.get(lang).to_string(),
                ),
            }
        }
    }
}

/// "U04 张堰镇（值无法读取）": a unit the 合计 leaves out, and why.
pub fn unit_label(u: &UnitEntry, lang: Lang) -> String {
    let who = u.label();
    let why = exclusion_reason(u, lang);
    match lang {
        Lang::Zh => format!("{who}（{why}）"),
        Lang::En => format!("{who} ({why})"),
    }
}

pub fn write(
    ws: &mut Worksheet,
    report: &Report,
    opts: &WriteOptions,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET_UNITS)?;
    let lang = opts.lang;
    let units = sheet_order(report);
    let heads = [
        tr(lang, "单位代码", "Unit code"),
        tr(lang, "单位名称", "Unit name"),
        tr(lang, "状态", "Status"),
        tr(lang, "文件", "File"),
    ];
    let mut widths = fitted_widths(
        &[(8.0, 16.0), (12.0, 30.0), (8.0, 14.0), (12.0, 40.0)],
        std::iter::once(heads.map(String::from)).chain(units.iter().map(|u| {
            [
                u.unit.clone(),
                u.name.clone(),
                u.status.label(lang).to_string(),
                join_files(&u.files, lang),
            ]
        })),
    );
    widths.extend(std::iter::repeat_n(FIELD_WIDTH, FIELD_COUNT));
    let mut s = Sheet::new(ws, widths, FIELD_WIDTH)?;
    // A plain value takes its column's format (see [`crate::style::DataStyles`]).
    for f in fields() {
        s.ws.set_column_format(field_col(f.index), data_format(f.kind, st))?;
    }

    // Headers.
    let hr = row(HEADER_ROWS - 1);
    for (c, h) in heads.iter().enumerate() {
        s.text(0, col(c), hr, col(c), h, &st.header)?;
    }
    for table in Table::ALL {
        let idx: Vec<usize> = fields()
            .iter()
            .filter(|f| f.table == table)
            .map(|f| f.index)
            .collect();
        if let (Some(&a), Some(&b)) = (idx.first(), idx.last()) {
            s.text(
                0,
                field_col(a),
                0,
                field_col(b),
                group_label(table, lang),
                &st.header,
            )?;
        }
    }
    // Row by row (constant memory flushes a row once a later one is written).
    for f in fields() {
        let c = field_col(f.index);
        let label = format!("{} › {}", f.row_label, f.col_label);
        s.text_sized(1, c, 1, c, &label, &st.header_small, SMALL_SIZE)?;
    }
    for f in fields() {
        let c = field_col(f.index);
        s.text_sized(2, c, 2, c, &f.id, &st.header_id, SMALL_SIZE)?;
    }
    // The sheet is written row by row in constant memory: heights before the rows below.
    s.apply_heights(18.0)?;

    // The units' rows are not written here: a probe row stands where they go, one cell in each
    // of their formats, and `unit_rows::splice_rows` puts the rows in its place in the saved
    // workbook, rendered and deflated in parallel.
    let first_row = row(HEADER_ROWS);
    if !units.is_empty() {
        for (c, fmt) in super::unit_rows::probe_formats(st).into_iter().enumerate() {
            s.ws.write_number_with_format(first_row, col(c), 0.0, fmt)?;
        }
    }

    // 合计: live sums over the units in the totals (the first `inside` rows).
    let inside = units.iter().take_while(|u| u.in_totals).count();
    let total_row = first_row + row(units.len());
    // Labelled with what the totals stand for ("合计（41/42 单位）"), as everywhere they appear.
    let label = format!(
        "{}（{}）",
        tr(lang, "合计", "Total"),
        report.coverage.label(lang)
    );
    s.ws.write_string_with_format(total_row, 0, &label, &st.total_label)?;
    let counted = match lang {
        Lang::Zh => format!("计入汇总 {inside} 个单位"),
        Lang::En => format!("{inside} units in the totals"),
    };
    s.ws.write_string_with_format(total_row, 1, &counted, &st.total_label)?;
    s.ws.write_blank(total_row, 2, &st.total_label)?;
    s.ws.write_blank(total_row, 3, &st.total_label)?;
    for f in fields() {
        let c = field_col(f.index);
        let total = report.totals[f.index];
        let fmt = match f.kind {
            Kind::Count => &st.total_count,
            Kind::Amount => &st.total_amount,
        };
        if inside == 0 {
            s.ws.write_number_with_format(total_row, c, cell_number(f.kind, total), fmt)?;
        } else {
            let letters = column_name(u32::from(c));
            let formula = format!(
                "=SUM({letters}{}:{letters}{})",
                first_row + 1,
                first_row + row(inside)
            );
            let formula = Formula::new(formula).set_result(format_value(f.kind, total));
            s.ws.write_formula_with_format(total_row, c, formula, fmt)?;
        }
    }

    // Which units the 合计 leaves out.
    let excluded: Vec<String> = units
        .iter()
        .filter(|u| !u.in_totals)
        .map(|u| unit_label(u, lang))
        .collect();
    let room = super::CELL_TEXT_MAX - 100;
    let note = match (lang, excluded.is_empty()) {
        (Lang::Zh, true) => "合计不含：无（全部单位均计入汇总）".to_string(),
        (Lang::Zh, false) => format!(
            "合计不含：{}",
            super::join_fitting(&excluded, "、", room, lang)
        ),
        (Lang::En, true) => "Total excludes: none (every unit is in the totals)".to_string(),
        (Lang::En, false) => format!(
            "Total excludes: {}",
            super::join_fitting(&excluded, "; ", room, lang)
        ),
    };
    s.ws.write_string_with_format(total_row + 1, 0, &note, &st.note)?;
    s.ws.write_string_with_format(
        total_row + 2,
        0,
        tr(
            lang,
            "本表为数据明细表（每单位一行，每个字段一列，共 200 列），宜在 Excel 或 WPS 中查看、筛选；打印时每页重复表头和单位代码、名称，按原大小分页，印发请用“全区汇总”表。",
            "A data sheet (one row per unit, one column per field, 200 columns): view and filter it in Excel or WPS. Printed pages repeat the header and the unit's code and name at full size; to print the tables, use 全区汇总.",
        ),
        &st.note,
    )?;

    s.ws.set_freeze_panes(first_row, col(FIRST_FIELD_COL))?;
    // The values have no borders (their format is their column's): gridlines mark them on paper.
    s.ws.set_print_gridlines(true);
    Print {
        repeat_cols: Some((0, 1)),
        ..Print::list(0, hr, lang)
    }
    .apply(s.ws)
}

/// The worksheet column of field `index`.
pub fn field_col(index: usize) -> ColNum {
    col(FIRST_FIELD_COL + index)
}

/// The format of a field's column.
fn data_format(kind: Kind, st: &Styles) -> &rust_xlsxwriter::Format {
    match kind {
        Kind::Count => &st.data.count,
        Kind::Amount => &st.data.amount,
    }
}
