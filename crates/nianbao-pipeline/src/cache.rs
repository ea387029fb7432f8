//! The run's cache: each file's read result stored under `.nianbao/cache/` by the SHA-256 of its
//! bytes and the reader's revision, so that a file that has not changed is not read again. An
//! entry is a checksum line and the result in MessagePack; one that is truncated, corrupt or of
//! another revision is ignored (and rebuilt), never trusted.
//!
//! `stamps.json` remembers, as git's index does, each file's size, modification and change
//! times, inode and device with the hash its bytes had: a file whose stamp is unchanged is not
//! read or hashed again. A stamp is only recorded for a file last modified a few seconds before
//! it was read (one written in the same instant as it was read could change again unseen), and
//! ctime, which no copying tool can set, changes with every write.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use nianbao_format::Msg;
use nianbao_read::Return;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped whenever what the reader makes of a file changes: entries of another revision are
/// not used.
pub const READER_REVISION: &str = concat!(env!("CARGO_PKG_VERSION"), "+reader.2+msgpack");

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

/// What a file's metadata says of its bytes: the same stamp, the same bytes (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
    dev: u64,
}

/// How long before it is read a file must have been modified for its stamp to be trusted.
const SETTLED: Duration = Duration::from_secs(3);

impl Stamp {
    /// The stamp of the file at `path` now; None where the platform does not say.
    pub fn of(path: &Path) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            Some(Stamp {
                len: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec()),
                ctime_ns: ns(m.ctime(), m.ctime_nsec()),
                ino: m.ino(),
                dev: m.dev(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// Whether the file had been left alone for a while when this stamp was taken at `now`.
    fn settled(&self, now: SystemTime) -> bool {
        let now_ns = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let limit = now_ns - SETTLED.as_nanos() as i128;
        self.mtime_ns < limit && self.ctime_ns < limit
    }
}

/// A cache folder, and how many files it answered and how many were read fresh.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// The stamps of the last run (path → stamp and hash), read when first needed.
    known: OnceLock<HashMap<String, (Stamp, String)>>,
    /// The stamps of the files seen in this run, to be saved.
    seen: Mutex<HashMap<String, (Stamp, String)>>,
}

impl Cache {
    /// The cache in `dir` (created when first written).
    pub fn new(dir: PathBuf) -> Cache {
        Cache {
            dir,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            known: OnceLock::new(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn stamps_path(&self) -> PathBuf {
        self.dir.join("stamps.json")
    }

    /// The hash the file at `path` had when last seen, if its stamp has not changed since.
    pub fn known_hash(&self, path: &Path, stamp: &Stamp) -> Option<String> {
        let known = self.known.get_or_init(|| {
            std::fs::read(self.stamps_path())
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default()
        });
        let (was, sha) = known.get(path.to_string_lossy().as_ref())?;
        (was == stamp).then(|| sha.clone())
    }

    /// Records the hash of the file at `path` with its stamp taken at `now` (before its bytes
    /// were read), if the file had settled then.
    pub fn remember(&self, path: &Path, stamp: Stamp, sha: &str, now: SystemTime) {
        if !stamp.settled(now) {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(
            path.to_string_lossy().into_owned(),
            (stamp, sha.to_string()),
        );
    }

    /// Saves the stamps of the files seen in this run (best effort: a lost file only costs
    /// hashing them again).
    pub fn save_stamps(&self) {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.is_empty() && !self.stamps_path().exists() {
            return;
        }
        let Ok(json) = serde_json::to_vec(&*seen) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.stamps_path();
        let tmp = self
            .dir
            .join(format!(".stamps.json.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, json).is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(format!("{sha}.msgpack"))
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
        let Ok(body) = rmp_serde::to_vec(&entry) else {
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
            writeln!(f, "{}", checksum(&body))?;
            f.write_all(&body)
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

    /// Removes temporaries a killed run left in the cache, and entries of the JSON revision.
    pub fn sweep(&self) {
        let Ok(subs) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for sub in subs.flatten() {
            if sub.file_name().to_string_lossy().ends_with(".tmp") {
                let _ = std::fs::remove_file(sub.path()); // the stamps'
                continue;
            }
            let Ok(files) = std::fs::read_dir(sub.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name();
                let name = name.to_string_lossy();
                // Temporaries, and the JSON entries of earlier revisions, never used again.
                if name.ends_with(".tmp") || name.ends_with(".json") {
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

/// The checksum line of an entry's body: its CRC-32 and length (an FNV over every byte took an
/// eighth of a re-run).
fn checksum(body: &[u8]) -> String {
    format!("crc32 {:08x} {}", crc32fast::hash(body), body.len())
}

/// An entry's result if its checksum, revision and hash all hold.
fn decode(bytes: &[u8], sha: &str) -> Option<Result<Return, Msg>> {
    let nl = bytes.iter().position(|&b| b == b'\n')?;
    let (head, body) = (&bytes[..nl], &bytes[nl + 1..]);
    if head != checksum(body).as_bytes() {
        return None;
    }
    let entry: Entry = rmp_serde::from_slice(body).ok()?;
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

    #[cfg(unix)]
    #[test]
    fn a_file_is_known_by_its_stamp_only_while_nothing_about_it_changed() {
        let dir = scratch("stamps");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.xlsx");
        std::fs::write(&file, b"one").unwrap();
        let stamp = Stamp::of(&file).unwrap();
        let later = SystemTime::now() + Duration::from_secs(10);
        let cache = Cache::new(dir.join("cache"));
        // Just written: not settled, not remembered.
        cache.remember(&file, stamp.clone(), "sha-one", SystemTime::now());
        cache.save_stamps();
        assert_eq!(
            Cache::new(dir.join("cache")).known_hash(&file, &stamp),
            None
        );
        cache.remember(&file, stamp.clone(), "sha-one", later);
        cache.save_stamps();
        let next = Cache::new(dir.join("cache"));
        assert_eq!(next.known_hash(&file, &stamp).as_deref(), Some("sha-one"));
        // Rewritten with the same size and its old modification time put back: ctime moved.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&file, b"two").unwrap();
        let back = std::fs::File::options().write(true).open(&file).unwrap();
        back.set_modified(std::time::UNIX_EPOCH + Duration::from_nanos(stamp.mtime_ns as u64))
            .unwrap();
        let now = Stamp::of(&file).unwrap();
        assert_eq!((now.len, now.mtime_ns), (stamp.len, stamp.mtime_ns));
        assert_eq!(next.known_hash(&file, &now), None);
        let _ = std::fs::remove_dir_all(&dir);
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
