//! The reader on every messy and bad return the fixture generator wrote
//! (`scripts/gen_bad_fixtures.py`), in process and driven by the fixtures' own `expected.csv`:
//! every value each return was written with comes out of it exactly, and a value the manifest
//! leaves empty comes out unreadable (None) with a problem naming its cell. The binary-level
//! tests (`tests/messy.rs`) keep the exit codes, the roster and the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use nianbao_format::{Kind, fields, parse_decimal};

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(dir)
}

/// (file, expected values in canonical field order; None where the value must be unreadable).
fn expected(dir: &str) -> Vec<(String, Vec<Option<i64>>)> {
    let text = std::fs::read_to_string(fixtures(dir).join("expected.csv")).expect("expected.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "file");
    let ids: Vec<&str> = header[2..].to_vec();
    let canonical: Vec<&str> = fields().iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids, canonical,
        "expected.csv columns are the field ids in order"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            let values = cols[2..]
                .iter()
                .zip(fields())
                .map(|(v, f)| {
                    if v.is_empty() {
                        None
                    } else {
                        let decimals = if f.kind == Kind::Amount { 2 } else { 0 };
                        Some(parse_decimal(v, decimals).expect("a number"))
                    }
                })
                .collect();
            (cols[0].to_string(), values)
        })
        .collect()
}

fn reads_as_written(dir: &str) -> usize {
    let mut checked = 0;
    for (file, want) in expected(dir) {
        let path = fixtures(dir).join(&file);
        let ret = match nianbao_read::read_path(&path) {
            Ok(r) => r,
            // Files that fail whole are listed with an empty row of values.
            Err(e) => {
                assert!(want.iter().all(Option::is_none), "{file}: {}", e.message.zh);
                continue;
            }
        };
        assert_eq!(ret.readings.len(), want.len(), "{file}");
        for ((r, w), f) in ret.readings.iter().zip(&want).zip(fields()) {
            match w {
                // A blank cell reads as a blank 0; a total left blank is filled from its parts
                // later, by the rules, so the manifest may hold the sum there.
                Some(_) if r.blank => assert_eq!(r.value, Some(0), "{file} {}", f.id),
                Some(v) => assert_eq!(r.value, Some(*v), "{file} {}", f.id),
                None => {
                    assert_eq!(r.value, None, "{file} {}: must be unreadable", f.id);
                    let named = ret.problems.iter().any(|p| {
                        p.fields.iter().any(|x| x.index == f.index && !x.prior)
                            || r.cell.as_ref().is_some_and(|c| p.cells.contains(c))
                    });
                    assert!(named, "{file} {}: a problem names it", f.id);
                }
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn every_messy_return_reads_exactly_as_written() {
    assert_eq!(reads_as_written("messy"), 25);
}

#[test]
fn every_bad_return_reads_as_its_manifest_says() {
    assert!(reads_as_written("bad") >= 13);
}
