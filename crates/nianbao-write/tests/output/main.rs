//! Integration tests of the writer: the summary sheet read back as a return, the JSON schema, the
//! per-unit sheet's formulas, the other sheets, and the annotated return.

mod annotated;
mod common;
mod json;
mod marker;
mod relaid;
mod roundtrip;
mod sample;
mod template;
mod workbook;
