//! A real workbook with one XML member replaced by the input (after its first byte, which picks
//! the member: ODS content.xml, or the xlsx sheet, shared strings or workbook part). Random
//! bytes almost never make a valid zip, so this is how calamine's XML readers and everything
//! after them (locating tables, formulas, values) get fuzzed through `read_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_fuzz::{ZIPPED_MEMBERS, ods_skeleton, xlsx_skeleton};
use nianbao_read::read_bytes;

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |data: &[u8]| {
        let Some((&pick, xml)) = data.split_first() else {
            return;
        };
        let (is_ods, member) = ZIPPED_MEMBERS[usize::from(pick) % ZIPPED_MEMBERS.len()];
        let skeleton = if is_ods { ods_skeleton() } else { xlsx_skeleton() };
        let bytes = skeleton.with(member, xml);
        if let Ok(r) = read_bytes(&bytes, skeleton.file_name) {
            assert_eq!(r.readings.len(), nianbao_format::FIELD_COUNT);
        }
    }
);
