//! Published reports read in process: the committed page, Word file and seed text give the same
//! 200 values whatever form they take (and whatever name a file has), and malformed pages and
//! Word files give a return or an error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use nianbao_read::{Format, read_bytes};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn values(bytes: &[u8], name: &str) -> Vec<i64> {
    let ret = read_bytes(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(ret.problems.is_empty(), "{name}: {:?}", ret.problems);
    ret.readings.iter().map(|r| r.value.unwrap()).collect()
}

#[test]
fn page_word_and_text_read_the_same() {
    let text = std::fs::read(fixture("seed/jinshan-2022-report.txt")).unwrap();
    let page = std::fs::read(fixture("published/jinshan-2022.html")).unwrap();
    let word = std::fs::read(fixture("published/jinshan-2022.docx")).unwrap();
    let seed = values(&text, "r.txt");
    assert_eq!(values(&page, "r.html"), seed);
    assert_eq!(values(&word, "r.docx"), seed);
    // Told by content, not name: an "xls" export that is an HTML table is read as one.
    assert_eq!(values(&page, "统计表.xls"), seed);
    let ret = read_bytes(&page, "x.xls").unwrap();
    assert_eq!(ret.format, Format::Html);
    assert_eq!(ret.generated.as_deref(), Some("published"));
    assert_eq!(ret.unit_name.as_deref(), Some("金山区"));
    assert_eq!(ret.year, Some(2022));
    // GB18030, as Windows saves text.
    let (gb, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(&text).unwrap());
    assert_eq!(values(&gb, "r.txt"), seed);
}

#[test]
fn a_table_3_cell_names_its_table_row_and_column() {
    let page = std::fs::read(fixture("published/jinshan-2022.html")).unwrap();
    let ret = read_bytes(&page, "r.html").unwrap();
    let idx = nianbao_format::field_index("t3.new.natural_person").unwrap();
    let cell = ret.readings[idx].cell.as_ref().unwrap();
    // Table 三 is the page's second table: three header rows, then 一、本年新收 in row 4, its
    // first value after three label columns.
    assert_eq!(cell.to_string(), "表格2!D4");
}

fn docx(document: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn malformed_pages_and_word_files_never_panic() {
    let pages = [
        "<table><tr><td colspan=999999999 rowspan=999999999>自然人</td></tr></table>",
        "<table><tr><td rowspan=0>行政复议<td colspan=-3>x</table></table></tr>",
        "<table><table><table><tr><td>自然人<table><tr><td>1",
        "<table><tr><td>&#xFFFFFFFF;&#0;&#x;&;&amp",
        "<table><tr><td a=\"unterminated>自然人</td></tr></table>",
        "<table <tr <td>>>>><<<<",
        "<table><script>",
        "<table><!--",
    ];
    for p in pages {
        let _ = read_bytes(p.as_bytes(), "x.html");
    }
    let words = [
        "<w:document><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"4294967295\"/></w:tcPr><w:p><w:r><w:t>自然人</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>",
        "<w:document><w:body><w:tbl><w:tr><w:trPr><w:gridBefore w:val=\"99999999\"/></w:trPr><w:tc><w:tcPr><w:vMerge/></w:tcPr></w:tc></w:tr>",
        "<w:document><w:tbl><w:tr><w:tc><w:t>&bogus;",
        "not xml at all <<<",
    ];
    for w in words {
        let _ = read_bytes(&docx(w), "x.docx");
    }
    // A Word file without the tables says so as before.
    let e = read_bytes(
        &docx("<w:document><w:body><w:p><w:r><w:t>说明</w:t></w:r></w:p></w:body></w:document>"),
        "x.docx",
    )
    .unwrap_err();
    assert!(e.message.zh.contains("Word"), "{e}");
}
