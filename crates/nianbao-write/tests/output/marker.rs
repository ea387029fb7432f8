//! Every workbook nianbao writes says so in a custom document property (docProps/custom.xml), so
//! that it is never read again as a unit's return.

use std::io::{Cursor, Read};

use nianbao_format::{GENERATED_PROPERTY, GENERATED_SUMMARY, Lang, annotated_mark};
use nianbao_write::{WriteOptions, annotated_return, workbook_bytes};

use crate::common::district;

/// The value of the custom property `name`, read from the zip's docProps/custom.xml.
fn custom_property(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut part = zip.by_name("docProps/custom.xml").ok()?;
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("utf-8 xml");
    let start = xml.find(&format!("name=\"{name}\""))?;
    let rest = &xml[start..];
    let rest = &rest[..rest.find("</property>")?];
    let value = rest
        .split_once("<vt:lpwstr>")?
        .1
        .split_once("</vt:lpwstr>")?
        .0;
    Some(value.to_string())
}

#[test]
fn the_combined_workbook_is_marked_as_the_summary() {
    for lang in [Lang::Zh, Lang::En] {
        let opts = WriteOptions {
            lang,
            ..WriteOptions::default()
        };
        let bytes = workbook_bytes(&district(1), &opts).expect("workbook");
        assert_eq!(
            custom_property(&bytes, GENERATED_PROPERTY).as_deref(),
            Some(GENERATED_SUMMARY)
        );
    }
}

#[test]
fn the_annotated_return_is_marked_with_its_values() {
    let report = district(2);
    for unit in report.units.iter().filter(|u| u.readings.is_some()) {
        let readings = unit.readings.as_ref().expect("readings");
        let bytes = annotated_return(unit, &[], &WriteOptions::default()).expect("workbook");
        let mark = custom_property(&bytes, GENERATED_PROPERTY)
            .unwrap_or_else(|| panic!("{}: no marker", unit.unit));
        assert_eq!(mark, annotated_mark(readings));
        assert!(mark.starts_with("annotated;values="), "{mark}");
    }
    // Other values, another fingerprint (U04 has an unreadable value, U01 has none).
    let marks: std::collections::BTreeSet<String> = report
        .units
        .iter()
        .filter_map(|u| u.readings.as_ref())
        .map(|rs| annotated_mark(rs))
        .collect();
    assert_eq!(
        marks.len(),
        report.units.iter().filter(|u| u.readings.is_some()).count()
    );
}
