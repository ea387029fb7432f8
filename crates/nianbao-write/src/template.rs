//! The blank return a unit fills in (`nianbao template`): the official layout of `全区汇总` (the
//! same [`Plan`], rendered by [`crate::sheets::official`]) for one unit and year, with
//!
//! - the cells last year's return determines filled in (pre-filled: a light green fill and a
//!   note, still editable), derived from the rule set — a cross-year check that ties one cell of
//!   this year to last year's values (`prior.t3.carried_forward.$c = t3.carried_over.$c`) fills
//!   that cell;
//! - data validation on every input cell (whole numbers ≥ 0; the 万元 amount ≥ 0 with at most
//!   two decimals), with an input message and an error alert in Chinese;
//! - every check of the rule set live: a check cell showing ✓ or `差 N`, its formula generated
//!   from the check's terms (last year's values as constants), red (a warning's orange) by
//!   conditional formatting while it fails. A check whose cells lie on one row gets its cell
//!   beside the row (columns right of the tables, headed 校验; last year's part of it, such as
//!   the 现行有效件数 a unit starts from, in the column after); one whose checks are spread over
//!   columns gets a row under its table (校验：…) with each check's cell under its total; any
//!   other is listed below the tables;
//! - labels and check cells locked, input cells unlocked, the sheet protected without a
//!   password; printed on A4.
//!
//! A template is a return: `nianbao-read` reads its values back, and the check cells are where
//! the reader does not look (right of table 三's columns, under table 三's last row and under
//! table 四's values). It carries the marker [`nianbao_format::template_mark`], which the
//! pipeline reads as a return's.

use std::collections::BTreeSet;

use nianbao_format::{
    FIELD_COUNT, FORM_TITLE, Kind, Severity, Table, UNIT_LABEL, fields, format_value, template_mark,
};
use nianbao_rules::{Check, Op, RuleSet, Term, Values};
use rust_xlsxwriter::{
    ColNum, ConditionalFormatFormula, DataValidation, DataValidationRule, Format, Formula, RowNum,
    Workbook, Worksheet, XlsxError,
};

use crate::WriteError;
use crate::layout::col;
use crate::messages::a1;
use crate::plan::{GRID_COLS, Plan, Role};
use crate::sheets::official::{self, Cells, Decoration, Shown};
use crate::style::{Mark, Styles, marked};

/// The row the tables start on, below the title, the unit, the instructions and the legend.
const TABLES_ROW: RowNum = 5;
/// What a check cell shows while its check holds.
pub const CHECK_OK: &str = "✓";
/// What it shows when a cell of the check holds text (a formula cannot add it up).
pub const CHECK_NOT_A_NUMBER: &str = "请填数字";

/// Last year's return of the unit: its file (named in notes) and its 200 values.
#[derive(Debug, Clone, Copy)]
pub struct PriorReturn<'a> {
    pub file: &'a str,
    pub values: &'a [Option<i64>],
}

/// What a template is for: the unit, the year, the rules made live, last year's return.
#[derive(Debug, Clone, Copy)]
pub struct TemplateSpec<'a> {
    pub unit_name: &'a str,
    pub year: i32,
    pub rules: &'a RuleSet,
    pub prior: Option<PriorReturn<'a>>,
}

/// A value a template fills in from last year's return, and the rule that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefill {
    pub field: usize,
    pub value: i64,
    pub rule: String,
}

/// The blank return, as written for a unit to fill in.
pub fn template_bytes(spec: &TemplateSpec<'_>) -> Result<Vec<u8>, WriteError> {
    build(spec, None)
}

/// The template as a unit returns it with `typed` in its 200 input cells (None: left blank),
/// everything else as written: what a clerk typing into it in Excel would send (for tests and
/// demonstrations). Its check cells show what Excel computes for these values.
pub fn filled_template_bytes(
    spec: &TemplateSpec<'_>,
    typed: &[Option<i64>],
) -> Result<Vec<u8>, WriteError> {
    if typed.len() != FIELD_COUNT {
        return Err(WriteError::Totals {
            found: typed.len(),
            expected: FIELD_COUNT,
        });
    }
    build(spec, Some(typed))
}

/// A check's terms signed as in lhs − rhs.
fn signed(check: &Check) -> impl Iterator<Item = (i64, &Term)> {
    check
        .lhs
        .iter()
        .map(|t| (t.sign, t))
        .chain(check.rhs.iter().map(|t| (-t.sign, t)))
}

/// This year's fields of a check with their coefficients in lhs − rhs (none zero), in order.
fn this_year(check: &Check) -> Vec<(usize, i64)> {
    let mut out: Vec<(usize, i64)> = Vec::new();
    for (s, t) in signed(check).filter(|(_, t)| !t.prior) {
        match out.iter_mut().find(|(f, _)| *f == t.field) {
            Some(e) => e.1 += s,
            None => out.push((t.field, s)),
        }
    }
    out.retain(|&(_, c)| c != 0);
    out
}

/// Last year's part of a check's lhs − rhs: 0 for a check without last year's terms, None when
/// it has some and last year's values (or one of them) are missing.
fn prior_part(check: &Check, prior: Option<&[Option<i64>]>) -> Option<i64> {
    signed(check)
        .filter(|(_, t)| t.prior)
        .try_fold(0i64, |acc, (s, t)| {
            acc.checked_add(s * prior?.get(t.field).copied().flatten()?)
        })
}

fn has_prior(check: &Check) -> bool {
    signed(check).any(|(_, t)| t.prior)
}

/// The values last year's return determines: a check that holds one cell of this year equal to
/// last year's values (`prior.x = y`, exact) fills that cell, when the value is not negative.
pub fn prefills(rules: &RuleSet, prior: &[Option<i64>]) -> Vec<Prefill> {
    let mut out: Vec<Prefill> = Vec::new();
    for check in rules
        .checks
        .iter()
        .filter(|c| c.op == Op::Eq && c.tolerance == 0 && has_prior(c))
    {
        let [(field, coef)] = this_year(check)[..] else {
            continue;
        };
        let (Some(p), true) = (prior_part(check, Some(prior)), coef.abs() == 1) else {
            continue;
        };
        // coef · x + p = 0
        let value = -p * coef;
        if value >= 0 && !out.iter().any(|f| f.field == field) {
            out.push(Prefill {
                field,
                value,
                rule: check.rule.clone(),
            });
        }
    }
    out
}

/// Where a check's cell goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Beside its row, in this column; last year's part in `info` when it has one.
    Beside { col: ColNum, info: Option<ColNum> },
    /// Under its table, in the `slot`-th row below it, under this column.
    Under {
        table: Table,
        slot: u32,
        col: ColNum,
    },
    /// In the list below the tables, `slot`-th.
    Listed { slot: u32 },
}

/// A check made live: the check, where it goes, last year's part.
struct Live<'r> {
    check: &'r Check,
    place: Place,
    prior: i64,
}

fn table_index(t: Table) -> usize {
    match t {
        Table::T2 => 0,
        Table::T3 => 1,
        Table::T4 => 2,
    }
}

/// The template's layout: the plan, the live checks and where each one's cell is.
struct Layout<'r> {
    plan: Plan,
    live: Vec<(Live<'r>, (RowNum, ColNum))>,
}

/// Places every check that can be shown (last year's values known when it needs them).
fn place<'r>(rules: &'r RuleSet, prior: Option<&[Option<i64>]>) -> (Vec<Live<'r>>, ColNum) {
    let pos0 = crate::plan::tables(0).positions();
    // The rules in file order, each with its checks that can be shown.
    let mut groups: Vec<(&str, Vec<(&Check, i64)>)> = Vec::new();
    for check in &rules.checks {
        let Some(p) = prior_part(check, prior) else {
            continue;
        };
        if this_year(check).is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(id, _)| *id == check.rule) {
            Some((_, g)) => g.push((check, p)),
            None => groups.push((&check.rule, vec![(check, p)])),
        }
    }
    let mut next_col = [GRID_COLS; 3];
    let mut under = [0u32; 3];
    let mut listed = 0u32;
    let mut out = Vec::new();
    for (_, group) in groups {
        let cells: Vec<Vec<(RowNum, ColNum)>> = group
            .iter()
            .map(|(c, _)| this_year(c).iter().map(|&(f, _)| pos0[f]).collect())
            .collect();
        let tables: BTreeSet<usize> = group
            .iter()
            .flat_map(|(c, _)| this_year(c))
            .map(|(f, _)| table_index(fields()[f].table))
            .collect();
        let table = match tables.iter().next() {
            Some(&t) if tables.len() == 1 => Some(t),
            _ => None,
        };
        let one_row = |cs: &Vec<(RowNum, ColNum)>| cs.iter().all(|c| c.0 == cs[0].0);
        let rows: BTreeSet<RowNum> = cells.iter().map(|cs| cs[0].0).collect();
        // Under its total: the last of this year's cells on the right-hand side, else the last.
        let anchors: Vec<ColNum> = group
            .iter()
            .map(|(c, _)| {
                let f = c
                    .rhs
                    .iter()
                    .rev()
                    .find(|t| !t.prior)
                    .or_else(|| c.lhs.iter().rev().find(|t| !t.prior))
                    .map_or(0, |t| t.field);
                pos0[f].1
            })
            .collect();
        let distinct: BTreeSet<ColNum> = anchors.iter().copied().collect();
        let places: Vec<Place> = match table {
            Some(t) if cells.iter().all(one_row) && rows.len() == group.len() => {
                let col = next_col[t];
                let info = group.iter().any(|(c, _)| has_prior(c)).then_some(col + 1);
                next_col[t] = col + 1 + ColNum::from(info.is_some());
                vec![Place::Beside { col, info }; group.len()]
            }
            Some(t) if distinct.len() == group.len() => {
                let slot = under[t];
                under[t] += 1;
                let table = fields()[this_year(group[0].0)[0].0].table;
                anchors
                    .iter()
                    .map(|&col| Place::Under { table, slot, col })
                    .collect()
            }
            _ => group
                .iter()
                .map(|_| {
                    listed += 1;
                    Place::Listed { slot: listed - 1 }
                })
                .collect(),
        };
        for ((check, prior), place) in group.into_iter().zip(places) {
            out.push(Live {
                check,
                place,
                prior,
            });
        }
    }
    let cols = next_col.into_iter().max().unwrap_or(GRID_COLS);
    (out, cols)
}

/// Rule descriptions, for the labels of check rows.
fn description<'a>(rules: &'a RuleSet, id: &'a str) -> &'a str {
    rules
        .rules
        .iter()
        .find(|r| r.id == id)
        .map_or(id, |r| r.description.zh.as_str())
}

/// Roles of the items covering row `r`.
fn roles_on(plan: &Plan, r: RowNum) -> Vec<Role> {
    plan.items
        .iter()
        .filter(|i| i.row <= r && r < i.row + i.rows)
        .map(|i| i.role)
        .collect()
}

/// The header rows above a table row: the rows of header cells right above the rows of values
/// it belongs to.
fn header_rows(plan: &Plan, r: RowNum) -> Option<(RowNum, RowNum)> {
    let mut bottom = r;
    while bottom > 0 && roles_on(plan, bottom).contains(&Role::Value) {
        bottom -= 1;
    }
    let is_header = |r: RowNum| {
        let roles = roles_on(plan, r);
        !roles.is_empty() && roles.iter().all(|&x| x == Role::Header)
    };
    if !is_header(bottom) {
        return None;
    }
    let mut top = bottom;
    while top > 0 && is_header(top - 1) {
        top -= 1;
    }
    Some((top, bottom))
}

fn lay_out<'r>(spec: &TemplateSpec<'r>, any_prefill: bool) -> Layout<'r> {
    let prior = spec.prior.map(|p| p.values);
    let (live, cols) = place(spec.rules, prior);
    let mut under = [0u32; 3];
    let mut listed = 0u32;
    for l in &live {
        match l.place {
            Place::Under { table, slot, .. } => {
                let t = table_index(table);
                under[t] = under[t].max(slot + 1);
            }
            Place::Listed { slot } => listed = listed.max(slot + 1),
            Place::Beside { .. } => {}
        }
    }
    let mut plan = Plan::new();
    plan.cols = cols;
    plan.title(&format!("{}年{FORM_TITLE}", spec.year));
    plan.line(1, &format!("{UNIT_LABEL}：{}", spec.unit_name), Role::Unit);
    plan.line(2, INSTRUCTIONS, Role::Note);
    let mut legend: Vec<(Mark, &str)> = Vec::new();
    if any_prefill {
        legend.push((Mark::Prefilled, "浅绿：已按上年报表预填，可修改"));
    }
    legend.push((Mark::Suspect, "红色：该行（列）勾稽关系不平"));
    if live.iter().any(|l| l.check.severity != Severity::Error) {
        legend.push((Mark::Tied, "橙色：警告，请核对（如有原因可说明）"));
    }
    for (k, (mark, text)) in legend.iter().enumerate() {
        let c0 = col(k * 5);
        plan.span(3, (c0, c0 + 4), text, Role::Legend(*mark));
    }
    let list_rows = if listed > 0 { listed + 2 } else { 0 };
    let ends = plan.tables_with_room(TABLES_ROW, [under[0], under[1], under[2] + list_rows]);
    let list_heading = ends[2] + under[2] + 1;
    if listed > 0 {
        plan.line(list_heading, "其他勾稽关系校验", Role::Heading);
    }
    let pos = plan.positions();
    let mut cells: Vec<(Live<'r>, (RowNum, ColNum))> = Vec::new();
    let mut labelled: BTreeSet<(RowNum, ColNum)> = BTreeSet::new();
    for l in live {
        let cell = match l.place {
            Place::Beside { col, info } => {
                let r = pos[this_year(l.check)[0].0].0;
                for (c, text) in std::iter::once((col, "校验")).chain(info.map(|i| (i, "上年基数")))
                {
                    if let Some((top, bottom)) = header_rows(&plan, r)
                        && labelled.insert((top, c))
                    {
                        plan_header(&mut plan, (top, bottom), c, text);
                    }
                }
                (r, col)
            }
            Place::Under { table, slot, col } => {
                let r = ends[table_index(table)] + slot;
                (r, col)
            }
            Place::Listed { slot } => {
                let r = list_heading + 1 + slot;
                plan.span(r, (0, 7), &l.check.scope.zh, Role::Label);
                (r, 8)
            }
        };
        cells.push((l, cell));
    }
    // A label for each row under a table, left of its first check cell.
    let mut rows: Vec<(RowNum, ColNum, String)> = Vec::new();
    for (l, (r, c)) in &cells {
        if let Place::Under { .. } = l.place {
            match rows.iter_mut().find(|(rr, _, _)| rr == r) {
                Some(e) => e.1 = e.1.min(*c),
                None => rows.push((
                    *r,
                    *c,
                    format!("校验：{}", description(spec.rules, &l.check.rule)),
                )),
            }
        }
    }
    for (r, first, text) in rows {
        if first >= 1 {
            plan.span(r, (0, first - 1), &text, Role::Label);
        }
    }
    Layout { plan, live: cells }
}

/// A header text over rows top..=bottom of column `c`.
fn plan_header(plan: &mut Plan, (top, bottom): (RowNum, RowNum), c: ColNum, text: &str) {
    plan.items.push(crate::plan::Item {
        row: top,
        col: c,
        rows: bottom - top + 1,
        cols: 1,
        content: crate::plan::Content::Text(text.to_string()),
        role: Role::Header,
    });
}

/// What the note row says.
const INSTRUCTIONS: &str = "填写说明：请在白色单元格中填写数字（没有的填 0；金额单位为万元，最多两位小数）。\
右侧与下方的“校验”格按勾稽关系自动计算：✓ 为平衡，“差 N”为不平（标红），请核对后报送。";

/// A check's lhs − rhs as an Excel expression over the cells at `pos`, last year's part `prior`
/// as a constant.
fn residual_formula(check: &Check, prior: i64, pos: &[(RowNum, ColNum)], kind: Kind) -> String {
    let terms = this_year(check);
    let mut plus: Vec<(RowNum, ColNum)> = Vec::new();
    let mut minus: Vec<(RowNum, ColNum)> = Vec::new();
    let mut scaled: Vec<String> = Vec::new();
    for &(f, c) in &terms {
        match c {
            1 => plus.push(pos[f]),
            -1 => minus.push(pos[f]),
            c => scaled.push(format!("{c}*{}", a1(pos[f]))),
        }
    }
    let mut s = cell_sum(plus, "+");
    for x in scaled {
        s.push_str(&format!("{}{x}", if x.starts_with('-') { "" } else { "+" }));
    }
    s.push_str(&cell_sum(minus, "-"));
    if prior != 0 {
        let v = format_value(kind, prior.abs());
        s.push_str(if prior > 0 { "+" } else { "-" });
        s.push_str(&v);
    }
    let s = match s.strip_prefix('+') {
        Some(rest) => rest.to_string(),
        None => format!("0{s}"),
    };
    match kind {
        Kind::Count => format!("({s})"),
        Kind::Amount => format!("ROUND({s},2)"),
    }
}

/// Cells as ranges: runs of cells next to each other along a row (`along_rows`) or down a
/// column ("I12:I32").
fn ranges(mut cells: Vec<(RowNum, ColNum)>, along_rows: bool) -> Vec<String> {
    if along_rows {
        cells.sort();
    } else {
        cells.sort_by_key(|&(r, c)| (c, r));
    }
    let next = |a: (RowNum, ColNum), b: (RowNum, ColNum)| {
        if along_rows {
            a.0 == b.0 && a.1 + 1 == b.1
        } else {
            a.1 == b.1 && a.0 + 1 == b.0
        }
    };
    let mut out: Vec<((RowNum, ColNum), (RowNum, ColNum))> = Vec::new();
    for cell in cells {
        match out.last_mut() {
            Some((_, last)) if next(*last, cell) => *last = cell,
            _ => out.push((cell, cell)),
        }
    }
    out.into_iter()
        .map(|(a, b)| {
            if a == b {
                a1(a)
            } else {
                format!("{}:{}", a1(a), a1(b))
            }
        })
        .collect()
}

/// A signed sum of cells: runs of neighbours as SUM ranges.
fn cell_sum(cells: Vec<(RowNum, ColNum)>, sign: &str) -> String {
    if cells.is_empty() {
        return String::new();
    }
    let along_rows = cells.iter().all(|c| c.0 == cells[0].0);
    let rs = ranges(cells, along_rows);
    if rs.iter().any(|r| r.contains(':')) {
        format!("{sign}SUM({})", rs.join(","))
    } else {
        rs.iter().map(|r| format!("{sign}{r}")).collect()
    }
}

/// The formula of a check cell: ✓, `差 N`, or 请填数字 when a cell holds text.
fn check_formula(check: &Check, prior: i64, pos: &[(RowNum, ColNum)]) -> String {
    let kind = fields()[check.lhs[0].field].kind;
    let r = residual_formula(check, prior, pos, kind);
    let tol = format_value(kind, check.tolerance);
    let holds = match check.op {
        Op::Eq => format!("ABS({r})<={tol}"),
        Op::Ge => format!("{r}>=-{tol}"),
        Op::Le => format!("{r}<={tol}"),
    };
    let diff = match kind {
        Kind::Count => format!("ABS({r})"),
        Kind::Amount => format!("TEXT(ABS({r}),\"0.00\")"),
    };
    format!("=IFERROR(IF({holds},\"{CHECK_OK}\",\"差 \"&{diff}),\"{CHECK_NOT_A_NUMBER}\")")
}

/// What a check cell shows for these values (what Excel computes; its cached result).
pub fn check_text(check: &Check, values: &[Option<i64>], prior: Option<&[Option<i64>]>) -> String {
    let laid: Vec<Option<i64>> = values.iter().map(|v| Some(v.unwrap_or(0))).collect();
    let mut vals = Values::from_values(laid);
    if let Some(p) = prior {
        vals = vals.with_prior(p.to_vec());
    }
    let kind = fields()[check.lhs[0].field].kind;
    match vals.residual(check) {
        Some(d) if check.holds(d) => CHECK_OK.to_string(),
        Some(d) => format!("差 {}", format_value(kind, d.abs())),
        None => CHECK_NOT_A_NUMBER.to_string(),
    }
}

fn build(spec: &TemplateSpec<'_>, typed: Option<&[Option<i64>]>) -> Result<Vec<u8>, WriteError> {
    let pre = spec
        .prior
        .map(|p| prefills(spec.rules, p.values))
        .unwrap_or_default();
    let mut values: Vec<Option<i64>> = vec![None; FIELD_COUNT];
    let mut decorations = vec![Decoration::default(); FIELD_COUNT];
    let file = spec.prior.map_or("", |p| p.file);
    for p in &pre {
        values[p.field] = Some(p.value);
        let d = &mut decorations[p.field];
        d.mark = Some(Mark::Prefilled);
        d.notes.push(format!(
            "已按上年报表（{file}）预填：{}。{}。如有不同，可直接修改。",
            format_value(fields()[p.field].kind, p.value),
            description(spec.rules, &p.rule)
        ));
    }
    let written = values.clone();
    if let Some(t) = typed {
        values = t.to_vec();
    }
    let layout = lay_out(spec, !pre.is_empty());
    let st = Styles::new();
    let mut wb = Workbook::new();
    crate::mark(&mut wb, &template_mark(&written), Some(spec.year));
    let ws = wb.add_worksheet().set_name(crate::SHEET_RETURN)?;
    let shown: Vec<Shown<'_>> = values
        .iter()
        .map(|v| v.map_or(Shown::Blank, Shown::Value))
        .collect();
    let cells = Cells {
        shown: &shown,
        decorations: Some(&decorations),
        input: true,
    };
    let pos = official::render(ws, &layout.plan, &cells, &st)?;
    let prior = spec.prior.map(|p| p.values);
    write_checks(ws, &layout, &pos, &values, prior, file, &st)?;
    validate(ws, &pos)?;
    ws.protect();
    Ok(wb.save_to_buffer()?)
}

/// The check cells (formulas with their results for `values`), last year's parts beside them,
/// and the conditional formats that colour a failing check.
fn write_checks(
    ws: &mut Worksheet,
    layout: &Layout<'_>,
    pos: &[(RowNum, ColNum)],
    values: &[Option<i64>],
    prior: Option<&[Option<i64>]>,
    file: &str,
    st: &Styles,
) -> Result<(), XlsxError> {
    let cell_format = st.label.clone().set_bold();
    for (l, (r, c)) in &layout.live {
        let text = check_text(l.check, values, prior);
        let formula = Formula::new(check_formula(l.check, l.prior, pos)).set_result(text);
        ws.write_formula_with_format(*r, *c, formula, &cell_format)?;
        let mark = match l.check.severity {
            Severity::Error => Mark::Suspect,
            _ => Mark::Tied,
        };
        let failing = ConditionalFormatFormula::new()
            .set_rule(Formula::new(format!("={}<>\"{CHECK_OK}\"", a1((*r, *c)))))
            .set_format(marked(&Format::new(), mark));
        ws.add_conditional_format(*r, *c, *r, *c, &failing)?;
        if let Place::Beside { info: Some(i), .. } = l.place
            && has_prior(l.check)
        {
            let kind = fields()[l.check.lhs[0].field].kind;
            let f = match kind {
                Kind::Count => &st.count,
                Kind::Amount => &st.amount,
            };
            ws.write_number_with_format(*r, i, crate::sheets::cell_number(kind, l.prior.abs()), f)?;
            let names: Vec<&str> = l
                .check
                .lhs
                .iter()
                .chain(&l.check.rhs)
                .filter(|t| t.prior)
                .map(|t| t.zh.as_str())
                .collect();
            ws.insert_note(
                *r,
                i,
                &official::note(&format!(
                    "上年报表（{file}）：{} = {}，本行校验以此为起点。",
                    names.join(" + "),
                    format_value(kind, l.prior.abs())
                )),
            )?;
        }
    }
    Ok(())
}

/// Data validation on every input cell, with a Chinese input message and error alert.
fn validate(ws: &mut Worksheet, pos: &[(RowNum, ColNum)]) -> Result<(), XlsxError> {
    let mut counts: Vec<(RowNum, ColNum)> = Vec::new();
    for (i, f) in fields().iter().enumerate() {
        match f.kind {
            Kind::Count => counts.push(pos[i]),
            Kind::Amount => {
                let at = a1(pos[i]);
                let dv = DataValidation::new()
                    .allow_custom(Formula::new(format!(
                        "=AND(ISNUMBER({at}),{at}>=0,ROUND({at},2)={at})"
                    )))
                    .set_input_title("填写金额")?
                    .set_input_message("单位：万元。填写不小于 0 的数，最多两位小数；没有的填 0。")?
                    .set_error_title("金额有误")?
                    .set_error_message(
                        "金额须为不小于 0 的数（单位：万元），最多两位小数，不要填写文字或单位。",
                    )?;
                ws.add_data_validation(pos[i].0, pos[i].1, pos[i].0, pos[i].1, &dv)?;
            }
        }
    }
    let Some(&first) = counts.first() else {
        return Ok(());
    };
    let dv = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_input_title("填写件数")?
        .set_input_message("填写不小于 0 的整数；没有的填 0。")?
        .set_error_title("件数有误")?
        .set_error_message("件数须为不小于 0 的整数，不要填写文字、小数或单位（如“件”）。")?
        .set_multi_range(ranges(counts, true).join(" "));
    ws.add_data_validation(first.0, first.1, first.0, first.1, &dv)?;
    Ok(())
}

/// "U05_亭林镇_2023年政府信息公开年报统计表.xlsx".
pub fn template_file_name(code: &str, name: &str, year: i32) -> String {
    format!(
        "{}_{year}年政府信息公开年报统计表.xlsx",
        crate::safe_stem(code, name)
    )
}
