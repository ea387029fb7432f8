//! The run's cache: each file's read result kept under `.nianbao/cache/` by the SHA-256 of its
//! bytes and the reader's revision, so that a file that has not changed is not read again.
//!
//! The entries live in one file, `entries.pack`: a header naming the reader's revision, then one
//! record per result (its hash, length, CRC-32 and the result in MessagePack). A run reads the
//! pack once and writes the results it reads fresh into a new pack as it goes. At its end it
//! appends them to the pack while it used at least half of the pack's records; otherwise it
//! copies in the records it used and renames the new pack into place. One file, not one per
//! return: creating 2,000 files was a fifth of a cold run, and opening them most of a re-run's
//! reading. A pack of another revision, a record cut short or whose checksum fails is ignored
//! (and read again), never trusted. Only a run (under the workspace's lock) saves the cache.
//!
//! `assessed.pack`, of the same records, keeps each return's assessment (its values, compact,
//! and what the rules found: [`nianbao_consolidate::Assessed`]) under the hash of its bytes, its
//! path and everything else the assessment depends on ([`assessment_key`]), for one build of the
//! tool (its header names the build: `build_id`): a re-run neither decodes nor checks a
//! return whose bytes did not change. A run answered by an assessment keeps the file's read
//! result in `entries.pack` as if it had used it.
//!
//! `stamps.json` remembers, as git's index does, each file's size, modification and change
//! times, inode and device with the hash its bytes had: a file whose stamp is unchanged is not
//! read or hashed again. A stamp is only recorded for a file last modified a few seconds before
//! it was read (one written in the same instant as it was read could change again unseen), and
//! ctime, which no copying tool can set, changes with every write.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use nianbao_consolidate::Assessed;
use nianbao_format::Msg;
use nianbao_read::Return;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped whenever what the reader makes of a file changes: entries of another revision are
/// not used.
pub const READER_REVISION: &str = concat!(env!("CARGO_PKG_VERSION"), "+reader.2+pack.2");

/// The SHA-256 of some bytes, as 64 hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The first line of a pack, before the revision.
const PACK_MAGIC: &[u8] = b"nianbao-cache ";
/// A pack's first line.
fn pack_head() -> Vec<u8> {
    [PACK_MAGIC, READER_REVISION.as_bytes(), b"\n"].concat()
}

/// A record's head: the hash (64 hex digits), the body's length and the CRC-32 of hash and body.
const RECORD_HEAD: usize = 64 + 4 + 4;

/// The last run's pack: its bytes and where each hash's record starts.
#[derive(Default)]
struct Pack {
    bytes: Vec<u8>,
    at: HashMap<String, usize>,
    /// The end of the last whole record.
    end: usize,
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pack({} bytes, {} records)",
            self.bytes.len(),
            self.at.len()
        )
    }
}

impl Pack {
    fn read(path: &Path, head: &[u8]) -> Pack {
        std::fs::read(path)
            .map(|b| Pack::parse(b, head))
            .unwrap_or_default()
    }

    /// The records of a pack that starts with `head` (its kind and revision), up to the first
    /// that does not fit (a truncated pack keeps its whole records); checksums are checked when
    /// a record is used.
    fn parse(bytes: Vec<u8>, head: &[u8]) -> Pack {
        let mut at = HashMap::new();
        let mut end = 0;
        if bytes.starts_with(head) {
            end = head.len();
            // A hash appended again (its first record damaged) is found at its last.
            while let Some((sha, body)) = record_at(&bytes, end) {
                at.insert(sha.to_string(), end);
                end = body.end;
            }
        }
        Pack { bytes, at, end }
    }

    /// The record of `sha` if its checksum holds: its whole bytes and its body.
    fn get(&self, sha: &str) -> Option<(&[u8], &[u8])> {
        let &k = self.at.get(sha)?;
        let (_, body) = record_at(&self.bytes, k)?;
        let crc = u32::from_le_bytes(self.bytes[k + 68..k + 72].try_into().ok()?);
        (record_crc(&self.bytes[k..k + 64], &self.bytes[body.clone()]) == crc)
            .then(|| (&self.bytes[k..body.end], &self.bytes[body]))
    }
}

/// The checksum of a record: CRC-32 of its hash and body.
fn record_crc(sha: &[u8], body: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(sha);
    h.update(body);
    h.finalize()
}

/// The hash and the body's range of the record starting at `k`, if one fits there.
fn record_at(bytes: &[u8], k: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let head = bytes.get(k..k.checked_add(RECORD_HEAD)?)?;
    let sha = std::str::from_utf8(&head[..64]).ok()?;
    if !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let len = u32::from_le_bytes(head[64..68].try_into().ok()?) as usize;
    let start = k + RECORD_HEAD;
    let end = start.checked_add(len)?;
    (end <= bytes.len()).then_some((sha, start..end))
}

/// A record: hash, length, checksum, body.
fn record(sha: &str, body: &[u8]) -> Option<Vec<u8>> {
    if sha.len() != 64 {
        return None; // not a SHA-256 ("too-large-…"): never cached
    }
    let mut r = Vec::with_capacity(RECORD_HEAD + body.len());
    r.extend_from_slice(sha.as_bytes());
    r.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    r.extend_from_slice(&record_crc(sha.as_bytes(), body).to_le_bytes());
    r.extend_from_slice(body);
    Some(r)
}

/// The pack this run writes: fresh records as they come, the old ones it used at the end.
#[derive(Debug)]
struct NextPack {
    tmp: PathBuf,
    out: BufWriter<File>,
    written: HashSet<String>,
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
    /// The stamp a file's metadata gives (read once for everything a run asks of the file);
    /// None where the platform does not say.
    pub fn of_metadata(m: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
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
            let _ = m;
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

/// One pack file and this run's use of it: read when first needed, the records this run used,
/// the pack it writes.
#[derive(Debug)]
struct PackFile {
    path: PathBuf,
    /// The pack's first line: its kind and revision; a pack of another is not read.
    head: Vec<u8>,
    /// The last run's pack, read when first needed.
    pack: OnceLock<Pack>,
    /// The keys this run found in it.
    used: Mutex<HashSet<String>>,
    /// The pack this run writes, opened at its first fresh record (None when it cannot be).
    next: Mutex<Option<Option<NextPack>>>,
}

impl PackFile {
    fn new(path: PathBuf, head: Vec<u8>) -> PackFile {
        PackFile {
            path,
            head,
            pack: OnceLock::new(),
            used: Mutex::new(HashSet::new()),
            next: Mutex::new(None),
        }
    }

    fn pack(&self) -> &Pack {
        self.pack.get_or_init(|| Pack::read(&self.path, &self.head))
    }

    /// The body of `key`'s record, if its checksum holds (the record is then kept).
    fn get(&self, key: &str) -> Option<&[u8]> {
        let (_, body) = self.pack().get(key)?;
        self.keep(key);
        Some(body)
    }

    /// Keeps `key`'s record when the pack is rewritten, as if this run had used it.
    fn keep(&self, key: &str) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.insert(key.to_string());
    }

    /// Writes a record into this run's pack (best effort: a record lost only costs time).
    fn put(&self, key: &str, body: &[u8]) {
        let Some(rec) = record(key, body) else {
            return;
        };
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let Some(n) = next.get_or_insert_with(|| self.open_next()) else {
            return;
        };
        if n.written.insert(key.to_string()) && n.out.write_all(&rec).is_err() {
            *next = Some(None);
        }
    }

    /// Appends this run's fresh records to the pack while at least half of its records were
    /// used (a stale record costs only room); rewrites it with the records used otherwise. A
    /// pack this run neither read nor added to is left as it is.
    fn save(&self) {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = next.take().flatten();
        if fresh.is_none() && self.pack.get().is_none() {
            return;
        }
        let pack = self.pack();
        let unused = pack.at.len().saturating_sub(used.len());
        let compact = unused * 2 > pack.at.len();
        match fresh {
            None if !compact => {}
            Some(n) if pack.at.is_empty() => self.put_in_place(n),
            Some(n) if !compact => {
                if self.append(pack, n).is_err() {
                    // Records cut short are ignored; the next run writes a whole pack.
                    let _ = std::fs::remove_file(&self.path);
                }
            }
            fresh => {
                let Some(mut n) = fresh.or_else(|| self.open_next()) else {
                    return;
                };
                for key in used.iter() {
                    if let Some((rec, _)) = pack.get(key)
                        && n.written.insert(key.clone())
                        && n.out.write_all(rec).is_err()
                    {
                        let _ = std::fs::remove_file(&n.tmp);
                        return;
                    }
                }
                self.put_in_place(n);
            }
        }
    }

    /// Renames a new pack into place.
    fn put_in_place(&self, n: NextPack) {
        let NextPack { tmp, out, .. } = n;
        if out.into_inner().is_err() || std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Appends the records of a new pack to the pack, after its last whole record.
    fn append(&self, pack: &Pack, n: NextPack) -> std::io::Result<()> {
        let NextPack { tmp, out, .. } = n;
        let appended = (|| {
            let mut fresh = out.into_inner().map_err(|e| e.into_error())?;
            fresh.seek(std::io::SeekFrom::Start(self.head.len() as u64))?;
            let mut f = std::fs::OpenOptions::new().write(true).open(&self.path)?;
            f.set_len(pack.end as u64)?;
            f.seek(std::io::SeekFrom::End(0))?;
            std::io::copy(&mut fresh, &mut f).map(|_| ())
        })();
        let _ = std::fs::remove_file(&tmp);
        appended
    }

    /// A new pack, its header written (None when it cannot be created).
    fn open_next(&self) -> Option<NextPack> {
        let dir = self.path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        let name = self.path.file_name()?.to_string_lossy();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        // Read back when its records are appended to the pack.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .ok()?;
        let mut out = BufWriter::new(file);
        if out.write_all(&self.head).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return None;
        }
        Some(NextPack {
            tmp,
            out,
            written: HashSet::new(),
        })
    }
}

/// What identifies the running build: its executable's path, size, inode and modification and
/// change times (a copy, an install or a rebuild changes the change time, which no tool can set
/// back). The assessments (what the rules found in a return) depend on all of the tool's code,
/// not only on the reader's, and the deflated parts on its deflate, so they are kept for one
/// build only.
pub(crate) fn build_id() -> Option<&'static str> {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let stamp = Stamp::of_metadata(&std::fs::metadata(&exe).ok()?)?;
        let text = format!("{} {stamp:?}", exe.display());
        Some(sha256_hex(text.as_bytes())[..16].to_string())
    })
    .as_deref()
}

/// The first line of a pack kept for one build: its kind, the reader's revision and the build.
fn build_head(kind: &str, build: &str) -> Vec<u8> {
    format!("nianbao-{kind} {READER_REVISION} {build}\n").into_bytes()
}

/// The deflated parts of the combined workbook's units' rows, kept between runs in
/// `parts.pack` (for one build: another's deflate may give other bytes) by the hash of their
/// XML, so that a re-run deflates only the parts whose units changed
/// ([`nianbao_write::DeflateMemo`]).
#[derive(Debug)]
pub struct KeptParts(PackFile);

impl KeptParts {
    /// The parts kept in the cache folder `dir`; None where the build cannot be told.
    pub fn new(dir: &Path) -> Option<KeptParts> {
        let id = build_id()?;
        Some(KeptParts(PackFile::new(
            dir.join("parts.pack"),
            build_head("parts", id),
        )))
    }

    /// Saves the parts this run deflated (best effort), as [`Cache::save`] does its entries.
    pub fn save(&self) {
        self.0.save();
    }
}

impl nianbao_write::DeflateMemo for KeptParts {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.0.get(key).map(<[u8]>::to_vec)
    }

    fn put(&self, key: &str, deflated: &[u8]) {
        self.0.put(key, deflated);
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
    /// Each file's read result by the hash of its bytes (`entries.pack`).
    entries: PackFile,
    /// Each return's assessment by the hash of its bytes, its path and everything else the
    /// assessment depends on (`assessed.pack`, of this build only); None where the build cannot
    /// be told.
    assessed: Option<PackFile>,
}

impl Cache {
    /// The cache in `dir` (created when first written).
    pub fn new(dir: PathBuf) -> Cache {
        let assessed = build_id()
            .map(|id| PackFile::new(dir.join("assessed.pack"), build_head("assessed", id)));
        Cache {
            entries: PackFile::new(dir.join("entries.pack"), pack_head()),
            assessed,
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

    /// Saves what this run learnt: the stamps of the files it saw and, when it read anything
    /// fresh or left anything unused, the packs of the entries it used (best effort: a lost
    /// cache only costs reading the files again).
    pub fn save(&self) {
        self.save_stamps();
        self.entries.save();
        if let Some(a) = &self.assessed {
            a.save();
        }
    }

    fn save_stamps(&self) {
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

    /// The result stored for these bytes, if a sound entry holds it.
    pub fn get(&self, sha: &str) -> Option<Result<Return, Msg>> {
        let found = self
            .entries
            .get(sha)
            .and_then(|body| rmp_serde::from_slice::<Result<Stored, Msg>>(body).ok())
            .and_then(|r| match r {
                Ok(stored) => stored.into_return().map(Ok),
                Err(why) => Some(Err(why)),
            });
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Stores a result read fresh in this run's pack (best effort: a cache that cannot be
    /// written only costs time).
    pub fn put(&self, sha: &str, outcome: &Result<Return, Msg>) {
        self.misses.fetch_add(1, Ordering::Relaxed);
        let stored = outcome.as_ref().map(Stored::of);
        if let Ok(body) = rmp_serde::to_vec(&stored) {
            self.entries.put(sha, &body);
        }
    }

    /// The return and its assessment stored under `key` ([`assessment_key`]) for the file
    /// whose bytes hash to `sha`, if a sound entry holds them: the return comes back as
    /// [`nianbao_consolidate::assess`] leaves it (readings and problems moved into the
    /// assessment). The file's read result is kept in the cache as if it had been used.
    pub fn get_assessed(&self, key: &str, sha: &str) -> Option<(Return, Assessed)> {
        let body = self.assessed.as_ref()?.get(key)?;
        let found = rmp_serde::from_slice::<StoredAssessment>(body)
            .ok()?
            .into_parts()?;
        self.entries.keep(sha);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(found)
    }

    /// Stores a return's assessment under `key` ([`assessment_key`]).
    pub fn put_assessed(&self, key: &str, ret: &Return, a: &Assessed) {
        let Some(pack) = &self.assessed else {
            return;
        };
        if let Ok(body) = rmp_serde::to_vec(&StoredAssessment::of(ret, a)) {
            pack.put(key, &body);
        }
    }

    /// (answered from the cache, read fresh) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Removes temporaries a killed run left in the cache, and the one-file-per-entry folders
    /// of earlier revisions.
    pub fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = std::fs::remove_dir_all(e.path());
            } else if e.file_name().to_string_lossy().ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The key a return's assessment is kept under: the hash of its bytes, its path (the unit may
/// be told by the file's name) and `context`, the hash of everything else the assessment
/// depends on (the roster, the rules, last year's returns, the year: [`crate::folder`]).
pub fn assessment_key(context: &str, rel: &str, sha: &str) -> String {
    sha256_hex(format!("{context}\n{rel}\n{sha}").as_bytes())
}

/// A return's assessment as the cache keeps it.
#[derive(Serialize, Deserialize)]
struct StoredAssessment {
    format: nianbao_read::Format,
    unit_name: Option<String>,
    year: Option<i32>,
    generated: Option<String>,
    values: nianbao_format::UnitValues,
    found: Vec<nianbao_format::Violation>,
    problems: usize,
    blanks: usize,
    complete: bool,
    /// The readings kept (something was found): each sheet's name once, then the readings.
    readings: Option<(Vec<String>, Packed)>,
}

impl StoredAssessment {
    fn of(r: &Return, a: &Assessed) -> StoredAssessment {
        StoredAssessment {
            format: r.format,
            unit_name: r.unit_name.clone(),
            year: r.year,
            generated: r.generated.clone(),
            values: a.values.clone(),
            found: a.found.clone(),
            problems: a.problems,
            blanks: a.blanks,
            complete: a.complete,
            readings: a.readings.as_deref().map(pack_readings),
        }
    }

    fn into_parts(self) -> Option<(Return, Assessed)> {
        let readings = match self.readings {
            Some((sheets, packed)) => Some(unpack_with_sheets(sheets, &packed)?),
            None => None,
        };
        let ret = Return {
            format: self.format,
            unit_name: self.unit_name,
            year: self.year,
            readings: Vec::new(),
            problems: Vec::new(),
            generated: self.generated,
        };
        let a = Assessed {
            readings,
            values: self.values,
            found: self.found,
            problems: self.problems,
            blanks: self.blanks,
            complete: self.complete,
        };
        Some((ret, a))
    }
}

/// A return as the cache keeps it: its readings packed into bytes ([`Packed`]), each sheet's
/// name once; the rest as serde gives it.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: nianbao_read::Format,
    unit_name: Option<String>,
    year: Option<i32>,
    sheets: Vec<String>,
    readings: Packed,
    problems: Vec<nianbao_format::Violation>,
    generated: Option<String>,
}

impl Stored {
    fn of(r: &Return) -> Stored {
        let Return {
            format,
            unit_name,
            year,
            readings,
            problems,
            generated,
        } = r;
        let (sheets, readings) = pack_readings(readings);
        Stored {
            format: *format,
            unit_name: unit_name.clone(),
            year: *year,
            sheets,
            readings,
            problems: problems.clone(),
            generated: generated.clone(),
        }
    }

    /// The return, if its packed readings are whole.
    fn into_return(self) -> Option<Return> {
        Some(Return {
            format: self.format,
            unit_name: self.unit_name,
            year: self.year,
            readings: unpack_with_sheets(self.sheets, &self.readings)?,
            problems: self.problems,
            generated: self.generated,
        })
    }
}

/// Readings packed ([`Packed`]), with the names of their sheets, each once.
fn pack_readings(readings: &[nianbao_format::Reading]) -> (Vec<String>, Packed) {
    let mut sheets: Vec<String> = Vec::new();
    let mut packed = Vec::with_capacity(readings.len() * 22);
    for x in readings {
        let cell = x.cell.as_ref().map(|c| {
            let k = match sheets.iter().position(|s| **s == *c.sheet) {
                Some(k) => k,
                None => {
                    sheets.push(c.sheet.to_string());
                    sheets.len() - 1
                }
            };
            (k as u32, c.row, c.col)
        });
        pack_reading(&mut packed, x, cell);
    }
    (sheets, Packed(packed))
}

/// The readings of [`pack_readings`], if they are whole.
fn unpack_with_sheets(
    sheets: Vec<String>,
    packed: &Packed,
) -> Option<Vec<nianbao_format::Reading>> {
    let sheets: Vec<std::sync::Arc<str>> = sheets.into_iter().map(Into::into).collect();
    unpack_readings(&packed.0, &sheets)
}

/// Readings as bytes: decoding 200 of them a return through serde was most of a re-run's
/// reading. Each is a flags byte (value, blank, cell, raw text), then what the flags say: the
/// value (zigzag varint), the cell (sheet index, row, column: varints), the raw text (varint
/// length, UTF-8).
struct Packed(Vec<u8>);

const HAS_VALUE: u8 = 1;
const BLANK: u8 = 2;
const HAS_CELL: u8 = 4;
const HAS_RAW: u8 = 8;

fn pack_reading(out: &mut Vec<u8>, r: &nianbao_format::Reading, cell: Option<(u32, u32, u32)>) {
    let bit = |on: bool, flag: u8| if on { flag } else { 0 };
    let flags = bit(r.value.is_some(), HAS_VALUE)
        | bit(r.blank, BLANK)
        | bit(cell.is_some(), HAS_CELL)
        | bit(!r.raw.is_empty(), HAS_RAW);
    out.push(flags);
    if let Some(v) = r.value {
        put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
    }
    if let Some((k, row, col)) = cell {
        for n in [k, row, col] {
            put_varint(out, u64::from(n));
        }
    }
    if !r.raw.is_empty() {
        put_varint(out, r.raw.len() as u64);
        out.extend_from_slice(r.raw.as_bytes());
    }
}

/// LEB128: seven bits a byte, the high bit set on all but the last.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_varint(b: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b.split_first()?;
        *b = rest;
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// The readings of [`pack_reading`]'s bytes; None if they are not whole.
fn unpack_readings(
    mut b: &[u8],
    sheets: &[std::sync::Arc<str>],
) -> Option<Vec<nianbao_format::Reading>> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = b.split_at_checked(n)?;
        *b = rest;
        Some(head)
    }
    fn u32_of(b: &mut &[u8]) -> Option<u32> {
        u32::try_from(take_varint(b)?).ok()
    }
    let mut out = Vec::with_capacity(nianbao_format::FIELD_COUNT);
    while let Some((&flags, rest)) = b.split_first() {
        b = rest;
        let value = match flags & HAS_VALUE {
            0 => None,
            _ => {
                let z = take_varint(&mut b)?;
                Some((z >> 1) as i64 ^ -((z & 1) as i64))
            }
        };
        let cell = match flags & HAS_CELL {
            0 => None,
            _ => {
                let sheet = sheets.get(u32_of(&mut b)? as usize)?.clone();
                Some(nianbao_format::CellRef {
                    sheet,
                    row: u32_of(&mut b)?,
                    col: u32_of(&mut b)?,
                })
            }
        };
        let raw = match flags & HAS_RAW {
            0 => String::new(),
            _ => {
                let n = u32_of(&mut b)? as usize;
                String::from_utf8(take(&mut b, n)?.to_vec()).ok()?
            }
        };
        out.push(nianbao_format::Reading {
            value,
            blank: flags & BLANK != 0,
            cell,
            raw,
        });
    }
    Some(out)
}

impl Serialize for Packed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Packed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Packed, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Packed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("packed readings")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Packed, E> {
                Ok(Packed(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Packed, E> {
                Ok(Packed(v))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

/// Reads a file's bytes (within the reader's size cap) and its hash.
pub fn read_hashed(path: &Path) -> std::io::Result<(Vec<u8>, String)> {
    use nianbao_read::FileBytes;
    match nianbao_read::file_bytes(path)? {
        FileBytes::Bytes(bytes) => {
            let sha = sha256_hex(&bytes);
            Ok((bytes, sha))
        }
        // Too large to be a return: the reader says so without these bytes.
        FileBytes::TooLarge(len) => Ok((Vec::new(), format!("too-large-{len}"))),
        FileBytes::Folder => Err(std::io::ErrorKind::IsADirectory.into()),
    }
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
        let stamp = Stamp::of_metadata(&std::fs::metadata(&file).unwrap()).unwrap();
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
        let now = Stamp::of_metadata(&std::fs::metadata(&file).unwrap()).unwrap();
        assert_eq!((now.len, now.mtime_ns), (stamp.len, stamp.mtime_ns));
        assert_eq!(next.known_hash(&file, &now), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn ok(name: &str) -> Result<Return, Msg> {
        Ok(Return {
            format: nianbao_read::Format::Xlsx,
            unit_name: Some(name.to_string()),
            year: Some(2022),
            readings: vec![nianbao_format::Reading {
                value: Some(7),
                blank: false,
                cell: Some(nianbao_format::CellRef {
                    sheet: "Sheet1".into(),
                    row: 3,
                    col: 2,
                }),
                raw: String::new(),
            }],
            problems: Vec::new(),
            generated: None,
        })
    }

    #[test]
    fn packed_readings_come_back_whole_or_not_at_all() {
        use nianbao_format::{CellRef, Reading};
        let sheets: Vec<std::sync::Arc<str>> = vec!["表一".into(), "Sheet2".into()];
        let at = |k: usize, row, col| {
            Some(CellRef {
                sheet: sheets[k].clone(),
                row,
                col,
            })
        };
        let readings = vec![
            Reading {
                value: Some(-7),
                blank: false,
                cell: at(0, 3, 2),
                raw: String::new(),
            },
            Reading {
                value: None,
                blank: false,
                cell: at(1, 70_000, 12),
                raw: "约10件".into(),
            },
            Reading {
                value: Some(0),
                blank: true,
                cell: None,
                raw: String::new(),
            },
            Reading {
                value: Some(i64::MAX),
                ..Default::default()
            },
            Reading {
                value: Some(i64::MIN),
                ..Default::default()
            },
        ];
        let mut packed = Vec::new();
        for r in &readings {
            let cell = r.cell.as_ref().map(|c| {
                let k = sheets.iter().position(|s| *s == c.sheet).unwrap() as u32;
                (k, c.row, c.col)
            });
            pack_reading(&mut packed, r, cell);
        }
        assert_eq!(unpack_readings(&packed, &sheets), Some(readings));
        for cut in 1..packed.len() {
            let back = unpack_readings(&packed[..cut], &sheets);
            assert!(back.is_none_or(|r| r.len() < 5), "cut at {cut}");
        }
        // A sheet index out of range: not whole.
        assert_eq!(unpack_readings(&packed, &sheets[..1]), None);
    }

    #[test]
    fn a_stored_result_comes_back_and_a_damaged_one_never() {
        let dir = scratch("roundtrip");
        let (one, two, three) = (sha256_hex(b"1"), sha256_hex(b"2"), sha256_hex(b"3"));
        let failed: Result<Return, Msg> = Err(Msg::new("文件为空", "the file is empty"));
        let run = Cache::new(dir.clone());
        assert!(run.get(&one).is_none());
        run.put(&one, &ok("甲"));
        run.put(&two, &failed);
        run.put(&three, &ok("丙"));
        run.save();
        let next = Cache::new(dir.clone());
        let shown = |r: Option<Result<Return, Msg>>| format!("{r:?}");
        assert_eq!(shown(next.get(&one)), shown(Some(ok("甲"))));
        assert_eq!(next.counts(), (1, 0));
        assert_eq!(run.counts(), (0, 3));
        // Most of the pack unused: it is rewritten with what was used.
        next.save();
        let after = Cache::new(dir.clone());
        assert!(after.get(&three).is_none() && after.get(&two).is_none());
        assert!(after.get(&one).is_some());
        // Read fresh while the pack was used: appended.
        after.put(&two, &failed);
        after.save();
        let again = Cache::new(dir.clone());
        assert_eq!(shown(again.get(&two)), shown(Some(failed.clone())));
        assert_eq!(shown(again.get(&one)), shown(Some(ok("甲"))));

        // A run that used everything and read nothing fresh leaves the pack alone.
        let path = dir.join("entries.pack");
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let same = Cache::new(dir.clone());
        assert!(same.get(&one).is_some() && same.get(&two).is_some());
        same.save();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );

        // Damaged: a flipped byte loses its record only; truncated keeps the whole records;
        // another revision or nothing at all, no record.
        let good = std::fs::read(&path).unwrap();
        let body_of_first = PACK_MAGIC.len() + READER_REVISION.len() + 1 + RECORD_HEAD;
        let mut flipped = good.clone();
        flipped[body_of_first + 2] ^= 1;
        let pack = Pack::parse(flipped, &pack_head());
        assert_eq!(
            [pack.get(&one).is_some(), pack.get(&two).is_some()],
            [false, true]
        );
        let pack = Pack::parse(good[..good.len() - 3].to_vec(), &pack_head());
        assert_eq!(
            [pack.get(&one).is_some(), pack.get(&two).is_some()],
            [true, false]
        );
        let other = String::from_utf8_lossy(&good).replacen(READER_REVISION, "0.0.0+reader.1", 1);
        assert!(Pack::parse(other.into_bytes(), &pack_head()).at.is_empty());
        assert!(Pack::parse(Vec::new(), &pack_head()).at.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_assessment_comes_back_and_keeps_the_read_result_it_came_from() {
        let dir = scratch("assessed");
        let (one, two) = (sha256_hex(b"1"), sha256_hex(b"2"));
        let (k1, k2) = (
            assessment_key("ctx", "a.xlsx", &one),
            assessment_key("ctx", "b.xlsx", &two),
        );
        assert_ne!(k1, assessment_key("other", "a.xlsx", &one));
        assert_ne!(k1, assessment_key("ctx", "c.xlsx", &one));
        let mut ret = ok("甲").unwrap();
        let readings = std::mem::take(&mut ret.readings);
        let assessed = Assessed {
            values: nianbao_format::UnitValues::from_readings(&readings),
            readings: Some(readings),
            found: vec![nianbao_format::Violation {
                rule: "balance".into(),
                ..Default::default()
            }],
            problems: 0,
            blanks: 1,
            complete: true,
        };
        let (three, k3) = (
            sha256_hex(b"3"),
            assessment_key("ctx", "c.xlsx", &sha256_hex(b"3")),
        );
        let run = Cache::new(dir.clone());
        for (sha, key) in [(&one, &k1), (&two, &k2), (&three, &k3)] {
            run.put(sha, &ok("甲"));
            run.put_assessed(key, &ret, &assessed);
        }
        run.save();
        let next = Cache::new(dir.clone());
        let (back, again) = next.get_assessed(&k1, &one).unwrap();
        assert_eq!(format!("{back:?}"), format!("{ret:?}"));
        assert_eq!(format!("{again:?}"), format!("{assessed:?}"));
        assert!(
            next.get_assessed(&assessment_key("ctx", "a.xlsx", &two), &two)
                .is_none()
        );
        assert_eq!(next.counts(), (1, 0));
        // One of three assessments used: their pack is rewritten with it; the read results'
        // pack, never opened, is left as it is.
        next.save();
        let after = Cache::new(dir.clone());
        assert!(after.get_assessed(&k1, &one).is_some());
        assert!(after.get_assessed(&k2, &two).is_none());
        // Opened and compacted, it keeps the read result of the file answered by its
        // assessment, though that was never decoded.
        let fresh = sha256_hex(b"4");
        after.put(&fresh, &ok("丙"));
        after.save();
        let last = Cache::new(dir.clone());
        assert!(last.get(&one).is_some() && last.get(&fresh).is_some());
        assert!(last.get(&two).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
