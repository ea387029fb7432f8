//! A published report: the first byte picks the form — an HTML page (after "<table>"), the
//! report's text (after the table labels that make it one), or a .docx whose word/document.xml
//! is the rest — read by `read_bytes` through the HTML tokenizer, the text realignment or the
//! Word reader, the grids laid out from spans, the labels located, the prose checked.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use nianbao_format::MAX_VALUE;
use nianbao_read::read_bytes;

/// A .docx holding `document` as word/document.xml (stored, so the XML is what is fuzzed).
fn docx(document: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    let _ = zip.start_file("[Content_Types].xml", opts);
    let _ = zip.write_all(b"<Types/>");
    let _ = zip.start_file("word/document.xml", opts);
    let _ = zip.write_all(document);
    let _ = zip.finish();
    out.into_inner()
}

fuzz_target!(
    init: nianbao_fuzz::install_panic_hook(),
    |data: &[u8]| {
        let Some((&pick, rest)) = data.split_first() else {
            return;
        };
        let (bytes, name) = match pick % 3 {
            0 => ([b"<table>".as_slice(), rest].concat(), "r.html"),
            1 => (
                ["自然人\t本年新收\t行政复议\n".as_bytes(), rest].concat(),
                "r.txt",
            ),
            _ => (docx(rest), "r.docx"),
        };
        if let Ok(ret) = read_bytes(&bytes, name) {
            for r in &ret.readings {
                if let Some(v) = r.value {
                    assert!((0..=MAX_VALUE).contains(&v), "value {v} out of range");
                }
            }
        }
    }
);
