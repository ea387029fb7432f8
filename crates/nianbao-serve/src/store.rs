//! Every upload kept: `.nianbao/uploads/<unit>/<sha256>.<ext>` (the bytes, under a name the
//! server chooses from their content), `<sha256>.json` (when it was uploaded and submitted, and
//! what its check said), and the check's JSON report and annotated workbook beside it. Nothing
//! here is ever overwritten but the record, and that whole (temporary and rename).

use std::path::{Path, PathBuf};

use nianbao_pipeline::RunError;
use nianbao_pipeline::outputs::write_atomic;
use nianbao_pipeline::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// The uploads folder, in the workspace's state folder.
pub const UPLOADS_DIR: &str = "uploads";

/// A suggested correction, as the check found it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Fix {
    /// "I23", or the field id when the cell is not known.
    pub cell: String,
    pub label: String,
    pub value: String,
    pub suggested: String,
    /// Several repairs fit equally well: a candidate, not a verdict.
    pub tied: bool,
}

/// What an upload's check said.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Verdict {
    /// The unit status id (`ok`, `warnings`, `errors`, `failed`…), or `other_unit` when the
    /// return is another unit's.
    pub status: String,
    pub errors: usize,
    pub warnings: usize,
    /// The return could be read as this unit's return: it may be submitted.
    pub submittable: bool,
    /// Why it may not be, when it may not (Chinese, English).
    pub refusal: Option<(String, String)>,
    /// The reconciliation as `nianbao check` prints it, line by line (Chinese, English).
    pub lines_zh: Vec<String>,
    pub lines_en: Vec<String>,
    pub fixes: Vec<Fix>,
    /// The annotated workbook was written.
    pub annotated: bool,
}

/// One stored upload.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub sha256: String,
    pub size: u64,
    /// The extension the content was told to be (xlsx, xls, ods), or `bin`.
    pub ext: String,
    /// The name the browser gave (shown, never used as a path).
    pub original_name: String,
    /// Every time these bytes were uploaded (RFC 3339, China time).
    pub uploaded: Vec<String>,
    /// Every time they were submitted.
    pub submitted: Vec<String>,
    /// Microseconds since 1970 of the last upload and the last submission (to order them
    /// within a second).
    #[serde(default)]
    pub uploaded_us: u64,
    #[serde(default)]
    pub submitted_us: u64,
    pub verdict: Verdict,
}

impl Record {
    pub fn last_uploaded(&self) -> &str {
        self.uploaded.last().map_or("", String::as_str)
    }
    pub fn last_submitted(&self) -> Option<&str> {
        self.submitted.last().map(String::as_str)
    }
}

/// A unit's uploads folder.
pub fn unit_dir(ws: &Workspace, unit: &str) -> PathBuf {
    ws.state_dir().join(UPLOADS_DIR).join(unit)
}

/// Whether a text is a SHA-256 in hex (the only names taken from a request).
pub fn is_sha(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

pub fn data_path(dir: &Path, r: &Record) -> PathBuf {
    dir.join(format!("{}.{}", r.sha256, r.ext))
}
pub fn record_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(format!("{sha}.json"))
}
pub fn annotated_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(format!("{sha}.annotated.xlsx"))
}
pub fn report_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(format!("{sha}.report.json"))
}

/// One upload's record.
pub fn load(dir: &Path, sha: &str) -> Option<Record> {
    if !is_sha(sha) {
        return None;
    }
    serde_json::from_slice(&std::fs::read(record_path(dir, sha)).ok()?).ok()
}

pub fn save(dir: &Path, r: &Record) -> Result<(), RunError> {
    let bytes = serde_json::to_vec_pretty(r)
        .map_err(|e| RunError::new(format!("无法保存记录：{e}"), format!("cannot save: {e}")))?;
    write_atomic(&record_path(dir, &r.sha256), &bytes)
}

/// Every upload of a unit, the latest last.
pub fn all(dir: &Path) -> Vec<Record> {
    let mut out: Vec<Record> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let sha = name.strip_suffix(".json")?;
            load(dir, sha)
        })
        .collect();
    out.sort_by_key(|r| r.uploaded_us);
    out
}

/// Microseconds since 1970, now.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}
