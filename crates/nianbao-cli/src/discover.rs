//! Finds the files of a returns folder: spreadsheets to read, the rest listed as skipped.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Extensions read as returns (case-insensitive); the format itself is told from the content.
const SPREADSHEET: &[&str] = &["xlsx", "xlsm", "xls", "ods", "et", "ett"];

/// The folder's files, sorted by relative path: (relative path with '/', full path, is spreadsheet).
pub fn discover(root: &Path) -> Result<Vec<(String, PathBuf, bool)>> {
    let mut out = Vec::new();
    walk(root, root, &mut out, 0)?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf, bool)>,
    depth: usize,
) -> Result<()> {
    if depth > 16 {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("无法读取文件夹 {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("无法读取文件夹 {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden files and Excel/WPS lock files ("~$汇总.xlsx", ".~lock.x.ods#").
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(root, &path, out, depth + 1)?;
        } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            out.push((rel, path, SPREADSHEET.contains(&ext.as_str())));
        }
    }
    Ok(())
}
