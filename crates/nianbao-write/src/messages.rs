//! The texts of the annotated return, naming the cells of that file.
//!
//! A violation's `message` was rendered by the rules (or the reader) with the addresses of the
//! unit's own file ("表三 自然人列：新收 I23=265 + … 最可能出错：I23，应为 264"). The annotated
//! return lays the same values out in the official layout, where they sit elsewhere, so every text
//! it shows is rendered again for that layout: a failed check from its terms (found in the rule
//! set by rule id and fields), the unit's values and the suspects; a blank total from its field;
//! any other message by moving each address of the unit's file to where that field is now. Last
//! year's values ("prior." fields) are no cells of this file: they are named "上年报表 …" without
//! an address.

use std::collections::BTreeSet;

use nianbao_format::problem;
use nianbao_format::{
    CellRef, FieldRef, Kind, Lang, Msg, Reading, Suspect, Violation, column_name, field_index,
    fields, format_value, parse_decimal,
};
use nianbao_rules::{Check, Op, RuleSet, Term};
use rust_xlsxwriter::{ColNum, RowNum};

use crate::labels::{field_label, rule_title};

/// Where each field's value cell is in the file the texts are shown in, by field index.
pub type Positions = [(RowNum, ColNum)];

/// "G12" for a zero-based cell.
pub fn a1((r, c): (RowNum, ColNum)) -> String {
    format!("{}{}", column_name(u32::from(c)), r + 1)
}

/// The index of a field id of this year's return ("prior." ids are last year's).
pub fn this_year(f: &FieldRef) -> Option<usize> {
    f.this_years()
}

/// The violation's message rendered again with the addresses of `pos` (see the module doc).
pub fn render(v: &Violation, readings: &[Reading], pos: &Positions, rules: &RuleSet) -> Msg {
    if let Some(check) = find_check(rules, v) {
        return render_check(check, v, readings, pos);
    }
    if v.rule == problem::TOTAL_BLANK
        && let [id] = &v.fields[..]
        && let Some(i) = this_year(id)
    {
        return blank_total(v, i, readings, pos);
    }
    if !v.cells.is_empty() && v.fields.iter().all(|f| this_year(f).is_none()) {
        // About the file as sent (a row of the layout), not about a value of this one.
        return Msg::new(
            format!("原报送文件：{}", v.message.zh),
            format!("in the file as sent: {}", v.message.en),
        );
    }
    match (
        relocate(&v.message.zh, v, readings, pos),
        relocate(&v.message.en, v, readings, pos),
    ) {
        (Some(zh), Some(en)) => Msg::new(zh, en),
        _ => generic(v, readings, pos, rules),
    }
}

/// The check a violation of the rules came from: same rule id, same fields in the same order
/// (as `nianbao_rules::evaluate` lists them: the left side's terms, then the right side's).
fn find_check<'r>(rules: &'r RuleSet, v: &Violation) -> Option<&'r Check> {
    let id = |t: &Term| FieldRef {
        index: t.field,
        prior: t.prior,
    };
    rules.checks.iter().find(|c| {
        c.rule == v.rule
            && c.lhs.len() + c.rhs.len() == v.fields.len()
            && c.lhs
                .iter()
                .chain(&c.rhs)
                .map(id)
                .eq(v.fields.iter().copied())
    })
}

fn parse_value(kind: Kind, s: &str) -> Option<i64> {
    let decimals = match kind {
        Kind::Count => 0,
        Kind::Amount => 2,
    };
    parse_decimal(s.trim(), decimals).ok()
}

/// " I29:I49" when the cells of `terms` are one unbroken run of a column or a row, else "".
fn span(terms: &[Term], pos: &Positions) -> String {
    if terms.iter().any(|t| t.prior) {
        return String::new();
    }
    let mut cells: Vec<(RowNum, ColNum)> = terms.iter().map(|t| pos[t.field]).collect();
    cells.sort_unstable();
    let (Some(&first), Some(&last)) = (cells.first(), cells.last()) else {
        return String::new();
    };
    let column = cells
        .iter()
        .enumerate()
        .all(|(k, &(r, c))| c == first.1 && usize::try_from(r - first.0) == Ok(k));
    let row = cells
        .iter()
        .enumerate()
        .all(|(k, &(r, c))| r == first.0 && usize::from(c - first.1) == k);
    if column || row {
        format!(" {}:{}", a1(first), a1(last))
    } else {
        String::new()
    }
}

/// A failed check, as `nianbao_rules` words it, with the cells of `pos`.
fn render_check(check: &Check, v: &Violation, readings: &[Reading], pos: &Positions) -> Msg {
    let kind = fields()[check.lhs[0].field].kind;
    let fmt = |x: i64| format_value(kind, x);
    let now = |t: &Term| -> Option<i64> {
        if t.prior {
            None
        } else {
            readings.get(t.field)?.value
        }
    };
    // This year's part of a side.
    let parts = |terms: &[Term]| {
        terms
            .iter()
            .filter(|t| !t.prior)
            .try_fold(0i64, |acc, t| acc.checked_add(t.sign * now(t)?))
    };
    // A side with last year's values: its sum as the violation states it (left: expected).
    let sum = |terms: &[Term], stated: &Option<String>| {
        if terms.iter().any(|t| t.prior) {
            stated.as_deref().and_then(|s| parse_value(kind, s))
        } else {
            parts(terms)
        }
    };
    let lhs = sum(&check.lhs, &v.expected);
    let rhs = sum(&check.rhs, &v.actual);
    // Last year's value follows from its side's sum when it is the side's only such term.
    let value = |terms: &[Term], total: Option<i64>, t: &Term| -> Option<i64> {
        if !t.prior {
            return now(t);
        }
        if terms.iter().filter(|t| t.prior).count() != 1 {
            return None;
        }
        Some(t.sign * (total? - parts(terms)?))
    };
    let term = |t: &Term, x: Option<i64>, lang: Lang| -> String {
        let name = match (t.prior, lang) {
            (true, Lang::Zh) => format!("上年报表 {}", t.zh.strip_prefix("上年").unwrap_or(&t.zh)),
            (true, Lang::En) => {
                format!(
                    "last year's {}",
                    t.en.strip_prefix("prior ").unwrap_or(&t.en)
                )
            }
            (false, Lang::Zh) => format!("{} {}", t.zh, a1(pos[t.field])),
            (false, Lang::En) => format!("{} {}", t.en, a1(pos[t.field])),
        };
        match x {
            Some(x) => format!("{name}={}", fmt(x)),
            None => name,
        }
    };
    let side = |terms: &[Term], total: Option<i64>, lang: Lang| -> String {
        let tail = total.map(|s| format!(" = {}", fmt(s))).unwrap_or_default();
        if let [t] = terms {
            return term(t, value(terms, total, t), lang);
        }
        if terms.len() <= 6 {
            let mut s = String::new();
            for (k, t) in terms.iter().enumerate() {
                s.push_str(match (k, t.sign < 0) {
                    (0, false) => "",
                    (0, true) => "−",
                    (_, true) => " − ",
                    (_, false) => " + ",
                });
                s.push_str(&term(t, value(terms, total, t), lang));
            }
            return format!("{s}{tail}");
        }
        let span = span(terms, pos);
        match lang {
            Lang::Zh => format!("{} 项之和{span}{tail}", terms.len()),
            Lang::En => format!("sum of {} items{span}{tail}", terms.len()),
        }
    };
    let sym = match check.op {
        Op::Eq => "≠",
        Op::Ge => "<",
        Op::Le => ">",
    };
    let diff = lhs
        .zip(rhs)
        .and_then(|(l, r)| l.checked_sub(r))
        .map(|d| fmt(d.abs()));
    let suspects = suspects_text(v, pos);
    let zh = format!(
        "{}：{} {sym} {}{}{}{}",
        check.scope.zh,
        side(&check.lhs, lhs, Lang::Zh),
        side(&check.rhs, rhs, Lang::Zh),
        diff.as_ref()
            .map(|d| format!("（差 {d}）"))
            .unwrap_or_default(),
        segment(&v.message.zh, "（上年报表：", "）；"),
        suspects.zh
    );
    let en = format!(
        "{}: {} {sym} {}{}{}{}",
        check.scope.en,
        side(&check.lhs, lhs, Lang::En),
        side(&check.rhs, rhs, Lang::En),
        diff.map(|d| format!(" (off by {d})")).unwrap_or_default(),
        segment(&v.message.en, " (last year's return: ", "); "),
        suspects.en
    );
    Msg::new(zh, en)
}

/// The part of `message` from `start` to the end of `until` without its last character (the
/// "；" the suspects begin with), or to the end: the name of last year's file that the rules add
/// to a cross-year message ("（上年报表：2021/教育局.xlsx）"), which is no cell of this file.
fn segment<'m>(message: &'m str, start: &str, until: &str) -> &'m str {
    let Some(i) = message.find(start) else {
        return "";
    };
    let rest = &message[i..];
    let keep = until.chars().next().map_or(0, char::len_utf8);
    match rest.find(until) {
        Some(e) => &rest[..e + keep],
        None => rest,
    }
}

/// The suspects of a violation that are cells of this return and of the violation, best first.
/// (A repair of two cells is listed by the rules on every violation it mends, also on one that
/// only its other cell takes part in: that cell is no suspect of this violation.)
pub fn suspects(v: &Violation) -> Vec<(usize, &Suspect)> {
    v.suspects
        .iter()
        .filter_map(|s| field_index(&s.field).map(|i| (i, s)))
        .filter(|(i, _)| v.fields.contains(&FieldRef::this_year(*i)))
        .collect()
}

/// "；最可能出错：I26，应为 264", or the equally likely candidates; empty without suspects.
fn suspects_text(v: &Violation, pos: &Positions) -> Msg {
    let list = suspects(v);
    let Some(&(first, s)) = list.first() else {
        return Msg::default();
    };
    if v.suspects_tied && list.len() > 1 {
        let zh: Vec<String> = list
            .iter()
            .take(6)
            .map(|&(i, s)| format!("{} 应为 {}", a1(pos[i]), s.suggested_text()))
            .collect();
        let en: Vec<String> = list
            .iter()
            .take(6)
            .map(|&(i, s)| format!("{} should be {}", a1(pos[i]), s.suggested_text()))
            .collect();
        return Msg::new(
            format!(
                "；多种修正同样可能，无法确定哪一格出错：{}",
                zh.join("，或 ")
            ),
            format!(
                "; several repairs fit equally, cannot tell which cell is wrong: {}",
                en.join(", or ")
            ),
        );
    }
    let at = a1(pos[first]);
    Msg::new(
        format!("；最可能出错：{at}，应为 {}", s.suggested_text()),
        format!(
            "; most likely wrong: {at}, should be {}",
            s.suggested_text()
        ),
    )
}

/// A total left blank that was taken as the sum of its parts.
fn blank_total(v: &Violation, i: usize, readings: &[Reading], pos: &Positions) -> Msg {
    let f = &fields()[i];
    let value = v
        .expected
        .clone()
        .or_else(|| readings.get(i)?.value.map(|x| format_value(f.kind, x)))
        .unwrap_or_default();
    let at = a1(pos[i]);
    Msg::new(
        format!(
            "{at}（{}）总计栏空白，已按各分项之和计为 {value}，请核对",
            field_label(&f.id, Lang::Zh)
        ),
        format!(
            "{at} ({}): total left blank, taken as the sum of its parts, {value}; check it",
            f.id
        ),
    )
}

/// The length of an A1 address at the start of `s` ("D24", "AB7"), ending at a boundary.
fn address_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let digits = b[letters..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=7).contains(&digits) {
        return None;
    }
    let end = letters + digits;
    match b.get(end) {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => None,
        _ => Some(end),
    }
}

/// `text` with every address of the unit's file ("表三!D24", "D24") replaced by where that
/// field is in `pos`; None when an address names no field or could be two.
fn relocate(text: &str, v: &Violation, readings: &[Reading], pos: &Positions) -> Option<String> {
    // The violation's own cells first (a bare "D24" is looked up among them before all cells).
    let mut own: Vec<(&CellRef, usize)> = v
        .fields
        .iter()
        .filter_map(this_year)
        .filter_map(|i| Some((readings.get(i)?.cell.as_ref()?, i)))
        .collect();
    own.extend(
        v.suspects
            .iter()
            .filter_map(|s| Some((s.cell.as_ref()?, field_index(&s.field)?))),
    );
    let all: Vec<(&CellRef, usize)> = readings
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((r.cell.as_ref()?, i)))
        .collect();
    let full: Vec<(String, usize)> = own
        .iter()
        .chain(&all)
        .map(|(c, i)| (c.to_string(), *i))
        .collect();
    let unique = |cands: &[(&CellRef, usize)], token: &str| -> Option<usize> {
        let hits: BTreeSet<usize> = cands
            .iter()
            .filter(|(c, _)| c.a1() == token)
            .map(|(_, i)| *i)
            .collect();
        match hits.len() {
            1 => hits.first().copied(),
            _ => None,
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        let prev = out.chars().next_back();
        let at_boundary = prev.is_none_or(|c| !c.is_ascii_alphanumeric());
        // "sheet!A1", the longest that fits.
        let whole = full
            .iter()
            .filter(|(s, _)| {
                rest.starts_with(s.as_str())
                    && rest[s.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_ascii_alphanumeric())
            })
            .max_by_key(|(s, _)| s.len());
        if let Some((s, i)) = whole {
            out.push_str(&a1(pos[*i]));
            rest = &rest[s.len()..];
            continue;
        }
        if at_boundary && let Some(len) = address_len(rest) {
            if prev == Some('!') {
                // On a sheet that is not the one of a value: not a cell we can name.
                return None;
            }
            let token = &rest[..len];
            let i = unique(&own, token).or_else(|| unique(&all, token))?;
            out.push_str(&a1(pos[i]));
            rest = &rest[len..];
            continue;
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    Some(out)
}

/// A violation whose wording cannot be redone: its title, each of its fields with its cell and
/// value, the two sides, and the suspects.
fn generic(v: &Violation, readings: &[Reading], pos: &Positions, rules: &RuleSet) -> Msg {
    let item = |f: &FieldRef, lang: Lang| -> String {
        let label = field_label(&f.id(), lang);
        match this_year(f) {
            None => label,
            Some(i) => {
                let shown = match readings.get(i) {
                    Some(Reading { value: Some(x), .. }) => format_value(fields()[i].kind, *x),
                    Some(r) => format!("“{}”", r.raw),
                    None => String::new(),
                };
                format!("{label} {}={shown}", a1(pos[i]))
            }
        }
    };
    let sides = |lang: Lang| match (&v.expected, &v.actual, lang) {
        (Some(e), Some(a), Lang::Zh) => format!("（左边 {e}，右边 {a}）"),
        (Some(e), Some(a), Lang::En) => format!(" (left side {e}, right side {a})"),
        _ => String::new(),
    };
    let suspects = suspects_text(v, pos);
    let list = |lang: Lang| {
        v.fields
            .iter()
            .map(|f| item(f, lang))
            .collect::<Vec<_>>()
            .join(crate::tr(lang, "；", "; "))
    };
    Msg::new(
        format!(
            "{}：{}{}{}",
            rule_title(&v.rule, rules, Lang::Zh),
            list(Lang::Zh),
            sides(Lang::Zh),
            suspects.zh
        ),
        format!(
            "{}: {}{}{}",
            rule_title(&v.rule, rules, Lang::En),
            list(Lang::En),
            sides(Lang::En),
            suspects.en
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_format::{T3_COLS, t3_index};

    fn cell(row: u32, col: u32) -> CellRef {
        CellRef {
            sheet: "表三".into(),
            row,
            col,
        }
    }

    /// 200 readings whose cells are at (index, 3) of sheet 表三, values = index.
    fn readings() -> Vec<Reading> {
        fields()
            .iter()
            .map(|f| Reading {
                value: Some(f.index as i64),
                blank: false,
                cell: Some(cell(f.index as u32, 3)),
                raw: f.index.to_string(),
            })
            .collect()
    }

    /// Field i at (i, 7) + 1000 rows.
    fn pos() -> Vec<(RowNum, ColNum)> {
        (0..fields().len()).map(|i| (1000 + i as u32, 7)).collect()
    }

    #[test]
    fn addresses() {
        assert_eq!(a1((0, 0)), "A1");
        assert_eq!(a1((11, 14)), "O12");
        assert_eq!(address_len("D24，应为"), Some(3));
        assert_eq!(address_len("AB7"), Some(3));
        assert_eq!(address_len("D24x"), None);
        assert_eq!(address_len("ABCD1"), None);
        assert_eq!(address_len("d24"), None);
    }

    #[test]
    fn prior_terms_are_not_cells_of_this_return() {
        assert_eq!(this_year(&FieldRef::this_year(3)), Some(3));
        assert_eq!(this_year(&FieldRef::last_year(3)), None);
    }

    #[test]
    fn relocation_moves_every_address_to_its_field() {
        let rs = readings();
        let v = Violation {
            fields: vec![FieldRef::this_year(20)],
            ..Default::default()
        };
        let p = pos();
        // D21 holds field 20 (now H1021), D22 field 21, D23 field 22.
        let text = "表三!D21（x）“约10”不是数字；另见 D22、D21:D23 (t3.new)";
        assert_eq!(
            relocate(text, &v, &rs, &p).as_deref(),
            Some("H1021（x）“约10”不是数字；另见 H1022、H1021:H1023 (t3.new)")
        );
        // No field at A1; D21 on another sheet; U05 is no cell.
        assert_eq!(relocate("见 A1", &v, &rs, &p), None);
        assert_eq!(relocate("见 表二!D21", &v, &rs, &p), None);
        assert_eq!(relocate("单位 U05", &v, &rs, &p), None);
        assert_eq!(relocate("无地址", &v, &rs, &p).as_deref(), Some("无地址"));
    }

    #[test]
    fn a_failed_check_is_worded_with_the_new_cells() {
        let rules = RuleSet::builtin();
        let mut rs = readings();
        let col = |c: &str| T3_COLS.iter().position(|x| x.0 == c).expect("a column");
        let np = col("natural_person");
        // new + carried over = total + carried forward, off by one.
        for (row, v) in [(0, 265), (1, 6), (23, 257), (24, 13)] {
            rs[t3_index(row, np)].value = Some(v);
        }
        let ids: Vec<FieldRef> = [0, 1, 23, 24]
            .iter()
            .map(|&r| FieldRef::this_year(t3_index(r, np)))
            .collect();
        let mut v = Violation {
            rule: "balance".into(),
            fields: ids.clone(),
            expected: Some("271".into()),
            actual: Some("270".into()),
            ..Default::default()
        };
        v.suspects.push(Suspect {
            cell: rs[t3_index(0, np)].cell.clone(),
            field: ids[0].id(),
            value: 265,
            suggested: 264,
        });
        let p = pos();
        let at = |row: usize| a1(p[t3_index(row, np)]);
        let m = render(&v, &rs, &p, rules);
        assert_eq!(
            m.zh,
            format!(
                "表三 自然人列：新收 {}=265 + 上年结转 {}=6 = 271 ≠ 办理结果总计 {}=257 + 结转下年度 {}=13 = 270（差 1）；最可能出错：{}，应为 264",
                at(0),
                at(1),
                at(23),
                at(24),
                at(0)
            )
        );
        assert!(m.en.contains(&format!("most likely wrong: {}, should be 264", at(0))));

        // Across years: last year's value has no address of this file.
        let prior = Violation {
            rule: "prior.carried_over".into(),
            fields: vec![FieldRef::last_year(ids[3].index), ids[1]],
            expected: Some("13".into()),
            actual: Some("6".into()),
            message: Msg::new(
                "表三 自然人列（跨年度）：上年结转下年度=13 ≠ 上年结转 D2=6（差 7）（上年报表：2021/教育局.xlsx）",
                "table 3, column natural_person (across years): prior carried_forward=13 ≠ carried_over D2=6 (off by 7) (last year's return: 2021/教育局.xlsx)",
            ),
            ..Default::default()
        };
        let m = render(&prior, &rs, &p, rules);
        assert_eq!(
            m.zh,
            format!(
                "表三 自然人列（跨年度）：上年报表 结转下年度=13 ≠ 上年结转 {}=6（差 7）（上年报表：2021/教育局.xlsx）",
                at(1)
            )
        );
        assert_eq!(
            m.en,
            format!(
                "table 3, column natural_person (across years): last year's carried_forward=13 ≠ carried_over {}=6 (off by 7) (last year's return: 2021/教育局.xlsx)",
                at(1)
            )
        );
    }

    #[test]
    fn last_years_file_is_still_named() {
        assert_eq!(
            segment(
                "x（差 1）（上年报表：2021/教育局（1）.xlsx）；最可能出错：D6，应为 2",
                "（上年报表：",
                "）；"
            ),
            "（上年报表：2021/教育局（1）.xlsx）"
        );
        assert_eq!(
            segment(
                "x (off by 1) (last year's return: a.xlsx)",
                " (last year's return: ",
                "); "
            ),
            " (last year's return: a.xlsx)"
        );
        assert_eq!(segment("x（差 1）", "（上年报表：", "）；"), "");
    }

    #[test]
    fn a_long_sum_names_its_run_of_cells() {
        let rules = RuleSet::builtin();
        let rs = readings();
        let check = rules
            .checks
            .iter()
            .find(|c| c.rule == "t3.result_sum")
            .expect("a result sum");
        let v = Violation {
            rule: check.rule.clone(),
            fields: check
                .lhs
                .iter()
                .chain(&check.rhs)
                .map(|t| FieldRef::this_year(t.field))
                .collect(),
            ..Default::default()
        };
        // In the official layout the 21 results are one column.
        let (p, _) = crate::sheets::official::positions(5);
        let m = render(&v, &rs, &p, rules);
        let first = a1(p[check.lhs[0].field]);
        let last = a1(p[check.lhs[20].field]);
        assert!(
            m.zh.contains(&format!("21 项之和 {first}:{last} = ")),
            "{}",
            m.zh
        );
        // Scattered cells get no range.
        let m = render(&v, &rs, &pos().into_iter().rev().collect::<Vec<_>>(), rules);
        assert!(m.zh.contains("21 项之和 = "), "{}", m.zh);
    }

    #[test]
    fn unknown_rules_fall_back_to_their_fields() {
        let rules = RuleSet::builtin();
        let rs = readings();
        let p = pos();
        let v = Violation {
            rule: "mine".into(),
            fields: vec![
                FieldRef::this_year(12),
                FieldRef::parse("prior.t2.fees.amount").unwrap(),
            ],
            expected: Some("1".into()),
            actual: Some("2".into()),
            message: Msg::new("自定义 Z99=1", "custom Z99=1"),
            ..Default::default()
        };
        let m = render(&v, &rs, &p, rules);
        assert!(m.zh.starts_with("mine："), "{}", m.zh);
        assert!(m.zh.contains(&format!("{}=12", a1(p[12]))), "{}", m.zh);
        assert!(m.zh.contains("上年报表 表二"), "{}", m.zh);
        assert!(m.zh.contains("（左边 1，右边 2）"), "{}", m.zh);
        assert!(!m.zh.contains("Z99"), "{}", m.zh);
    }
}
