//! Exact decimals: 万元 amounts are integer hundredths, never binary floating point.

use std::fmt;

/// Why a decimal text is not a value of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a plain decimal number at all.
    NotANumber,
    /// More decimals than the field allows.
    TooManyDecimals { allowed: u32 },
    /// Larger than any real return holds.
    TooLarge,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::NotANumber => write!(f, "not a number"),
            DecimalError::TooManyDecimals { allowed } => write!(f, "more than {allowed} decimals"),
            DecimalError::TooLarge => write!(f, "too large"),
        }
    }
}

/// Parses `[-]digits[.digits]` into an integer scaled by 10^`decimals`, exactly.
/// Trailing zeros beyond the allowed decimals are accepted ("12.500" with 2 decimals is 1250).
pub fn parse_decimal(s: &str, decimals: u32) -> Result<i64, DecimalError> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(DecimalError::NotANumber);
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::NotANumber);
    }
    if body.ends_with('.') && frac.is_empty() && int.is_empty() {
        return Err(DecimalError::NotANumber);
    }
    let frac_sig = frac.trim_end_matches('0');
    if frac_sig.len() > decimals as usize {
        return Err(DecimalError::TooManyDecimals { allowed: decimals });
    }
    let mut v: i64 = 0;
    for b in int.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(DecimalError::TooLarge)?;
    }
    for i in 0..decimals as usize {
        let d = frac_sig
            .as_bytes()
            .get(i)
            .map_or(0, |b| i64::from(b - b'0'));
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(d))
            .ok_or(DecimalError::TooLarge)?;
    }
    if v > MAX_VALUE {
        return Err(DecimalError::TooLarge);
    }
    Ok(if neg { -v } else { v })
}

/// The largest magnitude accepted for any value (10^12): sums over a million returns stay within
/// i64, so district totals are exact.
pub const MAX_VALUE: i64 = 1_000_000_000_000;

/// Formats integer hundredths with two decimals: 2114795 → "21147.95", -5 → "-0.05".
pub fn format_amount(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_hundredths() {
        assert_eq!(parse_decimal("21147.95", 2), Ok(2114795));
        assert_eq!(parse_decimal("703.9", 2), Ok(70390));
        assert_eq!(parse_decimal("12", 2), Ok(1200));
        assert_eq!(parse_decimal("12.500", 2), Ok(1250));
        assert_eq!(parse_decimal(".5", 2), Ok(50));
        assert_eq!(parse_decimal("-3", 0), Ok(-3));
        assert_eq!(
            parse_decimal("1.005", 2),
            Err(DecimalError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            parse_decimal("1.5", 0),
            Err(DecimalError::TooManyDecimals { allowed: 0 })
        );
        assert_eq!(parse_decimal("约10", 0), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal("", 0), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal(".", 0), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal("1e3", 0), Err(DecimalError::NotANumber));
        assert_eq!(
            parse_decimal("99999999999999999999", 0),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn formats_two_decimals() {
        assert_eq!(format_amount(2114795), "21147.95");
        assert_eq!(format_amount(5), "0.05");
        assert_eq!(format_amount(-5), "-0.05");
        assert_eq!(format_amount(0), "0.00");
    }
}
