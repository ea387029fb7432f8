//! The run's cache: each file's read result stored under `.nianbao/cache/` by the SHA-256 of its
//! bytes and the reader's revision, so that a file that has not changed is not read again. An
//! entry is a checksum line and the JSON of the result; one that is truncated, corrupt or of
//! another revision is ignored (and rebuilt), never trusted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use nianbao_format::{Msg, values_fingerprint};
use nianbao_read::Return;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped whenever what the reader makes of a file changes: entries of another revision are
/// not used.
pub const READER_REVISION: &str = concat!(env!("CARGO_PKG_VERSION"), "+reader.2");

/// The SHA-256 of some bytes, as 64 hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[derive(Serialize, Deserialize)]
struct Entry {
    revision: String,
    sha256: String,
    outcome: Result<Return, Msg>,
}

/// A cache folder, and how many files it answered and how many were read fresh.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl Cache {
    /// The cache in `dir` (created when first written).
    pub fn new(dir: PathBuf) -> Cache {
        Cache {
            dir,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(format!("{sha}.json"))
    }

    /// The result stored for these bytes, if a sound entry holds it.
    pub fn get(&self, sha: &str) -> Option<Result<Return, Msg>> {
        let found = std::fs::read(self.path(sha))
            .ok()
            .and_then(|bytes| decode(&bytes, sha));
        match &found {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        found
    }

    /// Stores a result (best effort: a cache that cannot be written only costs time).
    pub fn put(&self, sha: &str, outcome: &Result<Return, Msg>) {
        let entry = EntryRef {
            revision: READER_REVISION,
            sha256: sha,
            outcome,
        };
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        let path = self.path(sha);
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(
            ".{sha}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            writeln!(f, "{}", checksum(&json))?;
            f.write_all(&json)
        });
        if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// (answered from the cache, read fresh) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Removes temporaries a killed run left in the cache.
    pub fn sweep(&self) {
        let Ok(subs) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for sub in subs.flatten() {
            let Ok(files) = std::fs::read_dir(sub.path()) else {
                continue;
            };
            for f in files.flatten() {
                if f.file_name().to_string_lossy().ends_with(".tmp") {
                    let _ = std::fs::remove_file(f.path());
                }
            }
        }
    }
}

#[derive(Serialize)]
struct EntryRef<'a> {
    revision: &'a str,
    sha256: &'a str,
    outcome: &'a Result<Return, Msg>,
}

/// The checksum line of an entry's JSON.
fn checksum(json: &[u8]) -> String {
    values_fingerprint(json.iter().map(|&b| Some(i64::from(b))))
}

/// An entry's result if its checksum, revision and hash all hold.
fn decode(bytes: &[u8], sha: &str) -> Option<Result<Return, Msg>> {
    let nl = bytes.iter().position(|&b| b == b'\n')?;
    let (head, json) = (&bytes[..nl], &bytes[nl + 1..]);
    if head != checksum(json).as_bytes() {
        return None;
    }
    let entry: Entry = serde_json::from_slice(json).ok()?;
    (entry.revision == READER_REVISION && entry.sha256 == sha).then_some(entry.outcome)
}

/// Reads a file's bytes (within the reader's size cap) and its hash.
pub fn read_hashed(path: &Path) -> std::io::Result<(Vec<u8>, String)> {
    let len = std::fs::metadata(path)?.len();
    if len > nianbao_read::MAX_FILE_SIZE {
        // Too large to be a return: the reader says so without these bytes.
        return Ok((Vec::new(), format!("too-large-{len}")));
    }
    let bytes = std::fs::read(path)?;
    let sha = sha256_hex(&bytes);
    Ok((bytes, sha))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nianbao-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_stored_result_comes_back_and_a_damaged_one_never() {
        let dir = scratch("roundtrip");
        let cache = Cache::new(dir.clone());
        let sha = sha256_hex(b"some return");
        let failed: Result<Return, Msg> = Err(Msg::new("文件为空", "the file is empty"));
        assert!(cache.get(&sha).is_none());
        cache.put(&sha, &failed);
        assert_eq!(
            cache.get(&sha).unwrap().unwrap_err(),
            failed.clone().unwrap_err()
        );
        // Truncated, flipped, emptied: ignored.
        let path = cache.path(&sha);
        let good = std::fs::read(&path).unwrap();
        for bad in [
            good[..good.len() / 2].to_vec(),
            {
                let mut b = good.clone();
                let last = b.len() - 3;
                b[last] ^= 1;
                b
            },
            Vec::new(),
        ] {
            std::fs::write(&path, &bad).unwrap();
            assert!(cache.get(&sha).is_none());
        }
        // Another file's entry under this name: ignored.
        cache.put(&sha, &failed);
        let other = sha256_hex(b"another");
        std::fs::create_dir_all(cache.path(&other).parent().unwrap()).unwrap();
        std::fs::copy(cache.path(&sha), cache.path(&other)).unwrap();
        assert!(cache.get(&other).is_none());
        assert_eq!(cache.counts(), (1, 5));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
