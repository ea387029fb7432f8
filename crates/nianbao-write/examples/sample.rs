//! Writes the annotated return and the combined workbook of the test case in
//! `tests/output/sample.rs` (a unit with planted errors, checked with last year's values) into a
//! folder, to look at them: `cargo run -p nianbao-write --example sample -- /tmp/nianbao-sample`.

#[allow(dead_code)]
#[path = "../tests/output/sample.rs"]
mod sample;

use std::path::PathBuf;

use nianbao_format::{Coverage, FIELD_COUNT, Lang, Report, UnitViolation};
use nianbao_write::{WriteOptions, annotated_file_name, annotated_return, workbook_bytes};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "nianbao-sample".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let case = sample::case();
    for v in &case.violations {
        println!("{} {:?}\n  {}", v.rule, v.severity, v.message.zh);
    }
    let mut unit = case.unit.clone();
    let readings = unit.readings.clone().unwrap_or_default();
    let mut totals = vec![0; FIELD_COUNT];
    for (t, r) in totals.iter_mut().zip(&readings) {
        *t = r.value.unwrap_or(0);
    }
    unit.in_totals = false;
    let report = Report {
        year: Some(2022),
        units: vec![unit.clone()],
        totals,
        violations: case
            .violations
            .iter()
            .map(|v| UnitViolation {
                unit: unit.unit.clone(),
                file: unit.files.first().cloned(),
                violation: v.clone(),
            })
            .collect(),
        files: vec![],
        coverage: Coverage {
            expected: 1,
            received: 1,
            in_totals: 0,
            missing: vec![],
        },
        waivers: Default::default(),
    };
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let opts = WriteOptions {
            lang,
            year: Some(2022),
            ..WriteOptions::default()
        };
        let annotated = dir.join(format!("{tag}_{}", annotated_file_name(&unit)));
        std::fs::write(
            &annotated,
            annotated_return(&unit, &case.violations, &opts)?,
        )?;
        let combined = dir.join(format!("{tag}_汇总.xlsx"));
        std::fs::write(&combined, workbook_bytes(&report, &opts)?)?;
        println!("{}\n{}", annotated.display(), combined.display());
    }
    Ok(())
}
