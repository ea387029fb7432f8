//! Any text typed into a value cell, read as a count and as an amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_format::{Kind, MAX_VALUE};
use nianbao_read::{Content, Parsed, parse_content, parse_text};

fn check(p: &Parsed, what: &str) {
    if let Parsed::Value(v) = p {
        assert!(
            (0..=MAX_VALUE).contains(v),
            "{what}: value {v} out of range"
        );
    }
}

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |s: &str| {
        for kind in [Kind::Count, Kind::Amount] {
            let p = parse_text(s, kind);
            check(&p, s);
            // The same text in a text cell reads the same.
            assert_eq!(parse_content(&Content::Text(s.to_string()), kind), p);
            // Whatever float the text spells, as a numeric cell.
            if let Ok(f) = s.trim().parse::<f64>() {
                check(&parse_content(&Content::Float(f), kind), s);
            }
            if let Ok(i) = s.trim().parse::<i64>() {
                check(&parse_content(&Content::Int(i), kind), s);
            }
        }
        // A count is an amount without decimals: 12 → 12 and 1200 hundredths.
        if let (Parsed::Value(c), Parsed::Value(a)) =
            (parse_text(s, Kind::Count), parse_text(s, Kind::Amount))
        {
            assert_eq!(c.checked_mul(100), Some(a), "{s:?}");
        }
    }
);
