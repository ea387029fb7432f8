//! Checks the counts an .xlsx declares before calamine reads it (only files the lean reader
//! declined get there). calamine 0.38 reserves room for the shared strings' `uniqueCount` and
//! for a shared formula's index `si` as declared: `uniqueCount="100000000000000"` in a 3 KB part
//! is a 2.4 PB allocation, which fails and aborts the process — every return of the run lost,
//! not just this file. A count no part of that size could mean is refused as corrupt XML.

use std::io::{Read, Seek};

use memchr::memmem;

use crate::load::{LoadError, MAX_CELLS, MAX_UNZIPPED};

/// Refuses an .xlsx one of whose XML parts declares more shared strings than both its own
/// length allows (an `<si/>` takes 5 bytes) and a return can use (`MAX_CELLS`), or a
/// shared-formula index beyond its length (an index is below the number of formulas). Anything
/// calamine refuses anyway passes, to get its own error. The archive is the one `check_zip`
/// opened and bounded.
pub fn check_xlsx<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(), LoadError> {
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else {
            continue;
        };
        let Ok(name) = entry.name().map(|n| n.to_string()) else {
            continue;
        };
        if !name.to_ascii_lowercase().ends_with(".xml") {
            continue;
        }
        let mut xml = Vec::new();
        if entry
            .take(MAX_UNZIPPED as u64)
            .read_to_end(&mut xml)
            .is_err()
        {
            continue;
        }
        let len = xml.len() as u128;
        // A wrong count within what a return can hold is harmless (some writers put the count
        // of references there): only counts no file of this size could mean are refused.
        let strings = (len / 5 + 1).max(MAX_CELLS as u128);
        for (attr, most) in [("uniqueCount", strings), ("si", len)] {
            if let Some(n) = largest(&xml, attr)
                && n > most
            {
                return Err(LoadError::Corrupt(format!(
                    "{name} declares {attr}=\"{n}\" in {len} bytes of XML"
                )));
            }
        }
    }
    Ok(())
}

/// The largest value of attribute `attr` in `xml` (digits only; saturating).
fn largest(xml: &[u8], attr: &str) -> Option<u128> {
    let mut best = None;
    for quote in [b'"', b'\''] {
        let needle = [b" ", attr.as_bytes(), b"=", &[quote]].concat();
        for at in memmem::find_iter(xml, &needle) {
            let digits = xml[at + needle.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0u128, |n, d| {
                    n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
                });
            best = best.max(Some(digits));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::{check_xlsx, largest};
    use std::io::Write;

    fn archive(sst: &str) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(sst.as_bytes()).unwrap();
        zip::ZipArchive::new(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn only_counts_no_file_could_mean_are_refused() {
        // A writer that puts the count of references in uniqueCount is wrong, not hostile.
        let sst = r#"<sst count="60000" uniqueCount="60000"><si><t>合计</t></si></sst>"#;
        assert!(check_xlsx(&mut archive(sst)).is_ok());
        let sst = r#"<sst uniqueCount="100000000000000"><si><t>合计</t></si></sst>"#;
        assert!(check_xlsx(&mut archive(sst)).is_err());
    }

    #[test]
    fn finds_the_largest_declared_count() {
        let xml =
            br#"<sst count="3" uniqueCount='2'><f t="shared" si="0"/><f si="17" t="shared"/>"#;
        assert_eq!(largest(xml, "uniqueCount"), Some(2));
        assert_eq!(largest(xml, "si"), Some(17));
        assert_eq!(largest(b"<x nosi=\"9\"/>", "si"), None);
        assert_eq!(
            largest(
                b"<f si=\"999999999999999999999999999999999999999999\"/>",
                "si"
            ),
            Some(u128::MAX)
        );
    }
}
