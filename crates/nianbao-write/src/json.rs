//! The JSON report: the same facts as the workbook, for machines. Counts are integers,
//! `t2.fees.amount` is a decimal string with two decimals, unreadable values are `null`, and
//! field ids come in canonical order.

use nianbao_format::{
    FileEntry, Kind, Lang, Report, UnitEntry, UnitViolation, Waiver, fields, format_amount,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
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

/// A unit of `"units"`, serialised field by field (the same keys, order and values as a
/// `json!` object, without building one).
struct UnitJson<'a> {
    u: &'a UnitEntry,
    lang: Lang,
}

impl Serialize for UnitJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.u;
        let mut m = s.serialize_map(Some(12))?;
        m.serialize_entry("unit", &u.unit)?;
        m.serialize_entry("name", &u.name)?;
        m.serialize_entry("kind", &u.kind)?;
        m.serialize_entry("file", &u.files.first())?;
        m.serialize_entry("files", &u.files)?;
        m.serialize_entry("status", u.status.as_str())?;
        m.serialize_entry("in_totals", &u.in_totals)?;
        m.serialize_entry("errors", &u.errors)?;
        m.serialize_entry("warnings", &u.warnings)?;
        m.serialize_entry("blanks", &u.blanks)?;
        if u.was_read() {
            m.serialize_entry("values", &FieldMap(|i| u.value(i)))?;
        } else {
            m.serialize_entry("values", &None::<()>)?;
        }
        m.serialize_entry("note", &u.note.as_ref().map(|n| n.get(self.lang)))?;
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

/// A list serialised one element at a time: each element's JSON exists only while it is
/// written, so a report of 10,000 units is never a tree in memory.
struct Each<'a, T, F> {
    items: &'a [T],
    json: F,
}

impl<'a, T, J: Serialize, F: Fn(&'a T) -> J> Serialize for Each<'a, T, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for item in self.items {
            seq.serialize_element(&(self.json)(item))?;
        }
        seq.end()
    }
}

/// The report in the JSON schema (docs/json-report.md), keys in their documented order.
struct JsonReport<'a> {
    report: &'a Report,
    opts: &'a WriteOptions,
}

impl<'r> Serialize for JsonReport<'r> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (report, opts, lang) = (self.report, self.opts, self.opts.lang);
        let c = &report.coverage;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("year", &report.year)?;
        m.serialize_entry(
            "coverage",
            &json!({
                "expected": c.expected,
                "received": c.received,
                "in_totals": c.in_totals,
                "missing": c.missing,
                "label": c.label(lang),
            }),
        )?;
        let unit = move |u: &'r UnitEntry| UnitJson { u, lang };
        m.serialize_entry(
            "units",
            &Each {
                items: &report.units,
                json: unit,
            },
        )?;
        m.serialize_entry("totals", &FieldMap(|i| report.totals.get(i).copied()))?;
        let violation = move |v: &'r UnitViolation| violation_json(v, lang);
        m.serialize_entry(
            "violations",
            &Each {
                items: &report.violations,
                json: violation,
            },
        )?;
        let file = move |f: &'r FileEntry| file_json(f, lang);
        m.serialize_entry(
            "files",
            &Each {
                items: &report.files,
                json: file,
            },
        )?;
        m.serialize_entry(
            "waivers",
            &json!({
                "applied": report.waivers.applied.iter().map(waiver_json).collect::<Vec<_>>(),
                "expired": report.waivers.expired.iter().map(waiver_json).collect::<Vec<_>>(),
                "unused": report.waivers.unused.iter().map(waiver_json).collect::<Vec<_>>(),
            }),
        )?;
        if let Some(changes) = &opts.changes {
            m.serialize_entry("changes", &changes_json(changes))?;
        }
        m.end()
    }
}

/// Writes the JSON report (pretty-printed) as it goes, without building it in memory.
pub fn write_json_report(
    report: &Report,
    opts: &WriteOptions,
    out: impl std::io::Write,
) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(out, &JsonReport { report, opts })
}

/// The JSON report as a serde_json::Value (what [`write_json_report`] writes).
pub fn json_report(report: &Report, opts: &WriteOptions) -> Value {
    serde_json::to_value(JsonReport { report, opts }).unwrap_or(Value::Null)
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
    })
}
