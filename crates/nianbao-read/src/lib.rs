//! Reads one return (.xlsx, .xls, .ods, or a published report as HTML, text or .docx, told apart
//! by content) into the 200 field values with their cells, plus every problem met on the way. Any
//! bytes give a value or a clear error; a panic inside a reader fails that file only.

mod docx;
mod formula;
mod grid;
mod html;
mod load;
mod locate;
mod mark;
mod ods;
mod report;
mod sniff;
mod table;
mod text;
mod unit;
mod value;
mod xls_guard;
mod xlsx;
mod xlsx_guard;

pub use grid::{Content, Grid, GridCell};
pub use load::MAX_CELLS;
pub use mark::generated_mark;
pub use report::{Stated, stated_figures};
pub use sniff::{Format, sniff};
pub use table::{Row, first_sheet_rows};
pub use text::decode_text;
pub use value::{Invalid, Parsed, parse_content, parse_text};

/// The two .xlsx readers side by side, for the tests and the fuzz target that hold them to the
/// same grids. Not an interface.
#[doc(hidden)]
pub mod xlsx_readers {
    pub use crate::load::{LoadError, calamine_xlsx as calamine};
    pub use crate::xlsx::{Outcome, read as lean};
}

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use nianbao_format::{Msg, Reading, Violation};

/// Files larger than this are not returns (real ones are a few dozen KiB).
pub const MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// A return as read: values with provenance, and the problems found. Never partial silently:
/// a value that could not be read is `None` with a problem naming its cell.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Return {
    pub format: Format,
    /// The unit as named inside the file (填报单位), if it is.
    pub unit_name: Option<String>,
    pub year: Option<i32>,
    pub readings: Vec<Reading>,
    pub problems: Vec<Violation>,
    /// The value of the marker property when nianbao wrote this workbook itself
    /// ([`nianbao_format::GENERATED_PROPERTY`]): `summary`, `annotated;values=…`, or
    /// `template;values=…` (a template, which is a return all the same).
    pub generated: Option<String>,
}

/// Why a file is not a return at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileError {
    pub message: Msg,
}

impl FileError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> FileError {
        FileError {
            message: Msg::new(zh, en),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message.zh)
    }
}

impl std::error::Error for FileError {}

/// Reads the return in the file at `path` (read-only).
pub fn read_path(path: &Path) -> Result<Return, FileError> {
    match file_bytes(path) {
        Ok(FileBytes::Bytes(bytes)) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            read_bytes(&bytes, &name)
        }
        Ok(FileBytes::TooLarge(len)) => Err(too_large(len)),
        Ok(FileBytes::Folder) => Err(FileError::new(
            "这是文件夹，不是文件",
            "this is a folder, not a file",
        )),
        Err(e) => Err(io_failure(&e)),
    }
}

/// What is at a path given as a return, before it is read as one.
#[derive(Debug)]
pub enum FileBytes {
    /// Its bytes: at most [`MAX_FILE_SIZE`].
    Bytes(Vec<u8>),
    /// Larger than [`MAX_FILE_SIZE`] (its size, or what was read when it grew while read).
    TooLarge(u64),
    Folder,
}

/// The bytes of the file at `path`, opened once and sized through its handle (one metadata
/// call a file: 10,000 returns, 20,000 system calls fewer than asking the path), never more
/// than [`MAX_FILE_SIZE`] of them.
pub fn file_bytes(path: &Path) -> std::io::Result<FileBytes> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        // Some systems refuse to open a folder at all.
        Err(_) if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) => {
            return Ok(FileBytes::Folder);
        }
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Ok(FileBytes::Folder);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Ok(FileBytes::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        // It grew while it was read.
        return Ok(FileBytes::TooLarge(bytes.len() as u64));
    }
    Ok(FileBytes::Bytes(bytes))
}

/// "无法读取文件：没有访问权限（Permission denied (os error 13)）".
fn io_failure(e: &std::io::Error) -> FileError {
    let why = nianbao_format::io_error_msg(e);
    FileError::new(
        format!("无法读取文件：{}", why.zh),
        format!("cannot read file: {}", why.en),
    )
}

/// A reader's error text in the clerk's words, the original kept in parentheses.
fn corrupt_reason(why: &str) -> Msg {
    let lower = why.to_ascii_lowercase();
    let (zh, en) = if lower.contains("zip") || lower.contains("eocd") {
        (
            "不是完整的 xlsx/ods 压缩包，文件不完整或已损坏",
            "not a complete xlsx/ods zip archive; the file is incomplete or corrupt",
        )
    } else if lower.contains("xml") {
        ("表格内部的 XML 内容有误", "the workbook's XML is malformed")
    } else if lower.contains("cfb") || lower.contains("ole") || lower.contains("sector") {
        ("xls 文件结构已损坏", "the .xls file's structure is damaged")
    } else {
        (
            "文件已损坏或格式不正确，无法打开",
            "the file is corrupt or malformed and cannot be opened",
        )
    };
    Msg::new(format!("{zh}（{why}）"), format!("{en} ({why})"))
}

fn too_large(len: u64) -> FileError {
    FileError::new(
        format!("文件过大（{} MB），不是年报统计表", len / 1024 / 1024),
        format!("file too large ({} MB) to be a return", len / 1024 / 1024),
    )
}

/// Reads a return from its bytes; `file_name` only helps find the year.
pub fn read_bytes(bytes: &[u8], file_name: &str) -> Result<Return, FileError> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    let format = sniff(bytes);
    let not_workbook = |zh: &str, en: &str| Err(FileError::new(zh, en));
    match format {
        Format::Xlsx | Format::Xls | Format::Ods => {}
        Format::Html | Format::Docx | Format::ReportText => {}
        Format::Encrypted => {
            return not_workbook(
                "文件已加密，请去除密码后重新报送",
                "the file is encrypted: remove the password and send it again",
            );
        }
        Format::Empty => return not_workbook("文件为空", "the file is empty"),
        Format::Word => {
            return not_workbook(
                "这是 Word 文档，不是 Excel 表格；请用 Excel 或 WPS 表格填报",
                "this is a Word document, not a spreadsheet",
            );
        }
        Format::Text => {
            return not_workbook(
                "这是文本文件，不是 Excel 表格（.xlsx/.xls/.ods）",
                "this is a text file, not a spreadsheet (.xlsx/.xls/.ods)",
            );
        }
        Format::OtherZip => {
            return not_workbook(
                "压缩文件中没有 Excel 工作簿（文件损坏或不是表格）",
                "a zip archive with no workbook in it (corrupt, or not a spreadsheet)",
            );
        }
        Format::OtherOle => {
            return not_workbook(
                "不是可识别的 Excel 工作簿（OLE 文件中没有工作簿）",
                "an OLE file with no workbook in it",
            );
        }
        Format::Unknown => {
            return not_workbook(
                "无法识别的文件格式，不是 Excel 表格",
                "unrecognised file format, not a spreadsheet",
            );
        }
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| read_workbook(bytes, format, file_name)));
    match outcome {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(FileError::new(
                format!("读取文件时出现内部错误，文件可能已损坏（{what}）"),
                format!("internal error while reading; the file may be corrupt ({what})"),
            ))
        }
    }
}

fn read_workbook(bytes: &[u8], format: Format, file_name: &str) -> Result<Return, FileError> {
    let doc = match format {
        Format::Html => Some(html::read(bytes)?),
        Format::Docx => Some(docx::read(bytes)?),
        Format::ReportText => Some(text::read(bytes)?),
        _ => None,
    };
    if let Some(doc) = doc {
        return report::read_document(doc, format, file_name);
    }
    let (grids, mark) = load::load_marked(bytes, format).map_err(load_failure)?;
    let mut ret = from_grids(&grids, format, file_name)?;
    ret.generated = mark;
    Ok(ret)
}

/// Why a workbook could not be opened, in the clerk's words.
pub(crate) fn load_failure(e: load::LoadError) -> FileError {
    match e {
        load::LoadError::Corrupt(why) => FileError {
            message: corrupt_reason(&why),
        },
        load::LoadError::Unzipped(n) => FileError::new(
            format!(
                "文件解压后过大（声明 {} MB），不是年报统计表",
                n / 1024 / 1024
            ),
            format!(
                "the file unpacks to too much data (declared {} MB) to be a return",
                n / 1024 / 1024
            ),
        ),
        load::LoadError::XlsSpread(n) => FileError::new(
            format!(
                "xls 文件的表格范围过大（各工作表共跨 {n} 个单元格，超过 {MAX_CELLS} 个）：\
                 可能有单元格远在表格之外，请删除后重新保存"
            ),
            format!(
                "the .xls sheets span {n} cells together, over {MAX_CELLS}: a cell far outside \
                 the tables? Delete it and save the file again"
            ),
        ),
        load::LoadError::TooManyCells => FileError::new(
            format!("表格单元格过多（超过 {MAX_CELLS} 个），不是年报统计表"),
            format!("too many cells (over {MAX_CELLS}) to be a return"),
        ),
    }
}

/// Reads a return out of already loaded sheets.
pub fn from_grids(grids: &[Grid], format: Format, file_name: &str) -> Result<Return, FileError> {
    let located = locate::locate(grids);
    if located.tables_found == 0 {
        return Err(FileError::new(
            "文件中未找到政府信息公开年报统计表（表二、表三、表四均未找到）",
            "no return found in the file (none of tables 2, 3 and 4)",
        ));
    }
    Ok(Return {
        format,
        unit_name: unit::unit_name(grids),
        year: unit::year(grids, file_name),
        readings: located.readings,
        problems: located.problems,
        generated: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_is_no_return_file_says_why() {
        let dir = std::env::temp_dir().join(format!("nianbao-read-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("folder.xlsx")).unwrap();
        let why = |p: &Path| match read_path(p) {
            Err(e) => e.message.zh,
            Ok(_) => panic!("{} read as a return", p.display()),
        };
        assert_eq!(why(&dir.join("folder.xlsx")), "这是文件夹，不是文件");
        assert!(why(&dir.join("missing.xlsx")).starts_with("无法读取文件："));
        // Refused by its size, without reading it (sparse: no 50 MB written).
        let big = std::fs::File::create(dir.join("big.xlsx")).unwrap();
        big.set_len(MAX_FILE_SIZE + 1).unwrap();
        assert!(why(&dir.join("big.xlsx")).starts_with("文件过大（50 MB）"));
        std::fs::write(dir.join("empty.xlsx"), b"").unwrap();
        assert!(read_path(&dir.join("empty.xlsx")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
