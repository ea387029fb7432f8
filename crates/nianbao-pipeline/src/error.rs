//! Why a run cannot be done at all (exit status 2): bad arguments, an output that would overwrite
//! an input, a missing folder, no return found. A file that cannot be read is not this: it fails
//! alone and the run goes on.

use std::path::Path;

use nianbao_format::{Lang, Msg, io_error_msg};

/// A run refused or stopped before its outputs were written, in the clerk's language and in
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", message.zh)]
pub struct RunError {
    pub message: Msg,
}

impl RunError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> RunError {
        RunError {
            message: Msg::new(zh, en),
        }
    }

    /// "无法写入 X：没有访问权限（…）" from a system error about a path.
    pub fn io(zh_what: &str, en_what: &str, path: &Path, e: &std::io::Error) -> RunError {
        let why = io_error_msg(e);
        RunError::new(
            format!("{zh_what} {}：{}", path.display(), why.zh),
            format!("{en_what} {}: {}", path.display(), why.en),
        )
    }

    pub fn get(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }
}
