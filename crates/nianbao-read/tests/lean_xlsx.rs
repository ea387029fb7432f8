//! The lean .xlsx reader against calamine: wherever the lean reader reads a file, calamine reads
//! the same grids from it (cells, positions, values, dates, formula texts, sheet names, hidden
//! flags); where it refuses one, calamine's path refuses it the same way. Run on every .xlsx the
//! fixtures hold and on hand-written parts for each construct either reader meets; the fixtures'
//! returns and the constructs Excel, WPS and LibreOffice write must be read, not declined.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use nianbao_read::xlsx_readers::{Outcome, calamine, lean};
use nianbao_read::{Content, Format, Grid, sniff};

/// Holds the two readers to the same result on `bytes`; returns whether the lean one read it.
fn agree(what: &str, bytes: &[u8]) -> bool {
    match lean(bytes) {
        Outcome::Read { grids, .. } => {
            let theirs = calamine(bytes)
                .unwrap_or_else(|e| panic!("{what}: lean read it, calamine failed: {e:?}"));
            assert_eq!(grids, theirs, "{what}: the readers differ");
            true
        }
        Outcome::Refused(e) => {
            assert_eq!(calamine(bytes).err(), Some(e), "{what}");
            true
        }
        Outcome::Declined(_) => false,
    }
}

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            xlsx_files(&p, out);
        } else if let Ok(bytes) = std::fs::read(&p)
            && sniff(&bytes) == Format::Xlsx
        {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_reads_the_same_and_returns_are_never_declined() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    xlsx_files(&root.join("../../fixtures"), &mut files);
    xlsx_files(&root.join("tests/crashers"), &mut files);
    files.sort();
    assert!(files.len() > 30, "{} .xlsx files", files.len());
    let mut declined = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        if !agree(&f.display().to_string(), &bytes) {
            declined.push(f.clone());
        }
    }
    // Only broken or hostile files may be left to calamine.
    let left: Vec<_> = declined
        .iter()
        .filter(|f| {
            !f.to_string_lossy().contains("crashers") && !f.to_string_lossy().contains("/bad/")
        })
        .collect();
    assert!(left.is_empty(), "declined: {left:?}");
}

// ---- hand-written parts ----

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn zip(parts: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, text) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A workbook of one sheet `Sheet1` whose sheet data, shared strings and styles are given.
fn book(sheet_data: &str, strings: &[&str], styles: &str) -> Vec<u8> {
    let sst: String = strings.iter().map(|s| format!("<si>{s}</si>")).collect();
    zip(&[
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0"?><workbook {NS}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/sharedStrings.xml",
            format!(r#"<?xml version="1.0"?><sst {NS} count="1" uniqueCount="1">{sst}</sst>"#),
        ),
        (
            "xl/styles.xml",
            format!(r#"<?xml version="1.0"?><styleSheet {NS}>{styles}</styleSheet>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0"?><worksheet {NS}><dimension ref="A1:H20"/><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        ),
    ])
}

const STYLES: &str = r##"<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="#,##0.00_);[Red]\(#,##0.00\)"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><cellXfs count="5"><xf numFmtId="0" fontId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"><alignment horizontal="center"/></xf><xf/></cellXfs>"##;

fn lean_grid(bytes: &[u8]) -> Grid {
    match lean(bytes) {
        Outcome::Read { mut grids, .. } => grids.remove(0),
        other => panic!("{other:?}"),
    }
}

#[test]
fn what_excel_wps_and_libreoffice_write_is_read_as_calamine_reads_it() {
    let data = r#"<row r="1" spans="1:8"><c r="A1" t="s"><v>0</v></c><c r="B1" s="0"><v>12</v></c><c r="C1"><v>-3.25</v></c><c r="D1"><v>1.5E-3</v></c><c r="E1" t="b"><v>1</v></c><c r="F1" t="e"><v>#REF!</v></c><c r="G1" s="4"><v>7</v></c></row>
<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>44566</v></c><c r="C2" s="2"><v>44927.5</v></c><c r="D2" s="3"><v>8.5</v></c><c r="E2" s="9"><v>3</v></c></row>
<row r="3"><c r="A3" t="str"><f>A1&amp;"x"</f><v>a&amp;b &lt;c&gt;</v></c><c r="B3"><f>SUM(B1:B2)</f></c><c r="C3"><f>C1+C2</f><v>44924.25</v></c><c r="D3" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve"> 行政 </t></r><r><t>许可</t></r></is></c><c r="E3" t="inlineStr"><v>ignored</v><is><t>内联</t></is></c><c r="F3" t="d"><v>2022-01-05T00:00:00</v></c><c r="G3"><v/></c><c r="H3" t="s"/></row>
<row><c t="s"><v>2</v></c><c><v>5</v></c><c r="E4" t="s"><v>3</v></c><c><v>6</v></c></row>
<row r="7"/><row><c r="A8" t="s"><v>4</v></c><c r="B8" t="inlineStr"><is/></c></row>
<row r="9"><c r="A9" t="s"><v>5</v></c><c r="B9" t="s"><v>6</v></c><c r="C9" s=""><v>1</v></c></row>"#;
    let strings = [
        "<t>填报单位：测试&amp;单位</t>",
        "<t>  两边的空格被去掉  </t>",
        r#"<t xml:space="preserve">  保留  </t>"#,
        "<r><t>行政</t></r><r><rPr><sz val=\"9\"/></rPr><t>事业_x000D_性收费</t></r><rPh sb=\"0\" eb=\"2\"><t>ぎょうせい</t></rPh><phoneticPr fontId=\"1\"/>",
        "<t/>",
        "<t>行政&#10;事业&#x6027;收费&#10;</t>",
        "<t xml:space=\"preserve\">甲\r\n乙\r丙&#13;</t>",
    ];
    let bytes = book(data, &strings, STYLES);
    assert!(agree("constructs", &bytes), "declined");
    let g = lean_grid(&bytes);
    let at = |r, c| g.get(r, c).map(|c| c.content.clone());
    assert_eq!(at(0, 0), Some(Content::Text("填报单位：测试&单位".into())));
    assert_eq!(at(1, 0), Some(Content::Text("两边的空格被去掉".into())));
    assert_eq!(at(3, 0), Some(Content::Text("  保留  ".into())));
    assert_eq!(at(3, 4), Some(Content::Text("行政事业\r性收费".into())));
    assert_eq!(at(8, 0), Some(Content::Text("行政\n事业性收费".into())));
    assert_eq!(at(8, 1), Some(Content::Text("甲\n乙\n丙\r".into())));
    assert_eq!(at(8, 2), Some(Content::Float(1.0)));
    assert_eq!(at(1, 1), Some(Content::Date("2022-01-05".into())));
    assert_eq!(at(1, 2), Some(Content::Date("2023-01-01 12:00".into())));
    assert_eq!(at(1, 3), Some(Content::Float(8.5)));
    assert_eq!(at(2, 3), Some(Content::Text(" 行政 许可".into())));
    assert_eq!(at(2, 4), Some(Content::Text("内联".into())));
    assert_eq!(at(3, 1), Some(Content::Float(5.0)));
    assert_eq!(at(3, 5), Some(Content::Float(6.0)));
    assert_eq!(g.get(2, 1).unwrap().formula.as_deref(), Some("SUM(B1:B2)"));
    assert_eq!(at(2, 1), Some(Content::Empty));
}

#[test]
fn prefixed_names_single_quotes_and_other_layouts_are_read() {
    // A .NET writer's `x:` prefix, single-quoted attributes, the workbook outside xl/, an
    // absolute target, a hidden sheet and a chart sheet (skipped).
    let sheet = |body: &str| {
        format!(
            r#"<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{body}</x:sheetData></x:worksheet>"#
        )
    };
    let bytes = zip(&[
        (
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id='rId1' Type='{REL}/officeDocument' Target='/book/main.xml'/></Relationships>"#
            ),
        ),
        (
            "book/main.xml",
            format!(
                r#"<x:workbook xmlns:x="s" xmlns:r="{REL}"><x:sheets><x:sheet name="甲 &amp; 乙" sheetId="1" r:id="rId1"/><x:sheet name="图" sheetId="2" r:id="rId3"/><x:sheet name="旧表" sheetId="3" state="hidden" r:id="rId2"/></x:sheets></x:workbook>"#
            ),
        ),
        (
            "book/_rels/main.xml.rels",
            format!(
                r#"<Relationships><Relationship Id="rId1" Type="{REL}/worksheet" Target="/book/s/one.xml"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="s/two.xml"/><Relationship Id="rId3" Type="{REL}/chartsheet" Target="c/c1.xml"/></Relationships>"#
            ),
        ),
        (
            "book/sharedStrings.xml",
            r#"<x:sst xmlns:x="s"><x:si><x:t>合计</x:t></x:si></x:sst>"#.to_string(),
        ),
        (
            "book/s/one.xml",
            sheet(
                r#"<x:row x:r="1"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c r="C2"><x:v>4</x:v></x:c></x:row>"#,
            ),
        ),
        (
            "book/s/two.xml",
            sheet(r#"<x:row r="1"><x:c r="A1"><x:v>9</x:v></x:c></x:row>"#),
        ),
    ]);
    assert!(agree("layouts", &bytes), "declined");
    let Outcome::Read { grids, .. } = lean(&bytes) else {
        panic!()
    };
    let names: Vec<_> = grids.iter().map(|g| (&*g.sheet, g.hidden)).collect();
    assert_eq!(names, [("甲 & 乙", false), ("旧表", true)]);
}

#[test]
fn what_it_cannot_match_exactly_is_left_to_calamine() {
    for (what, data, strings) in [
        (
            "CDATA",
            r#"<row r="1"><c r="A1" t="str"><v><![CDATA[x]]></v></c></row>"#,
            vec![],
        ),
        (
            "unknown entity",
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
            vec!["<t>&nbsp;</t>"],
        ),
        (
            "style index",
            r#"<row r="1"><c r="A1" s="01"><v>5</v></c></row>"#,
            vec![],
        ),
        (
            "shared formula range",
            r#"<row r="1"><c r="A1"><f t="shared" ref="A1:" si="0">B1</f></c></row>"#,
            vec![],
        ),
        (
            "number spelling",
            r#"<row r="1"><c r="A1"><v>.5</v></c></row>"#,
            vec![],
        ),
        (
            "comment in a number",
            r#"<row r="1"><c r="A1"><v><!-- x -->5</v></c></row>"#,
            vec![],
        ),
        (
            "bad reference",
            r#"<row r="1"><c r="1A"><v>5</v></c></row>"#,
            vec![],
        ),
        (
            "missing string",
            r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#,
            vec![],
        ),
        (
            "unknown type",
            r#"<row r="1"><c r="A1" t="q"><v>7</v></c></row>"#,
            vec![],
        ),
    ] {
        let bytes = book(data, &strings, STYLES);
        assert!(
            matches!(lean(&bytes), Outcome::Declined(_)),
            "{what}: {:?}",
            lean(&bytes)
        );
        // And what calamine then gives is what nianbao reads.
        let _ = calamine(&bytes);
    }
}

#[test]
fn a_return_with_any_part_cut_short_is_read_the_same_or_declined() {
    // Every part of a real return cut at many points: never read differently.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/jinshan-2022");
    let mut files = Vec::new();
    xlsx_files(&root, &mut files);
    files.sort();
    let bytes = std::fs::read(&files[0]).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        parts.push((f.name().unwrap().to_string(), text));
    }
    let mut read = 0;
    for victim in 0..parts.len() {
        let len = parts[victim].1.len();
        for cut in (0..len).step_by(len / 40 + 1) {
            if !parts[victim].1.is_char_boundary(cut) {
                continue;
            }
            let mut cut_parts: Vec<(&str, String)> =
                parts.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
            cut_parts[victim].1.truncate(cut);
            if agree(
                &format!("{} cut at {cut}", parts[victim].0),
                &zip(&cut_parts),
            ) {
                read += 1;
            }
        }
    }
    assert!(read > 0);
}

#[test]
fn attributes_apart_by_any_ascii_whitespace_are_read_as_calamine_reads_them() {
    // Found by the lean_xlsx fuzz target: a form feed between attributes.
    let data = "<row r=\"1\"><c r=\"A1\" s=\"0\"\x0ct=\"s\"><v>0</v></c><c\tr=\"B1\"\r\n><v>3</v></c></row>";
    let bytes = book(data, &["<t>甲</t>"], STYLES);
    assert!(agree("form feed", &bytes), "declined");
    assert_eq!(
        lean_grid(&bytes).get(0, 0).map(|c| c.content.clone()),
        Some(Content::Text("甲".into()))
    );
}

#[test]
fn shared_formulas_are_expanded_as_calamine_expands_them() {
    // Excel writes a formula filled down once, at the anchor; the cells below carry its index.
    let data = r#"<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1+$C$1</f><v>3</v></c></row>
<row r="2"><c r="A2"><f t="shared" si="0"/><v>5</v></c></row>
<row r="3"><c r="A3"><f t="shared" si="0"/></c><c r="B3"><f t="shared" si="1"/></c></row>"#;
    let bytes = book(data, &[], STYLES);
    assert!(agree("shared formulas", &bytes), "declined");
    let g = lean_grid(&bytes);
    assert_eq!(g.get(2, 0).unwrap().formula.as_deref(), Some("B3+$C$1"));
    assert_eq!(g.get(1, 0).unwrap().formula.as_deref(), Some("B2+$C$1"));
    // A cell of a group whose anchor never came has no formula (and holds nothing).
    assert!(g.get(2, 1).is_none());
}
