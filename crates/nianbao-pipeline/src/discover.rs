//! Finds the files of a returns folder: spreadsheets to read, the rest listed as skipped, and
//! subfolders that could not be listed (each named; the run goes on without them).

use std::path::{Path, PathBuf};

use nianbao_format::{Msg, io_error_msg};

use crate::RunError;

/// Extensions read as returns (case-insensitive); the format itself is told from the content.
const SPREADSHEET: &[&str] = &["xlsx", "xlsm", "xls", "ods", "et", "ett"];
/// Extensions of published reports (a page, its text, a Word file), read as returns when they
/// hold the report's tables and listed as skipped when they hold no report at all.
const DOCUMENT: &[&str] = &["html", "htm", "txt", "docx"];
/// Folders deeper than this below the returns folder are not searched.
const MAX_DEPTH: usize = 16;

/// One file found below the returns folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Path relative to the returns folder, with '/' separators (how reports name it).
    pub rel: String,
    pub path: PathBuf,
    /// Has a spreadsheet's or a published report's extension: read as a return. Other files
    /// are listed as skipped.
    pub spreadsheet: bool,
    /// Has a published report's extension (.html, .htm, .txt, .docx): skipped, not failed, when
    /// it holds no report.
    pub document: bool,
}

/// What a folder holds.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by relative path.
    pub files: Vec<Found>,
    /// Subfolders (relative path with a trailing '/') that could not be listed, and why.
    pub unreadable: Vec<(String, Msg)>,
}

/// Lists the folder's files. Only the folder itself failing to open stops the run.
pub fn discover(root: &Path) -> Result<Discovery, RunError> {
    let meta = std::fs::metadata(root).map_err(|e| {
        RunError::io(
            "无法打开报表文件夹",
            "cannot open the returns folder",
            root,
            &e,
        )
    })?;
    if !meta.is_dir() {
        return Err(RunError::new(
            format!("不是文件夹：{}", root.display()),
            format!("not a folder: {}", root.display()),
        ));
    }
    let entries = std::fs::read_dir(root).map_err(|e| {
        RunError::io(
            "无法读取报表文件夹",
            "cannot list the returns folder",
            root,
            &e,
        )
    })?;
    let mut out = Discovery::default();
    walk(root, root, entries, &mut out, 0);
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.unreadable.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn rel_of(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// An entry that could not be looked at: named (the folder, when the entry itself has no name
/// to give), never skipped silently. A name ending in '/' is a folder.
fn unreadable(out: &mut Discovery, rel: String, e: &std::io::Error) {
    let why = io_error_msg(e);
    let (zh, en) = if rel.ends_with('/') {
        (
            "无法读取文件夹，其中的文件未读取",
            "cannot list the folder; its files were not read",
        )
    } else {
        ("无法读取此文件", "cannot read the file")
    };
    out.unreadable.push((
        rel,
        Msg::new(format!("{zh}：{}", why.zh), format!("{en}: {}", why.en)),
    ));
}

fn walk(root: &Path, dir: &Path, entries: std::fs::ReadDir, out: &mut Discovery, depth: usize) {
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                unreadable(out, format!("{}/", rel_of(root, dir)), &e);
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden files (our own temporaries among them) and Excel/WPS lock files ("~$汇总.xlsx",
        // ".~lock.x.ods#").
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                unreadable(out, rel_of(root, &path), &e);
                continue;
            }
        };
        if ft.is_dir() {
            if depth + 1 > MAX_DEPTH {
                // Said, not skipped silently: a file down there may be a return.
                out.unreadable.push((
                    format!("{}/", rel_of(root, &path)),
                    Msg::new(
                        format!("文件夹层级超过 {MAX_DEPTH} 层，其中的文件未读取"),
                        format!("nested deeper than {MAX_DEPTH} folders; its files were not read"),
                    ),
                ));
                continue;
            }
            match std::fs::read_dir(&path) {
                Ok(sub) => walk(root, &path, sub, out, depth + 1),
                Err(e) => unreadable(out, format!("{}/", rel_of(root, &path)), &e),
            }
        } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let document = DOCUMENT.contains(&ext.as_str());
            out.files.push(Found {
                rel: rel_of(root, &path),
                spreadsheet: document || SPREADSHEET.contains(&ext.as_str()),
                document,
                path,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_too_deep_are_named_not_skipped() {
        let root = std::env::temp_dir().join(format!("nianbao-deep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut deep = root.clone();
        for i in 0..=MAX_DEPTH {
            deep.push(format!("d{i}"));
        }
        std::fs::create_dir_all(&deep).expect("nested folders");
        std::fs::write(deep.join("x.xlsx"), b"x").expect("a file down there");
        std::fs::write(root.join("top.xlsx"), b"x").expect("a file on top");
        let found = discover(&root).expect("discover");
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.unreadable.len(), 1, "{:?}", found.unreadable);
        assert!(found.unreadable[0].1.zh.contains("层级超过"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
