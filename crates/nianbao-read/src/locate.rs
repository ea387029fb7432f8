//! Finds the three tables by their labels, on any sheet and at any position, and reads their
//! values with provenance. Every row or column of the format it cannot find is a problem, never
//! a silent 0.

use nianbao_format::{
    CellRef, FIELD_COUNT, FieldRef, Msg, Reading, Severity, T2_ROWS, T3_COLS, T3_EXACT_COLS,
    T3_GROUP_KEYS, T3_ROWS, T4_GROUPS, T4_RESULT_SHORT, T4_RESULTS, Violation, fields, t2_col,
    t2_index, t3_index, t4_index,
};

use crate::formula;
use crate::grid::{Grid, GridCell};
use crate::value::{Invalid, Parsed, parse_content};

/// The values found and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Located {
    pub readings: Vec<Reading>,
    pub problems: Vec<Violation>,
    /// How many of the three tables were found at all.
    pub tables_found: usize,
}

/// Searches `grids` (visible sheets first) for the three tables.
pub fn locate(grids: &[Grid]) -> Located {
    let mut order: Vec<&Grid> = grids.iter().filter(|g| !g.hidden).collect();
    order.extend(grids.iter().filter(|g| g.hidden));
    let mut out = Located {
        readings: vec![Reading::default(); FIELD_COUNT],
        ..Default::default()
    };
    let mut t2_found = false;
    let mut t3_found = false;
    let mut t4_found = false;
    locate_t2(&order, grids, &mut out, &mut t2_found);
    for g in &order {
        if !t3_found && locate_t3(g, grids, &mut out) {
            t3_found = true;
        }
        if !t4_found && locate_t4(g, grids, &mut out) {
            t4_found = true;
        }
    }
    out.tables_found = [t2_found, t3_found, t4_found]
        .iter()
        .filter(|&&b| b)
        .count();
    if out.tables_found > 0 {
        for (found, table) in [(t2_found, "二"), (t3_found, "三"), (t4_found, "四")] {
            if !found {
                out.problems.push(layout_problem(
                    "layout.missing_table",
                    format!("未找到表{table}（按表头文字查找）"),
                    format!("table {table} not found (searched by its labels)"),
                    vec![],
                ));
            }
        }
    }
    out
}

fn layout_problem(rule: &str, zh: String, en: String, cells: Vec<CellRef>) -> Violation {
    Violation {
        rule: rule.into(),
        severity: Severity::Error,
        fields: vec![],
        cells,
        expected: None,
        actual: None,
        message: Msg::new(zh, en),
        ..Default::default()
    }
}

fn cref(g: &Grid, row: u32, col: u32) -> CellRef {
    CellRef {
        sheet: g.sheet.clone(),
        row,
        col,
    }
}

/// A formula as the clerk sees it in Excel or WPS: "=SUM(D5:I5)", without ODF's "of:" prefix.
fn formula_text(f: &str) -> String {
    let f = f.strip_prefix("of:").unwrap_or(f);
    if f.starts_with('=') {
        f.to_string()
    } else {
        format!("={f}")
    }
}

/// Reads the value cell at (row, col) of `g` into field `idx`.
fn read_value(out: &mut Located, g: &Grid, all: &[Grid], idx: usize, row: u32, col: u32) {
    let field = &fields()[idx];
    let at = cref(g, row, col);
    let (parsed, raw) = match g.get(row, col) {
        None => (Parsed::Blank, String::new()),
        Some(c) if c.content == crate::grid::Content::Empty => match &c.formula {
            Some(f) => match formula::evaluate(f, g, all, field.kind) {
                Some(v) => (v, formula_text(f)),
                None => (Parsed::Invalid(Invalid::UncachedFormula), formula_text(f)),
            },
            None => (Parsed::Blank, String::new()),
        },
        // The text typed is needed only for a value that cannot be read.
        Some(c) => match parse_content(&c.content, field.kind) {
            p @ Parsed::Invalid(_) => (p, c.content.raw()),
            p => (p, String::new()),
        },
    };
    let reading = &mut out.readings[idx];
    reading.cell = Some(at.clone());
    match parsed {
        Parsed::Value(v) => reading.value = Some(v),
        Parsed::Blank => {
            reading.value = Some(0);
            reading.blank = true;
        }
        Parsed::Invalid(why) => {
            // The text typed is kept only where a message needs it: a value that cannot be read.
            reading.raw = raw.clone();
            reading.value = None;
            out.problems.push(Violation {
                rule: why.rule().into(),
                severity: Severity::Error,
                fields: vec![FieldRef::this_year(field.index)],
                cells: vec![at.clone()],
                expected: None,
                actual: Some(raw.clone()),
                message: Msg::new(
                    format!("{at}（{}）“{raw}”{}", field.label_zh(), why.zh()),
                    format!("{at} ({}) \"{raw}\" {}", field.id, why.en()),
                ),
                ..Default::default()
            });
        }
    }
}

// ---- table 2 -------------------------------------------------------------------------------

/// Header words of table 2's value columns, by the row's column ids.
fn t2_header_key<'a>(col_id: &str, col_label: &'a str) -> &'a str {
    t2_col(col_id).map_or(col_label, |c| c.key)
}

fn locate_t2(order: &[&Grid], all: &[Grid], out: &mut Located, found: &mut bool) {
    for (r, row) in T2_ROWS.iter().enumerate() {
        let hit = order
            .iter()
            .find_map(|g| g.texts().find(|c| c.key == row.label).map(|c| (*g, c)));
        let Some((g, label)) = hit else {
            continue; // reported below, once it is known whether the table is there at all
        };
        *found = true;
        for (c, (col_id, col_label)) in row.cols.iter().enumerate() {
            let idx = t2_index(r, c);
            match t2_header_col(g, label, t2_header_key(col_id, col_label)) {
                Some(col) => read_value(out, g, all, idx, label.row, col),
                None => out.problems.push(Violation {
                    fields: vec![FieldRef::this_year(idx)],
                    ..layout_problem(
                        "layout.missing_column",
                        format!("表二“{}”行上方未找到表头“{}”", row.label, col_label),
                        format!(
                            "table 2: no header \"{col_label}\" above row \"{}\"",
                            row.label
                        ),
                        vec![cref(g, label.row, label.col)],
                    )
                }),
            }
        }
    }
    if *found {
        for (r, row) in T2_ROWS.iter().enumerate() {
            let first = t2_index(r, 0);
            if out.readings[first].cell.is_none()
                && !out
                    .problems
                    .iter()
                    .any(|p| p.fields.contains(&FieldRef::this_year(first)))
            {
                out.problems.push(Violation {
                    fields: (0..row.cols.len())
                        .map(|c| FieldRef::this_year(t2_index(r, c)))
                        .collect(),
                    ..layout_problem(
                        "layout.missing_row",
                        format!("表二缺少行“{}”", row.label),
                        format!("table 2: row \"{}\" not found", row.label),
                        vec![],
                    )
                });
            }
        }
    }
}

/// The column of the nearest header cell above `label` (within 6 rows) whose key contains `key`.
fn t2_header_col(g: &Grid, label: &GridCell, key: &str) -> Option<u32> {
    let top = label.row.saturating_sub(6);
    (top..label.row).rev().find_map(|r| {
        g.row(r)
            .iter()
            .find(|c| c.col > label.col && contains(&c.key, key))
            .map(|c| c.col)
    })
}

// ---- table 3 -------------------------------------------------------------------------------

/// Header words of table 3's columns.
fn t3_col_matches(col: usize, key: &str) -> bool {
    let (id, label, _) = T3_COLS[col];
    if T3_EXACT_COLS.contains(&id) {
        key == label
    } else {
        contains(key, label)
    }
}

/// `key.contains(label)`, without building a searcher for a key too short to hold the label
/// (most cells of a return are tried against every row and column label).
fn contains(key: &str, label: &str) -> bool {
    key.len() >= label.len() && key.contains(label)
}

/// Which row of table 3 a label cell names, if any.
fn t3_row_of(key: &str) -> Option<usize> {
    T3_ROWS.iter().position(|r| {
        if r.exact {
            key == r.key
        } else {
            contains(key, r.key)
        }
    })
}

fn is_t3_group(key: &str) -> bool {
    T3_GROUP_KEYS.iter().any(|g| contains(key, g))
}

fn locate_t3(g: &Grid, all: &[Grid], out: &mut Located) -> bool {
    // The first applicant column, 自然人.
    let Some(anchor) = g.texts().find(|c| c.key == T3_COLS[0].1) else {
        return false;
    };
    let band = anchor.row.saturating_sub(2)..=anchor.row + 2;
    let mut cols: Vec<Option<u32>> = vec![None; T3_COLS.len()];
    cols[0] = Some(anchor.col);
    for (i, slot) in cols.iter_mut().enumerate().skip(1) {
        *slot = band
            .clone()
            .flat_map(|r| g.row(r).iter())
            .filter(|c| c.col > anchor.col && t3_col_matches(i, &c.key))
            .map(|c| c.col)
            .min();
    }
    let header_bottom = band
        .clone()
        .flat_map(|r| g.row(r).iter())
        .filter(|c| c.col >= anchor.col && (0..T3_COLS.len()).any(|i| t3_col_matches(i, &c.key)))
        .map(|c| c.row)
        .max()
        .unwrap_or(anchor.row);
    for (i, col) in cols.iter().enumerate() {
        if col.is_none() {
            out.problems.push(Violation {
                fields: T3_ROWS
                    .iter()
                    .enumerate()
                    .map(|(r, _)| FieldRef::this_year(t3_index(r, i)))
                    .collect(),
                ..layout_problem(
                    "layout.missing_column",
                    format!("表三缺少列“{}”", T3_COLS[i].1),
                    format!("table 3: column \"{}\" not found", T3_COLS[i].1),
                    vec![cref(g, anchor.row, anchor.col)],
                )
            });
        }
    }
    let label_min_col = anchor.col.saturating_sub(8);
    let mut row_at: Vec<Option<u32>> = vec![None; T3_ROWS.len()];
    let mut blank_run = 0;
    let mut r = header_bottom + 1;
    while r <= header_bottom + 80 {
        let cells = g.row(r);
        let labels: Vec<&GridCell> = cells
            .iter()
            .filter(|c| c.col < anchor.col && c.col >= label_min_col && !c.key.is_empty())
            .collect();
        let has_values = cells
            .iter()
            .any(|c| c.col >= anchor.col && cols.contains(&Some(c.col)));
        if labels.is_empty() && !has_values {
            blank_run += 1;
            if blank_run > 3 {
                break;
            }
            r += 1;
            continue;
        }
        blank_run = 0;
        let matched = labels.iter().rev().find_map(|c| t3_row_of(&c.key));
        match matched {
            Some(i) if row_at[i].is_none() => row_at[i] = Some(r),
            Some(i) => out.problems.push(layout_problem(
                "layout.duplicate_row",
                format!(
                    "表三的行“{}”出现两次（第 {} 行和第 {} 行）",
                    T3_ROWS[i].label,
                    row_at[i].unwrap_or(0) + 1,
                    r + 1
                ),
                format!(
                    "table 3: row \"{}\" appears twice (rows {} and {})",
                    T3_ROWS[i].id,
                    row_at[i].unwrap_or(0) + 1,
                    r + 1
                ),
                vec![cref(g, r, labels.last().map_or(anchor.col, |c| c.col))],
            )),
            None if labels.iter().all(|c| is_t3_group(&c.key)) && !has_values => {}
            None => {
                let text: Vec<String> = labels.iter().map(|c| c.content.raw()).collect();
                let at = labels.first().map_or(anchor.col, |c| c.col);
                out.problems.push(layout_problem(
                    "layout.unknown_row",
                    format!("表三第 {} 行“{}”不是规定格式中的行", r + 1, text.join(" ")),
                    format!(
                        "table 3: row {} \"{}\" is not a row of the format",
                        r + 1,
                        text.join(" ")
                    ),
                    vec![cref(g, r, at)],
                ));
            }
        }
        if matched == Some(T3_ROWS.len() - 1) {
            break;
        }
        r += 1;
    }
    for (i, row) in row_at.iter().enumerate() {
        match row {
            Some(rr) => {
                for (c, col) in cols.iter().enumerate() {
                    if let Some(col) = col {
                        read_value(out, g, all, t3_index(i, c), *rr, *col);
                    }
                }
            }
            None => out.problems.push(Violation {
                fields: (0..T3_COLS.len())
                    .map(|c| FieldRef::this_year(t3_index(i, c)))
                    .collect(),
                ..layout_problem(
                    "layout.missing_row",
                    format!("表三缺少行“{}”", T3_ROWS[i].label),
                    format!("table 3: row \"{}\" not found", T3_ROWS[i].id),
                    vec![],
                )
            }),
        }
    }
    true
}

// ---- table 4 -------------------------------------------------------------------------------

/// Which result of table 4 a header cell names ("结果 维持" and "维持" alike).
fn t4_result_of(key: &str) -> Option<usize> {
    T4_RESULTS
        .iter()
        .zip(T4_RESULT_SHORT)
        .position(|((_, label), short)| key == *label || key == *short)
}

fn locate_t4(g: &Grid, all: &[Grid], out: &mut Located) -> bool {
    // The first group, 行政复议.
    let Some(anchor) = g.texts().find(|c| c.key == T4_GROUPS[0].1) else {
        return false;
    };
    let band = anchor.row..=anchor.row + 3;
    let mut results: Vec<(&GridCell, usize)> = band
        .flat_map(|r| g.row(r).iter())
        .filter(|c| c.col + 2 >= anchor.col)
        .filter_map(|c| t4_result_of(&c.key).map(|i| (c, i)))
        .collect();
    results.sort_by_key(|(c, _)| c.col);
    results.dedup_by_key(|(c, _)| c.col);
    let expected = T4_GROUPS.len() * T4_RESULTS.len();
    if results.len() != expected {
        out.problems.push(Violation {
            fields: (0..expected)
                .map(|i| FieldRef::this_year(t4_index(0, 0) + i))
                .collect(),
            ..layout_problem(
                "layout.missing_column",
                format!(
                    "表四应有 {expected} 个结果列（{} 各三组），找到 {} 个",
                    T4_RESULTS
                        .iter()
                        .map(|r| r.1)
                        .collect::<Vec<_>>()
                        .join("、"),
                    results.len()
                ),
                format!(
                    "table 4: expected {expected} result columns, found {}",
                    results.len()
                ),
                vec![cref(g, anchor.row, anchor.col)],
            )
        });
        return true;
    }
    let header_bottom = results
        .iter()
        .map(|(c, _)| c.row)
        .max()
        .unwrap_or(anchor.row);
    // The values sit under the headers; a blank spacer row or two in between is skipped rather
    // than read as fifteen blanks. Only a row that holds numbers (or blank markers such as "-")
    // counts: a notes row under a table of blanks is not its values.
    let cols: Vec<u32> = results.iter().map(|(c, _)| c.col).collect();
    let holds_values = |r: u32| {
        g.row(r).iter().any(|c| {
            cols.contains(&c.col)
                && !matches!(
                    parse_content(&c.content, nianbao_format::Kind::Count),
                    Parsed::Invalid(_)
                )
        })
    };
    let next = header_bottom + 1;
    let value_row = if g.row(next).iter().any(|c| cols.contains(&c.col)) {
        next
    } else {
        (next + 1..=next + 2)
            .find(|&r| holds_values(r))
            .unwrap_or(next)
    };
    for (gi, chunk) in results.chunks(T4_RESULTS.len()).enumerate() {
        let mut seen = [false; 5];
        for (c, ri) in chunk {
            if std::mem::replace(&mut seen[*ri], true) {
                out.problems.push(layout_problem(
                    "layout.duplicate_column",
                    format!(
                        "表四“{}”组中“{}”列出现两次",
                        T4_GROUPS[gi].1, T4_RESULTS[*ri].1
                    ),
                    format!(
                        "table 4: column \"{}\" twice in group \"{}\"",
                        T4_RESULTS[*ri].0, T4_GROUPS[gi].0
                    ),
                    vec![cref(g, c.row, c.col)],
                ));
                continue;
            }
            read_value(out, g, all, t4_index(gi, *ri), value_row, c.col);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t3_row_labels() {
        let id = |k: &str| t3_row_of(k).map(|i| T3_ROWS[i].id);
        assert_eq!(id("本年新收政府信息公开申请数量"), Some("new"));
        assert_eq!(id("予以公开"), Some("granted"));
        assert_eq!(id("不予公开"), None);
        assert_eq!(
            id("部分公开(区分处理的,只计这一情形,不计其他情形)"),
            Some("partly_granted")
        );
        assert_eq!(id("危及三安全一稳定"), Some("withheld.three_securities"));
        assert_eq!(
            id("其他法律行政法规禁止公开"),
            Some("withheld.prohibited_by_law")
        );
        assert_eq!(id("其他"), Some("other.other"));
        assert_eq!(id("总计"), Some("total"));
        assert_eq!(id("重复申请"), Some("not_processed.repeated"));
        assert_eq!(
            id("无正当理由大量反复申请"),
            Some("not_processed.excessive")
        );
        assert_eq!(id("结转下年度继续办理"), Some("carried_forward"));
        assert!(is_t3_group("本年度办理结果"));
        assert!(is_t3_group("其他处理"));
    }

    #[test]
    fn t4_values_below_a_spacer_row_are_found() {
        use crate::grid::{Content, cell};
        let mut cells = vec![cell(0, 0, Content::Text("行政复议".into()), None)];
        for (i, label) in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
            .iter()
            .cycle()
            .take(15)
            .enumerate()
        {
            cells.push(cell(1, i as u32, Content::Text((*label).into()), None));
            cells.push(cell(3, i as u32, Content::Int(i as i64), None));
        }
        let g = Grid::new("S".into(), false, cells);
        let mut out = Located {
            readings: vec![Reading::default(); FIELD_COUNT],
            ..Default::default()
        };
        assert!(locate_t4(&g, std::slice::from_ref(&g), &mut out));
        assert_eq!(out.readings[t4_index(2, 4)].value, Some(14));
        assert_eq!(
            out.readings[t4_index(2, 4)].cell.as_ref().map(|c| c.a1()),
            Some("O4".into())
        );
    }

    #[test]
    fn a_notes_row_under_a_blank_table_4_is_not_its_values() {
        use crate::grid::{Content, cell};
        let mut cells = vec![cell(0, 0, Content::Text("行政复议".into()), None)];
        for (i, label) in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
            .iter()
            .cycle()
            .take(15)
            .enumerate()
        {
            cells.push(cell(1, i as u32, Content::Text((*label).into()), None));
        }
        cells.push(cell(
            3,
            0,
            Content::Text("注：统计期限为2022年1月1日至2022年12月31日。".into()),
            None,
        ));
        let g = Grid::new("S".into(), false, cells);
        let mut out = Located {
            readings: vec![Reading::default(); FIELD_COUNT],
            ..Default::default()
        };
        assert!(locate_t4(&g, std::slice::from_ref(&g), &mut out));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let first = &out.readings[t4_index(0, 0)];
        assert_eq!((first.value, first.blank), (Some(0), true));
        assert_eq!(first.cell.as_ref().map(|c| c.a1()), Some("A3".into()));
    }

    #[test]
    fn t4_result_labels() {
        assert_eq!(t4_result_of("结果维持"), Some(0));
        assert_eq!(t4_result_of("维持"), Some(0));
        assert_eq!(t4_result_of("尚未审结"), Some(3));
        assert_eq!(t4_result_of("总计"), Some(4));
        assert_eq!(t4_result_of("行政复议"), None);
    }
}
