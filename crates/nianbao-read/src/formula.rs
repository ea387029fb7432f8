//! Evaluates the formulas units put in total cells when the file carries no cached result:
//! plain SUM over ranges and +/− of cells. Anything else is left to the unit to recalculate.

use nianbao_format::{Kind, MAX_VALUE};

use crate::grid::{Content, Grid};
use crate::value::{Invalid, Parsed, parse_content};

const MAX_DEPTH: u32 = 8;
/// Cells one evaluation may visit, over all the ranges and formulas it follows; each formula it
/// follows also costs one per 16 characters of its text.
const MAX_RANGE_CELLS: u64 = 10_000;
/// Longer formulas are not the plain sums this evaluator is for (and each nested "SUM(" is one
/// more level of recursion).
const MAX_FORMULA_LEN: usize = 1_000;

/// The formula's value, or None when it is not a plain sum this evaluator understands.
pub fn evaluate(formula: &str, g: &Grid, all: &[Grid], kind: Kind) -> Option<Parsed> {
    let mut budget = MAX_RANGE_CELLS;
    // A difference can be negative and a literal huge: only values of the format get through.
    Some(match eval(formula, g, all, kind, 0, &mut budget)? {
        Parsed::Value(v) if v < 0 => Parsed::Invalid(Invalid::Negative),
        Parsed::Value(v) if v > MAX_VALUE => Parsed::Invalid(Invalid::TooLarge),
        parsed => parsed,
    })
}

fn eval(
    formula: &str,
    g: &Grid,
    all: &[Grid],
    kind: Kind,
    depth: u32,
    budget: &mut u64,
) -> Option<Parsed> {
    if depth > MAX_DEPTH || formula.len() > MAX_FORMULA_LEN {
        return None;
    }
    *budget = budget.checked_sub(1 + formula.len() as u64 / 16)?;
    let f = clean(formula);
    let mut total: i64 = 0;
    for (sign, term) in split_terms(&f)? {
        if let Err(stop) = add(
            &mut total,
            sign,
            eval_term(&term, g, all, kind, depth, budget)?,
        ) {
            return stop;
        }
    }
    Some(Parsed::Value(total))
}

/// Adds a cell's value to a running sum. Err(Some(problem)) when the cell is not a number (the
/// formula's value is that problem), Err(None) on overflow (not evaluated).
fn add(total: &mut i64, sign: i64, v: Parsed) -> Result<(), Option<Parsed>> {
    match v {
        Parsed::Value(x) => {
            *total = total
                .checked_add(sign.checked_mul(x).ok_or(None)?)
                .ok_or(None)?;
            Ok(())
        }
        Parsed::Blank => Ok(()),
        invalid => Err(Some(invalid)),
    }
}

/// Drops the ODF namespace, '=', '$', spaces and ODF's "[.A1:.B2]" brackets.
fn clean(formula: &str) -> String {
    let f = formula.trim();
    let f = f.strip_prefix("of:").unwrap_or(f);
    let f = f.strip_prefix('=').unwrap_or(f);
    let mut out = String::new();
    for c in f.chars() {
        match c {
            '$' | ' ' | '[' | ']' => {}
            '.' if out.is_empty() || out.ends_with([':', '(', '+', '-', ',', ';']) => {}
            _ => out.push(c),
        }
    }
    out.to_ascii_uppercase()
}

/// Splits "A1+SUM(B1:B3)-C2" into signed terms; None on anything but + and − at the top level.
fn split_terms(f: &str) -> Option<Vec<(i64, String)>> {
    let mut terms = Vec::new();
    let mut depth = 0i32;
    let mut sign = 1i64;
    let mut cur = String::new();
    for c in f.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            '+' | '-' if depth == 0 => {
                if !cur.is_empty() {
                    terms.push((sign, std::mem::take(&mut cur)));
                } else if c == '-' {
                    sign = -sign;
                    continue;
                }
                sign = if c == '-' { -1 } else { 1 };
            }
            _ => cur.push(c),
        }
    }
    if depth != 0 || cur.is_empty() {
        return None;
    }
    terms.push((sign, cur));
    Some(terms)
}

fn eval_term(
    term: &str,
    g: &Grid,
    all: &[Grid],
    kind: Kind,
    depth: u32,
    budget: &mut u64,
) -> Option<Parsed> {
    if let Some(args) = term.strip_prefix("SUM(").and_then(|t| t.strip_suffix(')')) {
        let mut total = 0i64;
        for arg in args.split([',', ';']) {
            if let Err(stop) = add(&mut total, 1, eval_term(arg, g, all, kind, depth, budget)?) {
                return stop;
            }
        }
        return Some(Parsed::Value(total));
    }
    if term.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = term.parse().ok()?;
        return Some(Parsed::Value(n.checked_mul(match kind {
            Kind::Count => 1,
            Kind::Amount => 100,
        })?));
    }
    let (sheet, range) = match term.rsplit_once(['!', '.']) {
        Some((s, r)) => (Some(s.trim_matches('\'')), r),
        None => (None, term),
    };
    let grid = match sheet {
        Some(name) => all.iter().find(|x| x.sheet.eq_ignore_ascii_case(name))?,
        None => g,
    };
    let (a, b) = match range.split_once(':') {
        Some((a, b)) => (parse_a1(a)?, parse_a1(b)?),
        None => (parse_a1(range)?, parse_a1(range)?),
    };
    let (r0, r1) = (a.0.min(b.0), a.0.max(b.0));
    let (c0, c1) = (a.1.min(b.1), a.1.max(b.1));
    let size = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
    *budget = budget.checked_sub(size)?;
    let mut total = 0i64;
    for r in r0..=r1 {
        for c in c0..=c1 {
            let Some(cell) = grid.get(r, c) else { continue };
            let v = match (&cell.content, &cell.formula) {
                (Content::Empty, Some(f)) => eval(f, grid, all, kind, depth + 1, budget)?,
                (content, _) => parse_content(content, kind),
            };
            if let Err(stop) = add(&mut total, 1, v) {
                return stop;
            }
        }
    }
    Some(Parsed::Value(total))
}

/// "D24" → (23, 3), zero-based.
fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters
        .bytes()
        .try_fold(0u32, |acc, b| Some(acc * 26 + u32::from(b - b'A' + 1)))?
        - 1;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::cell;

    fn grid() -> Grid {
        Grid::new(
            "S".into(),
            false,
            vec![
                cell(0, 0, Content::Int(1), None),
                cell(0, 1, Content::Text("２".into()), None),
                cell(0, 2, Content::Float(3.0), None),
                cell(0, 3, Content::Empty, Some("SUM(A1:C1)".into())),
                cell(1, 0, Content::Text("约3".into()), None),
            ],
        )
    }

    #[test]
    fn sums_and_differences() {
        let g = grid();
        let all = [g.clone()];
        assert_eq!(
            evaluate("SUM(A1:C1)", &g, &all, Kind::Count),
            Some(Parsed::Value(6))
        );
        assert_eq!(
            evaluate("=A1+B1-C1", &g, &all, Kind::Count),
            Some(Parsed::Value(0))
        );
        assert_eq!(
            evaluate("of:=SUM([.A1:.C1])", &g, &all, Kind::Count),
            Some(Parsed::Value(6))
        );
        assert_eq!(
            evaluate("D1+1", &g, &all, Kind::Count),
            Some(Parsed::Value(7))
        );
        assert_eq!(
            evaluate("S!A1+$B$1", &g, &all, Kind::Count),
            Some(Parsed::Value(3))
        );
        assert_eq!(
            evaluate("SUM(A1:A2)", &g, &all, Kind::Count),
            Some(Parsed::Invalid(crate::value::Invalid::NotANumber))
        );
        assert_eq!(evaluate("A1*2", &g, &all, Kind::Count), None);
        assert_eq!(evaluate("IF(A1>0,1,2)", &g, &all, Kind::Count), None);
        assert_eq!(evaluate("SUM(A1:XFD1048576)", &g, &all, Kind::Count), None);
        assert_eq!(parse_a1("D24"), Some((23, 3)));
        assert_eq!(parse_a1("AA1"), Some((0, 26)));
        assert_eq!(parse_a1("A0"), None);
    }
}
