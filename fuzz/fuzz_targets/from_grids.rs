//! Sheets built from structured input — cells holding the format's own labels, numbers, text
//! and formulas at arbitrary places — fed to `from_grids`: locating the tables, evaluating
//! uncached formulas, parsing values and finding the unit and year, with no file reader in the
//! way. Rows and columns stay within what the readers can produce (1,048,576 × 16,384).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use nianbao_format::{
    FIELD_COUNT, MAX_VALUE, T2_ROWS, T3_COLS, T3_GROUP_KEYS, T3_ROWS, T4_GROUPS, T4_RESULTS,
};
use nianbao_read::{Content, Format, Grid, GridCell, from_grids};

const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u32 = 16_384;

/// Every label the locator looks for, plus a few the readers meet in real returns.
fn labels() -> &'static [String] {
    static L: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    L.get_or_init(|| {
        let mut v: Vec<String> = Vec::new();
        for r in T2_ROWS {
            v.push(r.label.into());
            v.push(r.block.into());
            for (_, c) in r.cols {
                v.push((*c).into());
            }
        }
        v.extend(
            [
                "本年制发件数",
                "本年废止件数",
                "现行有效件数",
                "处理决定数量",
                "收费金额",
            ]
            .map(String::from),
        );
        for (_, l, band) in T3_COLS.iter().chain(T4_GROUPS) {
            v.push((*l).into());
            v.extend(band.map(String::from));
        }
        for r in T3_ROWS {
            v.push(r.label.into());
            v.push(r.key.into());
            v.extend(r.group.map(String::from));
            v.extend(r.subgroup.map(String::from));
        }
        v.extend(T3_GROUP_KEYS.iter().map(|s| s.to_string()));
        for (_, l) in T4_RESULTS {
            v.push((*l).into());
        }
        v.extend(
            [
                "维持",
                "纠正",
                "其他",
                "未审结",
                "合计",
                "结果 维持",
                "申请人情况",
                "填报单位：上海市金山区教育局",
                "填报单位：",
                "填报日期：2023年1月10日",
                "2022年政府信息公开工作年度报告统计表",
                "-",
                "—",
                "无",
                "/",
                "１２",
                "50,757",
                " 12 ",
                "'12",
                "约10",
                "1,234.50",
                "-3",
                "2.5",
            ]
            .map(String::from),
        );
        v
    })
}

#[derive(Debug)]
struct Input(Vec<Grid>);

#[derive(Arbitrary, Debug)]
enum Value {
    Empty,
    Label(u16),
    Int(i64),
    SmallInt(u8),
    Float(f64),
    Text(String),
    Bool(bool),
    Date(String),
    Error(String),
}

#[derive(Arbitrary, Debug)]
enum Term {
    /// A1-style reference, relative to the cell (small offsets hit neighbours).
    Ref(u8, u8),
    Range(u8, u8, u8, u8),
    Sum(Vec<Term>),
    Number(u64),
    /// A reference to another sheet by index.
    Sheet(u8, Box<Term>),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Formula {
    Terms(Vec<(bool, Term)>),
    Raw(String),
    /// "SUM(SUM(…A1…))", nested n times.
    Nested(u16),
}

fn col_name(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn a1(r: u32, c: u32) -> String {
    format!("{}{}", col_name(c), r + 1)
}

fn term_text(t: &Term, names: &[String], out: &mut String) {
    match t {
        Term::Ref(r, c) => out.push_str(&a1(u32::from(*r), u32::from(*c))),
        Term::Range(r0, c0, r1, c1) => {
            out.push_str(&a1(u32::from(*r0), u32::from(*c0)));
            out.push(':');
            out.push_str(&a1(u32::from(*r1), u32::from(*c1)));
        }
        Term::Sum(args) => {
            out.push_str("SUM(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                term_text(a, names, out);
            }
            out.push(')');
        }
        Term::Number(n) => out.push_str(&n.to_string()),
        Term::Sheet(i, t) => {
            if !names.is_empty() {
                out.push_str(&names[usize::from(*i) % names.len()]);
                out.push('!');
            }
            term_text(t, names, out);
        }
        Term::Raw(s) => out.push_str(s),
    }
}

fn formula_text(f: &Formula, names: &[String]) -> String {
    match f {
        Formula::Raw(s) => s.clone(),
        Formula::Nested(n) => {
            let n = usize::from(*n);
            format!("{}A1{}", "SUM(".repeat(n), ")".repeat(n))
        }
        Formula::Terms(terms) => {
            let mut out = String::new();
            for (minus, t) in terms {
                out.push(if *minus { '-' } else { '+' });
                term_text(t, names, &mut out);
            }
            out
        }
    }
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let names: Vec<String> = (0..u.int_in_range(1..=4)?)
            .map(|i| {
                if u.ratio(1, 8).unwrap_or(false) {
                    u.arbitrary().unwrap_or_default()
                } else {
                    format!("表{i}")
                }
            })
            .collect();
        let labels = labels();
        let mut grids = Vec::new();
        for name in &names {
            let hidden = u.ratio(1, 8)?;
            // Place the content at an arbitrary origin, cells mostly close together.
            let origin_r = if u.ratio(1, 16)? {
                u.int_in_range(0..=MAX_ROWS - 1)?
            } else {
                0
            };
            let origin_c = if u.ratio(1, 16)? {
                u.int_in_range(0..=MAX_COLS - 1)?
            } else {
                0
            };
            let mut cells = Vec::new();
            for _ in 0..u.int_in_range(0..=400)? {
                let (dr, dc): (u8, u8) = (u.arbitrary()?, u.arbitrary()?);
                let row = (origin_r + u32::from(dr)).min(MAX_ROWS - 1);
                let col = (origin_c + u32::from(dc % 32)).min(MAX_COLS - 1);
                let content = match Value::arbitrary(u)? {
                    Value::Empty => Content::Empty,
                    Value::Label(i) => Content::Text(labels[usize::from(i) % labels.len()].clone()),
                    Value::Int(i) => Content::Int(i),
                    Value::SmallInt(i) => Content::Int(i64::from(i)),
                    Value::Float(f) => Content::Float(f),
                    Value::Text(s) => Content::Text(s),
                    Value::Bool(b) => Content::Bool(b),
                    Value::Date(s) => Content::Date(s),
                    Value::Error(s) => Content::Error(s),
                };
                let formula = if u.ratio(1, 6)? {
                    Some(formula_text(&Formula::arbitrary(u)?, &names))
                } else {
                    None
                };
                cells.push(GridCell {
                    row,
                    col,
                    content,
                    formula,
                    key: String::new(),
                });
            }
            grids.push(Grid::new(name.clone(), hidden, cells));
        }
        Ok(Input(grids))
    }
}

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |input: Input| {
        let Ok(r) = from_grids(&input.0, Format::Xlsx, "fuzz.xlsx") else {
            return;
        };
        assert_eq!(r.readings.len(), FIELD_COUNT);
        for (i, reading) in r.readings.iter().enumerate() {
            if let Some(v) = reading.value {
                // What the consolidation adds up must be a value of the format: never negative,
                // never above MAX_VALUE (the bound that keeps district totals exact in i64).
                assert!(
                    (0..=MAX_VALUE).contains(&v),
                    "field {i} ({:?}, raw {:?}) read as {v}",
                    reading.cell,
                    reading.raw
                );
            }
        }
    }
);
