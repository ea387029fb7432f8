//! The binary's allocator: mimalloc, and how soon it gives freed memory back to the system.

use std::os::raw::c_long;

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// mimalloc, not glibc's malloc: reading allocates small strings by the million on every core
/// (10 % less CPU and wall time at 10,000 returns; see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc's `mi_option_e` (the same in its versions 2 and 3;
/// libmimalloc-sys names no constant for it). The test below holds it to the option's default.
const PURGE_DELAY: mi_option_t = 15;

/// How long, in ms, freed memory stays with the process before it is given back. mimalloc 3
/// keeps it 1 s: reading frees as it goes, and a run of 10,000 returns (about a second of
/// reading) ended holding 62 MiB. With 10 ms it holds 51 MiB, in the same time (`make bench`'s
/// files, medians of 7 alternating runs: 1.165 s against 1.179 s; at 2,000 returns 28 against
/// 30 MiB). With 0 ms: 48 MiB, 3 % slower.
const PURGE_DELAY_MS: c_long = 10;

/// Sets the purge delay, unless MIMALLOC_PURGE_DELAY asks for another.
pub fn give_back_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        set(PURGE_DELAY, PURGE_DELAY_MS);
    }
}

#[allow(unsafe_code)]
fn set(option: mi_option_t, value: c_long) {
    // SAFETY: mi_option_set stores an integer in mimalloc's table of options (any option index
    // and value are accepted); nothing is passed by pointer.
    unsafe { mi_option_set(option, value) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    #[allow(unsafe_code)]
    fn get(option: mi_option_t) -> c_long {
        // SAFETY: as for `set`: reads an integer from the table of options.
        unsafe { mi_option_get(option) }
    }

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // mimalloc 3's default purge delay is 1000 ms, no other option's: the index is right.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(PURGE_DELAY), 1000);
        }
        set(PURGE_DELAY, PURGE_DELAY_MS);
        assert_eq!(get(PURGE_DELAY), PURGE_DELAY_MS);
    }
}
