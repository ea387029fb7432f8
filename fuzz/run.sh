#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (what `make fuzz` does). Stops at the first
# crash, hang (> 10 s) or memory blow-up (> 2 GiB), leaving the input in fuzz/artifacts/<target>/
# and exiting non-zero; FUZZ_KEEP_GOING=1 instead records every find and carries on (fork mode).
#
#   FUZZ_SECONDS=600 fuzz/run.sh                # all targets
#   FUZZ_SECONDS=60 fuzz/run.sh parse_text      # some
#
# Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags.
# Built without a sanitizer (the code is safe Rust; ASan only halves the speed), with debug
# assertions (overflow checks) on, as cargo-fuzz does by default.
set -euo pipefail
cd "$(dirname "$0")"
CARGO=${CARGO:-cargo}
SECONDS_EACH=${FUZZ_SECONDS:-300}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(read_bytes zipped_xml lean_xlsx from_grids parse_text published)

command -v cargo-fuzz >/dev/null || "$CARGO" install cargo-fuzz --version 0.13.2 --locked
./seed.sh

KEEP=()
if [ "${FUZZ_KEEP_GOING:-0}" != 0 ]; then
    KEEP=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
for t in "${TARGETS[@]}"; do
    DICT=()
    case "$t" in
    read_bytes | zipped_xml | lean_xlsx) DICT=(-dict=workbook.dict) ;;
    published) DICT=(-dict=published.dict) ;;
    esac
    echo "== fuzz $t for ${SECONDS_EACH}s"
    RUSTC_BOOTSTRAP=1 "$CARGO" fuzz run --sanitizer none "$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        "${DICT[@]}" "${KEEP[@]}"
done
