//! The JSON report: the same facts as the workbook, for machines. Counts are integers,
//! `t2.fees.amount` is a decimal string with two decimals, unreadable values are `null`, and
//! field ids come in canonical order.

use nianbao_format::{
    FileEntry, Kind, Lang, Report, UnitEntry, UnitViolation, Waiver, fields, format_amount,
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::WriteOptions;

/// A stored value as JSON: an integer count, an amount string ("21147.95"), or null.
fn value_json(kind: Kind, v: Option<i64>) -> Value {
    match (kind, v) {
        (_, None) => Value::Null,
        (Kind::Count, Some(v)) => json!(v),
        (Kind::Amount, Some(v)) => json!(format_amount(v)),
    }
}

/// A stored value as it is serialised: what [`value_json`] gives, without a `Value`.
struct FieldValue(Kind, Option<i64>);

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.0, self.1) {
            (_, None) => s.serialize_none(),
            (Kind::Count, Some(v)) => s.serialize_i64(v),
            (Kind::Amount, Some(v)) => s.serialize_str(&format_amount(v)),
        }
    }
}

/// All 200 fields in canonical order, each from `get(index)`, serialised as they are read:
/// no map of 200 keys built per unit (10,000 units: 2 million entries).
struct FieldMap<F>(F);

impl<F: Fn(usize) -> Option<i64>> Serialize for FieldMap<F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(fields().len()))?;
        for f in fields() {
            m.serialize_entry(&f.id, &FieldValue(f.kind, (self.0)(f.index)))?;
        }
        m.end()
    }
}

fn violation_json(uv: &UnitViolation, lang: Lang) -> Value {
    let v = &uv.violation;
    json!({
        "unit": uv.unit,
        "file": uv.file,
        "rule": v.rule,
        "severity": v.severity.as_str(),
        "fields": v.fields,
        "cells": v.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "expected": v.expected,
        "actual": v.actual,
        "message": v.message.get(lang),
        "suspects": v.suspects.iter().map(|s| json!({
            "cell": s.cell.as_ref().map(|c| c.to_string()),
            "field": s.field,
            "value": value_json(s.kind(), Some(s.value)),
            "suggested": value_json(s.kind(), Some(s.suggested)),
        })).collect::<Vec<_>>(),
        "suspects_tied": v.suspects_tied,
        "from_units": v.from_units.iter().map(|u| {
            let kind = v.fields.first().map_or(Kind::Count, |f| fields()[f.index].kind);
            json!({"unit": u.unit, "diff": value_json(kind, Some(u.diff))})
        }).collect::<Vec<_>>(),
        "waived": v.waived.as_ref().map(|w| json!({"reason": w.reason, "expires": w.expires})),
        "year_on_year": v.year_on_year.as_ref().map(|y| {
            let kind = nianbao_format::field_index(&y.field).map_or(Kind::Count, |i| fields()[i].kind);
            json!({
                "field": y.field,
                "this_year": value_json(kind, Some(y.this_year)),
                "last_year": value_json(kind, Some(y.last_year)),
            })
        }),
    })
}

fn file_json(f: &FileEntry, lang: Lang) -> Value {
    json!({
        "file": f.file,
        "status": f.status.as_str(),
        "unit": f.unit,
        "error": f.error.as_ref().map(|m| m.get(lang)),
    })
}

/// Writes the JSON report (pretty-printed, keys in their documented order: docs/json-report.md)
/// as it goes, without building it in memory: serde_json's pretty print of the report, byte for
/// byte (a test holds it to that). The units, two million values at 10,000 units, are written
/// by `write_unit` rather than through serde's formatter, which spent most of the report's time
/// on them; the rest is serde's, element by element, indented to its depth.
pub fn write_json_report(
    report: &Report,
    opts: &WriteOptions,
    mut out: impl std::io::Write,
) -> serde_json::Result<()> {
    let lang = opts.lang;
    let c = &report.coverage;
    let io = serde_json::Error::io;
    out.write_all(b"{\n  \"year\": ").map_err(io)?;
    pretty_at(&mut out, &report.year, 1)?;
    out.write_all(b",\n  \"coverage\": ").map_err(io)?;
    let coverage = json!({
        "expected": c.expected,
        "received": c.received,
        "in_totals": c.in_totals,
        "missing": c.missing,
        "label": c.label(lang),
    });
    pretty_at(&mut out, &coverage, 1)?;
    out.write_all(b",\n  \"units\": ").map_err(io)?;
    let keys = FieldKeys::new();
    let mut buf = Vec::with_capacity(16 * 1024);
    list(&mut out, &report.units, |out, u| {
        buf.clear();
        write_unit(&mut buf, u, lang, &keys);
        out.write_all(&buf).map_err(io)
    })?;
    out.write_all(b",\n  \"totals\": ").map_err(io)?;
    pretty_at(&mut out, &FieldMap(|i| report.totals.get(i).copied()), 1)?;
    out.write_all(b",\n  \"violations\": ").map_err(io)?;
    list(&mut out, &report.violations, |out, v| {
        out.write_all(b"    ").map_err(io)?;
        pretty_at(out, &violation_json(v, lang), 2)
    })?;
    out.write_all(b",\n  \"files\": ").map_err(io)?;
    list(&mut out, &report.files, |out, f| {
        out.write_all(b"    ").map_err(io)?;
        pretty_at(out, &file_json(f, lang), 2)
    })?;
    out.write_all(b",\n  \"waivers\": ").map_err(io)?;
    let waivers = json!({
        "applied": report.waivers.applied.iter().map(waiver_json).collect::<Vec<_>>(),
        "expired": report.waivers.expired.iter().map(waiver_json).collect::<Vec<_>>(),
        "unused": report.waivers.unused.iter().map(waiver_json).collect::<Vec<_>>(),
    });
    pretty_at(&mut out, &waivers, 1)?;
    if let Some(changes) = &opts.changes {
        out.write_all(b",\n  \"changes\": ").map_err(io)?;
        pretty_at(&mut out, &changes_json(changes), 1)?;
    }
    out.write_all(b"\n}").map_err(io)
}

/// A value pretty-printed as serde_json prints it `depth` levels down: its lines after the
/// first indented by two spaces a level.
fn pretty_at(
    out: &mut impl std::io::Write,
    value: &impl Serialize,
    depth: usize,
) -> serde_json::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let indent = &b"        "[..2 * depth.min(4)];
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first).map_err(serde_json::Error::io)?;
    }
    for line in lines {
        out.write_all(b"\n").map_err(serde_json::Error::io)?;
        out.write_all(indent).map_err(serde_json::Error::io)?;
        out.write_all(line).map_err(serde_json::Error::io)?;
    }
    Ok(())
}

/// A top-level list: `[]`, or its elements one a line, each written (indentation included) by
/// `element`.
fn list<W: std::io::Write, T>(
    out: &mut W,
    items: &[T],
    mut element: impl FnMut(&mut W, &T) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    let io = serde_json::Error::io;
    if items.is_empty() {
        return out.write_all(b"[]").map_err(io);
    }
    out.write_all(b"[").map_err(io)?;
    for (k, item) in items.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        element(out, item)?;
    }
    out.write_all(b"\n  ]").map_err(io)
}

/// `\n        "t2.regulations.made": ` for every field: the keys of a unit's `"values"`,
/// escaped and indented once.
struct FieldKeys(Vec<Vec<u8>>);

impl FieldKeys {
    fn new() -> FieldKeys {
        FieldKeys(
            fields()
                .iter()
                .map(|f| {
                    let mut k = b"\n        ".to_vec();
                    // A field id is ASCII without quotes or escapes; serde escapes it anyway.
                    serde_json::to_writer(&mut k, &f.id).expect("a string serialises");
                    k.extend_from_slice(b": ");
                    k
                })
                .collect(),
        )
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn string(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("a string serialises into memory");
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

fn integer(buf: &mut Vec<u8>, v: i64) {
    let _ = std::io::Write::write_fmt(buf, format_args!("{v}"));
}

/// One element of `"units"`, four spaces in: what serde_json pretty-prints for [`UnitJson`].
fn write_unit(buf: &mut Vec<u8>, u: &UnitEntry, lang: Lang, keys: &FieldKeys) {
    buf.extend_from_slice(b"    {\n      \"unit\": ");
    string(buf, &u.unit);
    buf.extend_from_slice(b",\n      \"name\": ");
    string(buf, &u.name);
    buf.extend_from_slice(b",\n      \"kind\": ");
    opt_string(buf, u.kind.as_deref());
    buf.extend_from_slice(b",\n      \"file\": ");
    opt_string(buf, u.files.first().map(String::as_str));
    buf.extend_from_slice(b",\n      \"files\": ");
    if u.files.is_empty() {
        buf.extend_from_slice(b"[]");
    } else {
        buf.push(b'[');
        for (k, f) in u.files.iter().enumerate() {
            buf.extend_from_slice(if k == 0 {
                b"\n        "
            } else {
                b",\n        "
            });
            string(buf, f);
        }
        buf.extend_from_slice(b"\n      ]");
    }
    buf.extend_from_slice(b",\n      \"status\": ");
    string(buf, u.status.as_str());
    buf.extend_from_slice(b",\n      \"in_totals\": ");
    buf.extend_from_slice(if u.in_totals { b"true" } else { b"false" });
    for (key, n) in [
        (&b",\n      \"errors\": "[..], u.errors),
        (b",\n      \"warnings\": ", u.warnings),
        (b",\n      \"blanks\": ", u.blanks),
    ] {
        buf.extend_from_slice(key);
        integer(buf, n as i64);
    }
    buf.extend_from_slice(b",\n      \"values\": ");
    if u.was_read() {
        buf.push(b'{');
        for (f, key) in fields().iter().zip(&keys.0) {
            if f.index > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(key);
            match (f.kind, u.value(f.index)) {
                (_, None) => buf.extend_from_slice(b"null"),
                (Kind::Count, Some(v)) => integer(buf, v),
                (Kind::Amount, Some(v)) => string(buf, &format_amount(v)),
            }
        }
        buf.extend_from_slice(b"\n      }");
    } else {
        buf.extend_from_slice(b"null");
    }
    buf.extend_from_slice(b",\n      \"note\": ");
    opt_string(buf, u.note.as_ref().map(|n| n.get(lang)));
    buf.extend_from_slice(b"\n    }");
}

/// The JSON report as a serde_json::Value: what [`write_json_report`] writes, read back.
pub fn json_report(report: &Report, opts: &WriteOptions) -> Value {
    let mut bytes = Vec::new();
    match write_json_report(report, opts, &mut bytes) {
        Ok(()) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

/// A line of the waiver file.
fn waiver_json(w: &Waiver) -> Value {
    json!({
        "line": w.line,
        "unit": w.unit,
        "rule": w.rule,
        "reason": w.reason,
        "expires": w.expires,
    })
}

/// `"changes"` (`nianbao run` only): what moved since the last run; totals in the fields' form.
fn changes_json(c: &nianbao_format::Changes) -> Value {
    let total = |t: &nianbao_format::TotalChange| {
        let kind = nianbao_format::field_index(&t.field).map_or(Kind::Count, |i| fields()[i].kind);
        json!({"field": t.field, "from": value_json(kind, Some(t.from)), "to": value_json(kind, Some(t.to))})
    };
    json!({
        "since": c.since,
        "new_units": c.new_units,
        "refiled_units": c.refiled_units,
        "withdrawn_units": c.withdrawn_units,
        "status_changed": c.status_changed.iter()
            .map(|s| json!({"unit": s.unit, "from": s.from, "to": s.to}))
            .collect::<Vec<_>>(),
        "totals_changed": c.totals_changed.iter().map(total).collect::<Vec<_>>(),
        "set_aside_units": c.set_aside_units,
    })
}
