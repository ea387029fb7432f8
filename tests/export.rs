//! The unit × field frame for analysts (`--parquet`, `--csv`): read back with polars and
//! compared, unit by unit and field by field, with the JSON report of the same run.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use polars::prelude::*;
use serde_json::Value;

use crate::common::*;

/// A field's value in a frame as the JSON report writes it: counts as integers, the amount as a
/// two-decimal string; null as JSON null.
fn cell_as_json_text(column: &Column, row: usize) -> String {
    match column.get(row).unwrap() {
        AnyValue::Null => "null".into(),
        AnyValue::Int64(v) => v.to_string(),
        AnyValue::Decimal(v, _, scale) => {
            assert_eq!(scale, 2, "{}", column.name());
            let sign = if v < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
        }
        other => panic!("{}: unexpected {other:?}", column.name()),
    }
}

fn compare_with_report(frame: &DataFrame, report: &Value, what: &str) {
    let units = report["units"].as_array().unwrap();
    assert_eq!(frame.height(), units.len(), "{what}: one row per unit");
    assert_eq!(frame.width(), 6 + nianbao_format::FIELD_COUNT, "{what}");
    let text = |name: &str, row: usize| -> String {
        match frame.column(name).unwrap().get(row).unwrap() {
            AnyValue::String(s) => s.to_string(),
            AnyValue::StringOwned(s) => s.to_string(),
            AnyValue::Null => String::new(),
            other => other.to_string(),
        }
    };
    for (row, unit) in units.iter().enumerate() {
        assert_eq!(text("code", row), unit["unit"].as_str().unwrap(), "{what}");
        assert_eq!(text("name", row), unit["name"].as_str().unwrap(), "{what}");
        assert_eq!(
            text("status", row),
            unit["status"].as_str().unwrap(),
            "{what}"
        );
        assert_eq!(
            frame
                .column("year")
                .unwrap()
                .get(row)
                .unwrap()
                .extract::<i64>(),
            report["year"].as_i64(),
            "{what}"
        );
        assert_eq!(
            frame.column("in_totals").unwrap().get(row).unwrap(),
            AnyValue::Boolean(unit["in_totals"].as_bool().unwrap()),
            "{what}"
        );
        for f in nianbao_format::fields() {
            let expected = match &unit["values"] {
                Value::Null => "null".to_string(),
                values => json_text(&values[f.id.as_str()]),
            };
            let got = cell_as_json_text(frame.column(&f.id).unwrap(), row);
            assert_eq!(got, expected, "{what}: {} {}", text("code", row), f.id);
        }
    }
}

/// Sums a field column over the rows in the totals, as the JSON writes the total.
fn column_total(frame: &DataFrame, id: &str) -> String {
    let included = frame
        .filter(frame.column("in_totals").unwrap().bool().unwrap())
        .unwrap();
    let column = included.column(id).unwrap();
    match column.dtype() {
        DataType::Decimal(_, _) => {
            let cents: i128 = (0..column.len())
                .map(|i| match column.get(i).unwrap() {
                    AnyValue::Decimal(v, _, _) => v,
                    _ => 0,
                })
                .sum();
            format!("{}.{:02}", cents / 100, cents % 100)
        }
        _ => column.i64().unwrap().sum().unwrap_or(0).to_string(),
    }
}

#[test]
fn parquet_and_csv_hold_the_reports_units_and_add_up_to_its_totals() {
    let (dir, returns) = jinshan_copy("export");
    // A unit with errors (still in the frame, values and all) and a unit that did not file.
    plant_error(&returns);
    std::fs::remove_file(a_return(&returns, "xls")).unwrap();
    let (parquet, csv, report) = (dir.join("u.parquet"), dir.join("u.csv"), dir.join("r.json"));
    let o = run(&[
        "consolidate",
        s(&returns),
        "--roster",
        s(&dir.join("roster.csv")),
        "--out",
        s(&dir.join("o.xlsx")),
        "--json",
        s(&report),
        "--parquet",
        s(&parquet),
        "--csv",
        s(&csv),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&report);
    let statuses: Vec<&str> = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"errors") && statuses.contains(&"missing"));

    let from_parquet = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap();
    compare_with_report(&from_parquet, &report, "parquet");
    assert_eq!(
        from_parquet.column("t2.fees.amount").unwrap().dtype(),
        &DataType::Decimal(18, 2),
        "万元 is a decimal column, not a float"
    );
    for f in nianbao_format::fields() {
        assert_eq!(
            column_total(&from_parquet, &f.id),
            json_text(&report["totals"][f.id.as_str()]),
            "{}",
            f.id
        );
    }

    // CSV: UTF-8 with a BOM for Excel; read with the same schema as the Parquet file.
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let schema = from_parquet.schema().clone();
    let from_csv = CsvReadOptions::default()
        .with_schema(Some(schema))
        .into_reader_with_file_handle(std::io::Cursor::new(bytes[3..].to_vec()))
        .finish()
        .unwrap();
    compare_with_report(&from_csv, &report, "csv");
}

#[test]
fn a_workspace_writes_the_frame_where_its_configuration_says() {
    let (dir, returns) = jinshan_copy("export-ws");
    let ws = init_workspace("export-ws", None);
    for e in std::fs::read_dir(&returns).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, ws.join("returns").join(p.file_name().unwrap())).unwrap();
    }
    let config = ws.join("nianbao.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace("# parquet = ", "parquet = ");
    std::fs::write(&config, text).unwrap();
    let o = run(&["run", s(&ws), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let frame = ParquetReader::new(std::fs::File::open(ws.join("out/units.parquet")).unwrap())
        .finish()
        .unwrap();
    compare_with_report(&frame, &json(&ws.join("out/report.json")), "run");
    assert!(
        !ws.join("out/units.csv").exists(),
        "only what was asked for"
    );
    // A flag adds the CSV for this run.
    let extra = dir.join("extra.csv");
    let o = run(&["run", s(&ws), "-q", "--csv", s(&extra)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(Path::new(&extra).is_file(), "the CSV of --csv");
}
