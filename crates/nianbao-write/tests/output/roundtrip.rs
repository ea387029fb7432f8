//! `全区汇总` is a return: `nianbao-read` must read the same 200 values back from the workbook.

use nianbao_format::{FEES_AMOUNT, FIELD_COUNT, Kind, Lang, fields};
use nianbao_write::{SHEET_SUMMARY, WriteOptions, workbook_bytes};

use crate::common::{district, totals_report, varied_totals};

fn read_back(totals: &[i64], bytes: &[u8]) {
    let ret = nianbao_read::read_bytes(bytes, "汇总.xlsx").expect("the workbook reads as a return");
    assert!(
        ret.problems.is_empty(),
        "reading back found problems: {:#?}",
        ret.problems
    );
    assert_eq!(ret.readings.len(), FIELD_COUNT);
    for f in fields() {
        let r = &ret.readings[f.index];
        assert_eq!(r.value, Some(totals[f.index]), "{} at {:?}", f.id, r.cell);
        assert!(!r.blank, "{} read as blank", f.id);
        let cell = r.cell.as_ref().expect("every value has a cell");
        assert_eq!(
            &*cell.sheet, SHEET_SUMMARY,
            "{} read from another sheet",
            f.id
        );
    }
    assert_eq!(ret.year, Some(2022));
}

#[test]
fn summary_sheet_reads_back_as_the_same_200_values() {
    for seed in 1..=4 {
        let totals = varied_totals(seed);
        assert!(totals.iter().all(|&v| v != 0));
        assert_eq!(totals[FEES_AMOUNT], 2_114_795);
        let bytes = workbook_bytes(&totals_report(totals.clone()), &WriteOptions::default())
            .expect("workbook");
        read_back(&totals, &bytes);
    }
}

#[test]
fn values_are_distinct_so_a_misplaced_cell_is_caught() {
    // With every total distinct, reading any value from a neighbour's cell fails the round trip.
    let totals: Vec<i64> = (0..FIELD_COUNT as i64).map(|i| 1000 + 7 * i).collect();
    let bytes =
        workbook_bytes(&totals_report(totals.clone()), &WriteOptions::default()).expect("workbook");
    read_back(&totals, &bytes);
}

#[test]
fn extreme_values_and_a_full_district_round_trip() {
    let mut report = district(9);
    // Zeros, large counts and amounts with trailing zero or single-digit hundredths.
    for f in fields() {
        report.totals[f.index] = match (f.kind, f.index % 4) {
            (Kind::Amount, _) => 5,
            (_, 0) => 0,
            (_, 1) => 123_456_789_012,
            (_, 2) => 1,
            _ => 10_000,
        };
    }
    for amount in [5, 2_114_790, 100, 99_999_999_999] {
        report.totals[FEES_AMOUNT] = amount;
        for lang in [Lang::Zh, Lang::En] {
            let opts = WriteOptions {
                lang,
                district: Some("金山区".into()),
                ..WriteOptions::default()
            };
            let bytes = workbook_bytes(&report, &opts).expect("workbook");
            read_back(&report.totals, &bytes);
        }
    }
}

#[test]
fn wrong_number_of_totals_is_an_error_not_a_panic() {
    let report = totals_report(vec![1; 3]);
    assert!(workbook_bytes(&report, &WriteOptions::default()).is_err());
}
