//! Cell normalisation: what number a unit meant, or why the cell holds none.

use nianbao_format::problem;
use nianbao_format::{DecimalError, Kind, fold_width, is_invisible, parse_decimal};

use crate::grid::Content;

/// Why a cell does not hold a value of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Text that is not a number ("约10", "12件", "251000元", "10+2").
    NotANumber,
    Negative,
    /// A fraction in a count.
    Fraction,
    /// More than two decimals in an amount.
    TooManyDecimals,
    TooLarge,
    Bool,
    Date,
    /// An Excel error value (#REF!, #DIV/0!).
    ExcelError,
    /// A formula whose result the file does not carry and that cannot be evaluated here.
    UncachedFormula,
}

impl Invalid {
    /// The problem id used in reports.
    pub fn rule(&self) -> &'static str {
        match self {
            Invalid::NotANumber => problem::NOT_A_NUMBER,
            Invalid::Negative => problem::NEGATIVE,
            Invalid::Fraction => problem::FRACTION,
            Invalid::TooManyDecimals => problem::DECIMALS,
            Invalid::TooLarge => problem::TOO_LARGE,
            Invalid::Bool => problem::BOOLEAN,
            Invalid::Date => problem::DATE,
            Invalid::ExcelError => problem::EXCEL_ERROR,
            Invalid::UncachedFormula => problem::UNCACHED_FORMULA,
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            Invalid::NotANumber => "不是数字，请只填写阿拉伯数字（不带单位或文字）",
            Invalid::Negative => "数值不能为负数",
            Invalid::Fraction => "件数必须是整数",
            Invalid::TooManyDecimals => "金额（万元）最多保留两位小数",
            Invalid::TooLarge => "数值过大",
            Invalid::Bool => "是逻辑值，不是数字",
            Invalid::Date => "是日期，不是数字",
            Invalid::ExcelError => "是公式错误值",
            Invalid::UncachedFormula => {
                "公式没有计算结果，请在 Excel 或 WPS 中打开并保存后重新报送"
            }
        }
    }

    pub fn en(&self) -> &'static str {
        match self {
            Invalid::NotANumber => "is not a number: type digits only, no units or words",
            Invalid::Negative => "must not be negative",
            Invalid::Fraction => "a count must be a whole number",
            Invalid::TooManyDecimals => "an amount (万元) has at most two decimals",
            Invalid::TooLarge => "is too large",
            Invalid::Bool => "is a boolean, not a number",
            Invalid::Date => "is a date, not a number",
            Invalid::ExcelError => "is a formula error value",
            Invalid::UncachedFormula => {
                "is a formula without a stored result: open and save the file in Excel or WPS"
            }
        }
    }
}

/// What a value cell means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A number, in the field's unit (hundredths for amounts).
    Value(i64),
    /// Left blank, or "-", "—", "/", "无": 0, but not typed as 0.
    Blank,
    Invalid(Invalid),
}

fn decimals(kind: Kind) -> u32 {
    match kind {
        Kind::Count => 0,
        Kind::Amount => 2,
    }
}

/// Reads a cell as a value of the given kind.
pub fn parse_content(content: &Content, kind: Kind) -> Parsed {
    match content {
        Content::Empty => Parsed::Blank,
        Content::Int(i) => scaled(*i, kind),
        // Shortest round-trip text: 703.9500000000000455 (the double nearest 703.95) is "703.95".
        // A whole number (as xlsx stores every count) is what its text would read as.
        Content::Float(f) if (0.0..1e15).contains(f) && f.fract() == 0.0 => scaled(*f as i64, kind),
        Content::Float(f) if f.is_finite() => parse_text_number(&f.to_string(), kind),
        Content::Float(_) => Parsed::Invalid(Invalid::NotANumber),
        Content::Text(s) => parse_text(s, kind),
        Content::Bool(_) => Parsed::Invalid(Invalid::Bool),
        Content::Date(_) => Parsed::Invalid(Invalid::Date),
        Content::Error(_) => Parsed::Invalid(Invalid::ExcelError),
    }
}

fn scaled(i: i64, kind: Kind) -> Parsed {
    if i < 0 {
        return Parsed::Invalid(Invalid::Negative);
    }
    match i.checked_mul(10i64.pow(decimals(kind))) {
        Some(v) if v <= nianbao_format::MAX_VALUE => Parsed::Value(v),
        _ => Parsed::Invalid(Invalid::TooLarge),
    }
}

/// Markers units type for "nothing" in a count.
const BLANK_MARKERS: &[&str] = &["-", "—", "——", "–", "/", "无", "\\"];

/// Reads text typed into a number cell: spaces, full-width digits, thousands separators and a
/// leading apostrophe are tolerated; anything else is the unit's error.
pub fn parse_text(s: &str, kind: Kind) -> Parsed {
    let folded: String = s
        .chars()
        .map(|c| if c == '。' { '.' } else { fold_width(c) })
        .filter(|&c| !c.is_whitespace() && !is_invisible(c))
        .collect();
    let t = folded.strip_prefix('\'').unwrap_or(&folded);
    if t.is_empty() || BLANK_MARKERS.contains(&t) {
        return Parsed::Blank;
    }
    let Some(plain) = strip_thousands(t) else {
        return Parsed::Invalid(Invalid::NotANumber);
    };
    parse_text_number(&plain, kind)
}

fn parse_text_number(t: &str, kind: Kind) -> Parsed {
    match parse_decimal(t, decimals(kind)) {
        Ok(v) if v < 0 => Parsed::Invalid(Invalid::Negative),
        Ok(v) => Parsed::Value(v),
        Err(DecimalError::NotANumber) => Parsed::Invalid(Invalid::NotANumber),
        Err(DecimalError::TooLarge) => Parsed::Invalid(Invalid::TooLarge),
        Err(DecimalError::TooManyDecimals { .. }) => Parsed::Invalid(match kind {
            Kind::Count => Invalid::Fraction,
            Kind::Amount => Invalid::TooManyDecimals,
        }),
    }
}

/// Removes well-formed thousands separators ("50,757", "1,234.50"); None when commas are
/// anywhere else ("12,34" is not a number a unit meant).
fn strip_thousands(t: &str) -> Option<String> {
    if !t.contains(',') {
        return Some(t.to_string());
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let int = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = int.split(',').collect();
    let ok = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && frac.is_none_or(|f| !f.contains(','));
    ok.then(|| t.replace(',', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(s: &str) -> Parsed {
        parse_text(s, Kind::Count)
    }

    #[test]
    fn text_numbers() {
        assert_eq!(count("12"), Parsed::Value(12));
        assert_eq!(count(" 12 "), Parsed::Value(12));
        assert_eq!(count("\u{3000}12\u{3000}"), Parsed::Value(12));
        assert_eq!(count("１２"), Parsed::Value(12));
        assert_eq!(count("50,757"), Parsed::Value(50757));
        assert_eq!(count("５０，７５７"), Parsed::Value(50757));
        assert_eq!(count("'12"), Parsed::Value(12));
        assert_eq!(count("12.0"), Parsed::Value(12));
        assert_eq!(
            parse_text("１２，３４５．６７", Kind::Amount),
            Parsed::Value(1234567)
        );
        assert_eq!(parse_text("1,234.50", Kind::Amount), Parsed::Value(123450));
    }

    #[test]
    fn blanks_are_not_zeros() {
        for s in ["", " ", "-", "—", "－", "/", "无", "\u{3000}"] {
            assert_eq!(count(s), Parsed::Blank, "{s:?}");
        }
        assert_eq!(parse_content(&Content::Empty, Kind::Count), Parsed::Blank);
        assert_eq!(count("0"), Parsed::Value(0));
    }

    #[test]
    fn unit_errors_are_invalid_not_zero() {
        for s in [
            "约10",
            "12件",
            "251000元",
            "10+2",
            "12,34",
            "1,2345",
            "N/A",
            "1e3",
        ] {
            assert_eq!(count(s), Parsed::Invalid(Invalid::NotANumber), "{s:?}");
        }
        assert_eq!(count("-3"), Parsed::Invalid(Invalid::Negative));
        assert_eq!(count("2.5"), Parsed::Invalid(Invalid::Fraction));
        assert_eq!(
            parse_text("1.005", Kind::Amount),
            Parsed::Invalid(Invalid::TooManyDecimals)
        );
    }

    #[test]
    #[allow(clippy::excessive_precision)] // the literal is the double Excel stores for 703.95
    fn numeric_cells() {
        assert_eq!(
            parse_content(&Content::Float(703.950_000_000_000_045_5), Kind::Amount),
            Parsed::Value(70395)
        );
        assert_eq!(
            parse_content(&Content::Float(0.1 + 0.2), Kind::Amount),
            Parsed::Invalid(Invalid::TooManyDecimals)
        );
        assert_eq!(
            parse_content(&Content::Float(12.0), Kind::Count),
            Parsed::Value(12)
        );
        assert_eq!(
            parse_content(&Content::Float(12.5), Kind::Count),
            Parsed::Invalid(Invalid::Fraction)
        );
        assert_eq!(
            parse_content(&Content::Int(7), Kind::Amount),
            Parsed::Value(700)
        );
        assert_eq!(
            parse_content(&Content::Int(-1), Kind::Count),
            Parsed::Invalid(Invalid::Negative)
        );
        assert_eq!(
            parse_content(&Content::Float(f64::NAN), Kind::Count),
            Parsed::Invalid(Invalid::NotANumber)
        );
        assert_eq!(
            parse_content(&Content::Bool(true), Kind::Count),
            Parsed::Invalid(Invalid::Bool)
        );
        assert_eq!(
            parse_content(&Content::Error("#REF!".into()), Kind::Count),
            Parsed::Invalid(Invalid::ExcelError)
        );
        assert_eq!(
            parse_content(&Content::Date("2022-01-01".into()), Kind::Count),
            Parsed::Invalid(Invalid::Date)
        );
        assert_eq!(
            parse_content(&Content::Float(1e300), Kind::Count),
            Parsed::Invalid(Invalid::TooLarge)
        );
    }
}
