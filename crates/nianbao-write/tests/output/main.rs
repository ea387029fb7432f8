//! Integration tests of the writer: the summary sheet read back as a return, the JSON schema, the
//! per-unit sheet's formulas, the other sheets, and atomic writes.

mod atomic;
mod common;
mod json;
mod roundtrip;
mod workbook;
