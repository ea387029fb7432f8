//! Helpers shared by the fuzz targets: a panic hook that tells our panics from the ones
//! `read_bytes` is allowed to catch, and in-memory workbooks built around one fuzzed member.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};
use std::sync::{Mutex, OnceLock};

/// Installs a panic hook (call it from the targets' `init:`), replacing libfuzzer-sys's one.
///
/// libfuzzer-sys's hook aborts on *every* panic, even one that `read_bytes` catches with
/// `catch_unwind`, which would make any panic inside calamine or zip a "crash". The contract is
/// narrower: a panic in a third-party reader is caught and turned into a `FileError` (fine,
/// but worth knowing: it is printed once per source location), while a panic anywhere else —
/// our own crates or the standard library called from them — is a bug and aborts, so libFuzzer
/// records the input.
///
/// `NIANBAO_FUZZ_STRICT=1` aborts on third-party panics too (to collect calamine bugs).
pub fn install_panic_hook() {
    let strict = std::env::var_os("NIANBAO_FUZZ_STRICT").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map(|l| l.file()).unwrap_or("");
        // Dependencies build from $CARGO_HOME/registry/src/… or …/git/checkouts/….
        let third_party = file.contains("/registry/src/") || file.contains("/git/checkouts/");
        if third_party && !strict {
            static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let seen = SEEN.get_or_init(|| Mutex::new(HashSet::new()));
            if let Ok(mut seen) = seen.lock() {
                if seen.insert(at) {
                    eprintln!("[nianbao-fuzz] third-party panic (caught by read_bytes): {info}");
                }
            }
            return;
        }
        eprintln!("[nianbao-fuzz] panic outside third-party code: {info}");
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
        std::process::abort();
    }));
}

/// A real workbook, unpacked once, whose members the `zipped_xml` target replaces.
pub struct Skeleton {
    /// Name to pass to `read_bytes` (the extension only matters for the year lookup).
    pub file_name: &'static str,
    members: Vec<(String, Vec<u8>)>,
}

impl Skeleton {
    fn unpack(file_name: &'static str, bytes: &[u8]) -> Skeleton {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("skeleton fixture is a zip");
        let mut members = Vec::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("skeleton member");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("skeleton member data");
            let name = f.name().expect("skeleton member name").into_owned();
            members.push((name, data));
        }
        Skeleton { file_name, members }
    }

    /// The workbook with `member` replaced by `data` (added if missing), stored uncompressed
    /// so that the fuzzed bytes reach calamine's XML parser as they are.
    pub fn with(&self, member: &str, data: &[u8]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut replaced = false;
        for (name, bytes) in &self.members {
            let body = if name == member {
                replaced = true;
                data
            } else {
                bytes
            };
            out.start_file(name.as_str(), opts).expect("zip write");
            out.write_all(body).expect("zip write");
        }
        if !replaced {
            out.start_file(member, opts).expect("zip write");
            out.write_all(data).expect("zip write");
        }
        out.finish().expect("zip finish").into_inner()
    }
}

/// One-sheet .xlsx fixture (shared strings, one worksheet).
pub fn xlsx_skeleton() -> &'static Skeleton {
    static S: OnceLock<Skeleton> = OnceLock::new();
    S.get_or_init(|| {
        Skeleton::unpack(
            "2022年统计表.xlsx",
            include_bytes!("../../fixtures/jinshan-2022/统计表.xlsx"),
        )
    })
}

/// Three-sheet .ods fixture (everything is in content.xml).
pub fn ods_skeleton() -> &'static Skeleton {
    static S: OnceLock<Skeleton> = OnceLock::new();
    S.get_or_init(|| {
        Skeleton::unpack(
            "2022年山阳镇.ods",
            include_bytes!("../../fixtures/jinshan-2022/山阳镇.ods"),
        )
    })
}

/// The members `zipped_xml` can replace; its first input byte picks one (modulo the length).
pub const ZIPPED_MEMBERS: &[(bool, &str)] = &[
    // (is_ods, member)
    (true, "content.xml"),
    (false, "xl/worksheets/sheet1.xml"),
    (false, "xl/sharedStrings.xml"),
    (false, "xl/workbook.xml"),
];

/// The .xlsx parts `lean_xlsx` can replace; its first input byte picks one (modulo the length).
pub const LEAN_MEMBERS: &[&str] = &[
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/_rels/workbook.xml.rels",
    "_rels/.rels",
];
