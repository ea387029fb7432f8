//! The lean .xlsx reader against calamine on a real return with one part replaced by the input
//! (after its first byte, which picks the part: see `LEAN_MEMBERS`): wherever the lean reader
//! reads the file, calamine reads the same grids from it; where it refuses the file, calamine's
//! path refuses it the same way. A panic in the lean reader is a find (it is our code).
#![no_main]

use std::panic::{AssertUnwindSafe, catch_unwind};

use libfuzzer_sys::fuzz_target;
use nianbao_fuzz::{LEAN_MEMBERS, xlsx_skeleton};
use nianbao_read::xlsx_readers::{Outcome, calamine, lean};

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |data: &[u8]| {
        let Some((&pick, xml)) = data.split_first() else {
            return;
        };
        let member = LEAN_MEMBERS[usize::from(pick) % LEAN_MEMBERS.len()];
        let bytes = xlsx_skeleton().with(member, xml);
        let ours = lean(&bytes);
        if matches!(ours, Outcome::Declined(_)) {
            return;
        }
        // calamine may panic on hostile parts (read_bytes catches that); then there is nothing
        // to compare with.
        let Ok(theirs) = catch_unwind(AssertUnwindSafe(|| calamine(&bytes))) else {
            return;
        };
        match ours {
            Outcome::Read { grids, .. } => {
                if let Ok(theirs) = theirs {
                    assert_eq!(grids, theirs, "the readers differ");
                }
            }
            Outcome::Refused(e) => assert_eq!(theirs.err(), Some(e)),
            Outcome::Declined(_) => {}
        }
    }
);
