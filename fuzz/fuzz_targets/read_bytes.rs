//! Any bytes, as a file handed to the reader: `sniff` and `read_bytes` must return, never panic
//! (outside the third-party readers `read_bytes` guards), hang or use unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_read::{Format, read_bytes, sniff};

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |data: &[u8]| {
        let format = sniff(data);
        let result = read_bytes(data, "fuzz.xlsx");
        if let Ok(r) = &result {
            // A return only comes out of a workbook, with one reading per field of the format.
            assert!(matches!(r.format, Format::Xlsx | Format::Xls | Format::Ods));
            assert_eq!(r.format, format);
            assert_eq!(r.readings.len(), nianbao_format::FIELD_COUNT);
        }
    }
);
