//! The per-unit DataFrame and its exact column sums.

use polars::prelude::*;

use nianbao_format::{FIELD_COUNT, UnitEntry, fields};

/// One row per unit that has readings; columns `unit`, `in_totals`, then one Int64 column per
/// field id (amounts in hundredths of 万元; null where a value could not be read).
pub fn unit_frame(units: &[UnitEntry]) -> PolarsResult<DataFrame> {
    let rows: Vec<&UnitEntry> = units.iter().filter(|u| u.was_read()).collect();
    let mut columns: Vec<Column> = Vec::with_capacity(FIELD_COUNT + 2);
    columns.push(Column::new(
        "unit".into(),
        rows.iter().map(|u| u.unit.as_str()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "in_totals".into(),
        rows.iter().map(|u| u.in_totals).collect::<Vec<_>>(),
    ));
    for f in fields() {
        let values: Vec<Option<i64>> = rows.iter().map(|u| u.value(f.index)).collect();
        columns.push(Column::new(f.id.as_str().into(), values));
    }
    DataFrame::new(rows.len(), columns)
}

/// The district totals of `units`: every field summed over the units in the totals, in polars,
/// one column at a time. The same sums as [`column_totals`] of [`unit_frame`], without holding
/// the whole frame beside the units' values (16 MB more at 10,000 units, the run's peak).
pub fn unit_totals(units: &[UnitEntry]) -> PolarsResult<Vec<i64>> {
    let rows: Vec<&UnitEntry> = units.iter().filter(|u| u.was_read()).collect();
    let mask =
        BooleanChunked::from_iter_values("in_totals".into(), rows.iter().map(|u| u.in_totals));
    fields()
        .iter()
        .map(|f| {
            let column: Int64Chunked = rows.iter().map(|u| u.value(f.index)).collect();
            Ok(column.filter(&mask)?.sum().unwrap_or(0))
        })
        .collect()
}

/// Sums every field column over the rows marked `in_totals`. Values are capped at 10^12 when
/// read, so no sum over fewer than a million units can overflow i64.
pub fn column_totals(frame: &DataFrame) -> PolarsResult<Vec<i64>> {
    if frame.width() == 0 {
        return Ok(vec![0; FIELD_COUNT]);
    }
    let mask = frame.column("in_totals")?.bool()?.clone();
    // Column by column: one column's rows in the totals at a time, not a copy of the frame
    // (16 MB at 10,000 units).
    fields()
        .iter()
        .map(|f| {
            Ok(frame
                .column(&f.id)?
                .i64()?
                .filter(&mask)?
                .sum()
                .unwrap_or(0))
        })
        .collect()
}
