//! Tells a workbook nianbao wrote itself (汇总.xlsx, 退回 files) by the custom document property
//! it carries, [`nianbao_format::GENERATED_PROPERTY`], whatever the file is called.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use nianbao_format::GENERATED_PROPERTY;

/// docProps/custom.xml is a few hundred bytes; more is not ours to read.
const MAX_CUSTOM_XML: u64 = 1 << 20;

/// The value of the nianbao marker property of an .xlsx, if it has one. Any bytes: a file that
/// is not a zip, has no custom properties or malformed ones simply has no marker.
pub fn generated_mark(bytes: &[u8]) -> Option<String> {
    in_archive(&mut zip::ZipArchive::new(Cursor::new(bytes)).ok()?)
}

/// [`generated_mark`] of a zip already open.
pub(crate) fn in_archive<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Option<String> {
    let entry = archive.by_name("docProps/custom.xml").ok()?;
    let mut xml = Vec::new();
    entry.take(MAX_CUSTOM_XML).read_to_end(&mut xml).ok()?;
    find_property(&xml)
}

/// The text of `<property name="nianbao-generated">…<vt:lpwstr>VALUE</vt:lpwstr></property>`.
fn find_property(xml: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "property" => {
                inside = e
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == "name" && a.value.as_ref() == GENERATED_PROPERTY);
            }
            Event::End(e) if e.local_name().as_ref() == "property" => inside = false,
            Event::Text(t) if inside => {
                let text = t.xml10_content();
                let text = text.trim();
                if !text.is_empty() {
                    return Some(text.to_string());
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_marker_among_other_properties() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Other"><vt:lpwstr>x</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="nianbao-generated"><vt:lpwstr>summary</vt:lpwstr></property></Properties>"#;
        assert_eq!(find_property(xml).as_deref(), Some("summary"));
        let other = br#"<Properties><property name="Other"><vt:lpwstr>summary</vt:lpwstr></property></Properties>"#;
        assert_eq!(find_property(other), None);
    }

    #[test]
    fn any_bytes_have_no_marker() {
        assert_eq!(generated_mark(b""), None);
        assert_eq!(generated_mark(b"PK\x03\x04garbage"), None);
        assert_eq!(
            find_property(b"<property name=\"nianbao-generated\"><unclosed"),
            None
        );
    }
}
