//! The unit × field frame for analysts, written as Parquet or CSV by polars.

use std::io::Write;

use polars::prelude::*;

use nianbao_format::{FIELD_COUNT, Kind, UnitEntry, fields};

/// Digits of the 万元 decimal column: values are capped at 10^12 when read (hundredths), so 18
/// digits hold any of them with room to spare.
const AMOUNT_PRECISION: usize = 18;
const AMOUNT_SCALE: usize = 2;

/// One row per unit of the report (roster order: filed, missing, duplicate and unknown alike):
/// `code`, `name`, `kind`, `status` (the JSON report's status id), `year`, `in_totals`, then one
/// column per field id in canonical order — Int64 counts, the 万元 amount as Decimal(18, 2) —
/// null where the unit has no value (not filed, or the cell could not be read).
pub fn analyst_frame(units: &[UnitEntry], year: Option<i32>) -> PolarsResult<DataFrame> {
    let mut columns: Vec<Column> = Vec::with_capacity(FIELD_COUNT + 6);
    columns.push(Column::new(
        "code".into(),
        units.iter().map(|u| u.unit.as_str()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "name".into(),
        units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "kind".into(),
        units.iter().map(|u| u.kind.as_deref()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "status".into(),
        units.iter().map(|u| u.status.as_str()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new("year".into(), vec![year; units.len()]));
    columns.push(Column::new(
        "in_totals".into(),
        units.iter().map(|u| u.in_totals).collect::<Vec<_>>(),
    ));
    for f in fields() {
        let values: Vec<Option<i64>> = units.iter().map(|u| u.value(f.index)).collect();
        let column = if f.kind == Kind::Amount {
            let hundredths: Int128Chunked = values
                .iter()
                .map(|v| v.map(i128::from))
                .collect::<Int128Chunked>()
                .with_name(f.id.as_str().into());
            hundredths
                .into_decimal(AMOUNT_PRECISION, AMOUNT_SCALE)?
                .into_series()
                .into_column()
        } else {
            Column::new(f.id.as_str().into(), values)
        };
        columns.push(column);
    }
    DataFrame::new(units.len(), columns)
}

/// The file formats the frame is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameFormat {
    /// Parquet (zstd-compressed, with column statistics).
    Parquet,
    /// CSV: UTF-8 with a byte-order mark (so that Excel on a Chinese Windows shows the names),
    /// a header of column names, empty cells for nulls, amounts as `12.50`.
    Csv,
}

/// A frame that could not be built or written (polars' message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ExportError(String);

/// Builds the [`analyst_frame`] of `units` and writes it to `out` in `format`.
pub fn write_frame(
    units: &[UnitEntry],
    year: Option<i32>,
    format: FrameFormat,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let failed = |e: PolarsError| ExportError(e.to_string());
    let mut frame = analyst_frame(units, year).map_err(failed)?;
    match format {
        FrameFormat::Parquet => ParquetWriter::new(out)
            .finish(&mut frame)
            .map(drop)
            .map_err(failed),
        FrameFormat::Csv => CsvWriter::new(out)
            .include_bom(true)
            .include_header(true)
            .finish(&mut frame)
            .map_err(failed),
    }
}
