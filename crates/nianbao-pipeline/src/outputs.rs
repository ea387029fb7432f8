//! The outputs of a run as one set. Every location is checked before anything is read (folder
//! there and writable, not a folder or device where a file goes, not read-only, not an input, no
//! two outputs on one path); every file is written whole to a temporary beside its target, and
//! all are renamed into place only once every one is written, under a lock on their folders, so
//! that a failed, interrupted or concurrent run leaves a set that belongs together.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::RunError;

/// What an output is, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An .xlsx workbook (the combined workbook, an annotated return): a regular file only.
    Workbook,
    /// The JSON report: also `-` (standard output) or a device or pipe such as /dev/stdout.
    Json,
}

/// Where an output goes, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    Stdout,
    /// An existing device or pipe: written straight to it (there is nothing to rename over).
    Stream(PathBuf),
    /// A regular file, replaced atomically: the real path when the given one is a link (the
    /// link stays a link), under the folder's canonical path.
    File(PathBuf),
}

/// An output path as the user gave it, and where it really goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub given: PathBuf,
    pub dest: Dest,
}

impl Target {
    /// The file to be replaced, if this output is one.
    pub fn file(&self) -> Option<&Path> {
        match &self.dest {
            Dest::File(p) => Some(p),
            _ => None,
        }
    }
}

fn refuse(zh: String, en: String) -> RunError {
    RunError::new(zh, en)
}

/// Checks an output file's path: for a workbook, ends in .xlsx; a link is followed to its
/// target; a folder, a dangling link or a read-only file is refused, and so is a folder that
/// does not exist or cannot be written to.
pub fn resolve(given: &Path, kind: Kind) -> Result<Target, RunError> {
    let shown = given.display();
    if given.as_os_str() == "-" {
        return match kind {
            Kind::Json => Ok(Target {
                given: given.into(),
                dest: Dest::Stdout,
            }),
            Kind::Workbook => Err(refuse(
                "工作簿不能写到标准输出（-），请给出 .xlsx 文件名".into(),
                "a workbook cannot go to standard output (-): give an .xlsx file name".into(),
            )),
        };
    }
    if kind == Kind::Workbook && !has_xlsx_extension(given) {
        return Err(refuse(
            format!("输出工作簿须为 .xlsx 文件：{shown}"),
            format!("the output workbook must be an .xlsx file: {shown}"),
        ));
    }
    let link = fs::symlink_metadata(given).map(|m| m.file_type().is_symlink());
    let meta = fs::metadata(given); // follows links
    match (link, meta) {
        (Ok(true), Err(_)) => Err(refuse(
            format!("输出路径是一个指向不存在位置的链接：{shown}"),
            format!("the output path is a link to nowhere: {shown}"),
        )),
        (_, Ok(m)) if m.is_dir() => Err(refuse(
            format!("输出路径是文件夹，不是文件：{shown}"),
            format!("the output path is a folder, not a file: {shown}"),
        )),
        (_, Ok(m)) if !m.is_file() => match kind {
            Kind::Json => Ok(Target {
                given: given.into(),
                dest: Dest::Stream(given.into()),
            }),
            Kind::Workbook => Err(refuse(
                format!("输出路径不是普通文件（设备或管道），工作簿无法写入：{shown}"),
                format!("the output path is not a regular file (a device or pipe): {shown}"),
            )),
        },
        (_, Ok(m)) => {
            if m.permissions().readonly() {
                return Err(refuse(
                    format!("输出文件是只读的，未覆盖：{shown}；请解除只读或换一个文件名"),
                    format!("the output file is read-only and was not replaced: {shown}"),
                ));
            }
            let real = fs::canonicalize(given)
                .map_err(|e| RunError::io("无法解析输出路径", "cannot resolve", given, &e))?;
            writable_folder(real.parent().unwrap_or(Path::new("/")), given)?;
            Ok(Target {
                given: given.into(),
                dest: Dest::File(real),
            })
        }
        (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => {
            let parent = parent_of(given);
            let name = given.file_name().ok_or_else(|| {
                refuse(
                    format!("不是文件路径：{shown}"),
                    format!("not a file path: {shown}"),
                )
            })?;
            match fs::metadata(&parent) {
                Ok(p) if p.is_dir() => {}
                _ => {
                    return Err(refuse(
                        format!("输出文件夹不存在：{}", parent.display()),
                        format!("the output folder does not exist: {}", parent.display()),
                    ));
                }
            }
            let real_parent = fs::canonicalize(&parent)
                .map_err(|e| RunError::io("无法打开输出文件夹", "cannot open", &parent, &e))?;
            writable_folder(&real_parent, given)?;
            Ok(Target {
                given: given.into(),
                dest: Dest::File(real_parent.join(name)),
            })
        }
        (_, Err(e)) => Err(RunError::io(
            "无法访问输出路径",
            "cannot access the output path",
            given,
            &e,
        )),
    }
}

fn has_xlsx_extension(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("xlsx"))
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A folder where files will be written: it exists (or will be created inside a folder that
/// exists), and a file can be created in it. The path returned is canonical.
pub fn resolve_folder(given: &Path) -> Result<PathBuf, RunError> {
    let shown = given.display();
    match fs::metadata(given) {
        Ok(m) if m.is_dir() => {
            let real = fs::canonicalize(given)
                .map_err(|e| RunError::io("无法打开文件夹", "cannot open folder", given, &e))?;
            writable_folder(&real, given)?;
            Ok(real)
        }
        Ok(_) => Err(refuse(
            format!("不是文件夹：{shown}"),
            format!("not a folder: {shown}"),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Created when the outputs are written: its nearest existing ancestor must take it.
            let mut base = parent_of(given);
            let mut rest = vec![given.file_name().map(PathBuf::from).unwrap_or_default()];
            while !base.is_dir() {
                rest.push(base.file_name().map(PathBuf::from).unwrap_or_default());
                match base.parent() {
                    Some(p) if !p.as_os_str().is_empty() => base = p.to_path_buf(),
                    _ => base = PathBuf::from("."),
                }
                if rest.len() > 64 {
                    break;
                }
            }
            let mut real = fs::canonicalize(&base)
                .map_err(|e| RunError::io("无法打开文件夹", "cannot open folder", &base, &e))?;
            writable_folder(&real, given)?;
            for part in rest.iter().rev() {
                real.push(part);
            }
            Ok(real)
        }
        Err(e) => Err(RunError::io(
            "无法访问文件夹",
            "cannot access folder",
            given,
            &e,
        )),
    }
}

/// Proves a file can be created in `dir` by creating (and removing) a temporary one.
fn writable_folder(dir: &Path, given: &Path) -> Result<(), RunError> {
    // Under the commit lock: an interrupt waits until the probe is gone again.
    let _staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    match create_temp(dir, "probe") {
        Ok((tmp, f)) => {
            drop(f);
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) => Err(RunError::io(
            "无法在输出文件夹中写入文件，输出",
            "cannot write in the output folder of",
            given,
            &e,
        )),
    }
}

/// What tells an existing file from every other: device and inode (canonical path where the
/// platform has none), links followed.
pub fn file_id(path: &Path) -> Option<(u64, u64, Option<PathBuf>)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).ok().map(|m| (m.dev(), m.ino(), None))
    }
    #[cfg(not(unix))]
    {
        fs::canonicalize(path).ok().map(|p| (0, 0, Some(p)))
    }
}

/// Whether two paths are the same existing file (hard links and links included).
pub fn same_file(a: &Path, b: &Path) -> bool {
    file_id(a).is_some_and(|x| file_id(b) == Some(x))
}

/// Refuses two outputs on one path.
pub fn refuse_same_twice(targets: &[&Target]) -> Result<(), RunError> {
    for (i, a) in targets.iter().enumerate() {
        for b in &targets[..i] {
            let clash = match (&a.dest, &b.dest) {
                (Dest::File(x), Dest::File(y)) => x == y,
                (Dest::Stdout, Dest::Stdout) => true,
                (Dest::Stream(x), Dest::Stream(y)) => x == y || same_file(x, y),
                _ => false,
            };
            if clash {
                return Err(refuse(
                    format!(
                        "两个输出指向同一个文件：{} 与 {}",
                        b.given.display(),
                        a.given.display()
                    ),
                    format!(
                        "two outputs go to the same file: {} and {}",
                        b.given.display(),
                        a.given.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Refuses an output that would replace an input of the run.
pub fn refuse_input(target: &Target, input: &Path) -> Result<(), RunError> {
    let Some(file) = target.file() else {
        return Ok(());
    };
    if same_file(file, input) {
        return Err(refuse(
            format!(
                "输出文件 {} 是本次读取的输入文件，不能覆盖；请换一个输出位置",
                target.given.display()
            ),
            format!(
                "the output {} is an input of this run and would be overwritten: choose another path",
                target.given.display()
            ),
        ));
    }
    Ok(())
}

/// Temporaries written and not yet renamed into place; the commit lock.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the temporaries of a commit that has not happened, waiting for one in progress to
/// finish first, and ends the process with `code`: called when the process is interrupted, it
/// leaves either the previous set of outputs or the new one, whole. The commit lock is held until
/// the process is gone, so no other thread can stage a temporary after the sweep.
pub fn abandon_staged_and_exit(code: i32) -> ! {
    let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    for p in staged.drain(..) {
        let _ = fs::remove_file(p);
    }
    std::process::exit(code)
}

/// The name ending of a commit's journal: the renames of an output set, one `temporary\ttarget`
/// line each, written whole beside the first target before the first rename and removed after
/// the last.
pub const JOURNAL_SUFFIX: &str = ".nianbao-commit";

fn write_journal(temps: &[(PathBuf, PathBuf)]) -> io::Result<PathBuf> {
    let dir = parent_of(&temps[0].1);
    let mut text = String::new();
    for (tmp, target) in temps {
        let (Some(t), Some(p)) = (tmp.to_str(), target.to_str()) else {
            return Err(io::Error::other("a path that is not UTF-8"));
        };
        if t.contains(['\t', '\n']) || p.contains(['\t', '\n']) {
            return Err(io::Error::other("a path with a tab or a line break"));
        }
        text.push_str(&format!("{t}\t{p}\n"));
    }
    let (tmp, mut file) = create_temp(&dir, "journal")?;
    let journal = dir.join(format!(".{}{JOURNAL_SUFFIX}", std::process::id()));
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, &journal));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir);
    Ok(journal)
}

/// Completes the commits that a killed process left half done in `dir`: every rename its
/// journal lists whose temporary is still there is made, then the journal is removed. Returns
/// the targets completed. Run before temporaries are swept.
pub fn complete_interrupted_commits(dir: &Path) -> Vec<PathBuf> {
    let mut done = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return done;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(JOURNAL_SUFFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        // A process still running is committing right now.
        if pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let journal = e.path();
        let text = fs::read_to_string(&journal).unwrap_or_default();
        for line in text.lines() {
            let Some((tmp, target)) = line.split_once('\t') else {
                continue;
            };
            if Path::new(tmp).is_file() && fs::rename(tmp, target).is_ok() {
                done.push(PathBuf::from(target));
            }
        }
        let _ = fs::remove_file(&journal);
        sync_dir(dir);
    }
    done
}

/// Removes a set's temporaries and forgets them, leaving those of other sets staged.
fn forget_own(staged: &mut Vec<PathBuf>, temps: &[(PathBuf, PathBuf)]) {
    for (tmp, _) in temps {
        let _ = fs::remove_file(tmp);
    }
    staged.retain(|p| !temps.iter().any(|(t, _)| t == p));
}

/// What writes one output of a set (see [`OutputSet::add_written_together`]).
pub type Fill<'a> = Box<dyn FnOnce(&mut (dyn Write + Send)) -> Result<(), RunError> + Send + 'a>;

/// An output being written: its target path and temporary file, or a buffer for a stream.
enum Staged {
    File(PathBuf, File),
    Buffer(Vec<u8>),
    /// A file written whole and synced (closed).
    Written,
}

impl Staged {
    /// Writes the output through `fill`; a file is flushed and synced to disk.
    fn fill(
        self,
        fill: impl FnOnce(&mut (dyn Write + Send)) -> Result<(), RunError>,
    ) -> Result<Staged, RunError> {
        match self {
            Staged::Buffer(mut buf) => {
                fill(&mut buf)?;
                Ok(Staged::Buffer(buf))
            }
            Staged::File(path, file) => {
                // Large writes: the JSON report at 10,000 units is ~100 MB, in 8 KiB it was
                // 12,000 system calls.
                let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                fill(&mut out)?;
                let file = out
                    .into_inner()
                    .map_err(|e| RunError::io("无法写入", "cannot write", &path, e.error()))?;
                if let Ok(meta) = fs::metadata(&path) {
                    let _ = file.set_permissions(meta.permissions());
                }
                file.sync_all()
                    .map_err(|e| RunError::io("无法写入", "cannot write", &path, &e))?;
                Ok(Staged::Written)
            }
            Staged::Written => Ok(Staged::Written),
        }
    }
}

/// Outputs to write together.
#[derive(Debug, Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Vec<u8>)>,
    /// Written already, through [`OutputSet::add_written`]: (temporary, target).
    written: Vec<(PathBuf, PathBuf)>,
    streams: Vec<(Dest, Vec<u8>)>,
    folders: Vec<PathBuf>,
}

impl Drop for OutputSet {
    /// A set dropped before its commit (an error on the way) leaves no temporary behind.
    fn drop(&mut self) {
        if self.written.is_empty() {
            return;
        }
        let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
        forget_own(&mut staged, &std::mem::take(&mut self.written));
    }
}

impl OutputSet {
    /// Writes an output now, through `fill`, to a temporary beside its target (renamed with
    /// the rest at [`OutputSet::commit`]): a large output is never held in memory whole.
    pub fn add_written(
        &mut self,
        target: &Target,
        fill: impl FnOnce(&mut (dyn Write + Send)) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        let staged = self.stage(target)?;
        let filled = staged.fill(fill);
        self.finish(target, filled)
    }

    /// The same for several outputs, written at the same time, each on a thread of its own
    /// (the workbook and the JSON report of 10,000 units take a core each); the first error
    /// is returned, and every temporary is removed with the set.
    pub fn add_written_together(
        &mut self,
        outputs: Vec<(&Target, Fill<'_>)>,
    ) -> Result<(), RunError> {
        let mut staged = Vec::with_capacity(outputs.len());
        for (target, fill) in outputs {
            staged.push((target, self.stage(target)?, fill));
        }
        let filled: Vec<(&Target, Result<Staged, RunError>)> = std::thread::scope(|scope| {
            let mut jobs = staged.into_iter();
            let first = jobs.next();
            let others: Vec<_> = jobs
                .map(|(target, stage, fill)| (target, scope.spawn(move || stage.fill(fill))))
                .collect();
            let mut done: Vec<_> = first
                .map(|(target, stage, fill)| (target, stage.fill(fill)))
                .into_iter()
                .collect();
            for (target, handle) in others {
                let result = handle.join().unwrap_or_else(|_| {
                    Err(RunError::new(
                        "写入输出文件时出现内部错误",
                        "internal error while writing an output",
                    ))
                });
                done.push((target, result));
            }
            done
        });
        let mut first_error = None;
        for (target, result) in filled {
            if let Err(e) = self.finish(target, result)
                && first_error.is_none()
            {
                first_error = Some(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Where an output will be written: a temporary beside its target, created and recorded
    /// (removed with the set unless committed), or a buffer for a stream.
    fn stage(&mut self, target: &Target) -> Result<Staged, RunError> {
        let Dest::File(path) = &target.dest else {
            return Ok(Staged::Buffer(Vec::new()));
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = parent_of(path);
        if let Some(missing) = self
            .folders
            .iter()
            .find(|f| dir.starts_with(f) && !f.exists())
        {
            fs::create_dir_all(missing)
                .map_err(|e| RunError::io("无法创建文件夹", "cannot create folder", missing, &e))?;
        }
        // Created and recorded under the commit lock: an interrupt sees it and removes it.
        let (tmp, file) = {
            let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
            let (tmp, file) = create_temp(&dir, &name)
                .map_err(|e| RunError::io("无法写入", "cannot write", path, &e))?;
            staged.push(tmp.clone());
            (tmp, file)
        };
        self.written.push((tmp, path.clone()));
        Ok(Staged::File(path.clone(), file))
    }

    /// Records what a staged output became: a stream's bytes are kept for the commit.
    fn finish(
        &mut self,
        target: &Target,
        filled: Result<Staged, RunError>,
    ) -> Result<(), RunError> {
        if let Staged::Buffer(buf) = filled? {
            self.add(target, buf);
        }
        Ok(())
    }

    pub fn add(&mut self, target: &Target, bytes: Vec<u8>) {
        match &target.dest {
            Dest::File(p) => self.files.push((p.clone(), bytes)),
            d => self.streams.push((d.clone(), bytes)),
        }
    }

    /// Adds a file by its (already checked) real path.
    pub fn add_file(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.files.push((path, bytes));
    }

    /// A folder to create (with its parents) before the files are written.
    pub fn add_folder(&mut self, dir: PathBuf) {
        self.folders.push(dir);
    }

    /// Writes every file to a temporary beside it, then renames them all into place under a
    /// lock on their folders; then the streams. Nothing is renamed unless every file was written.
    pub fn commit(mut self) -> Result<(), RunError> {
        let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
        for dir in &self.folders {
            fs::create_dir_all(dir)
                .map_err(|e| RunError::io("无法创建文件夹", "cannot create folder", dir, &e))?;
        }
        let mut temps: Vec<(PathBuf, PathBuf)> = std::mem::take(&mut self.written);
        for (path, bytes) in &self.files {
            match stage(path, bytes) {
                Ok(tmp) => {
                    staged.push(tmp.clone());
                    temps.push((tmp, path.clone()));
                }
                Err(e) => {
                    forget_own(&mut staged, &temps);
                    return Err(RunError::io("无法写入", "cannot write", path, &e));
                }
            }
        }
        let mut folders: Vec<PathBuf> = temps.iter().map(|(_, p)| parent_of(p)).collect();
        folders.sort();
        folders.dedup();
        // Another run committing into the same folders waits for this one (and the reverse).
        let locks: Vec<File> = folders
            .iter()
            .filter_map(|d| File::open(d).ok())
            .filter(|f| f.lock().is_ok())
            .collect();
        // The renames, listed first: a run killed between two of them (SIGKILL, a power cut)
        // leaves the list, and the next run completes them before anything else.
        let journal = (temps.len() > 1)
            .then(|| write_journal(&temps))
            .and_then(Result::ok);
        let mut failure = None;
        for (tmp, path) in &temps {
            if let Err(e) = fs::rename(tmp, path) {
                failure = Some(RunError::io("无法写入", "cannot write", path, &e));
                break;
            }
        }
        for d in &folders {
            sync_dir(d);
        }
        if let Some(journal) = journal {
            let _ = fs::remove_file(&journal);
            sync_dir(&parent_of(&journal));
        }
        drop(locks);
        // Only this set's: another set of the same process (a server) may be staging now.
        forget_own(&mut staged, &temps); // renamed ones are gone already
        drop(staged);
        if let Some(e) = failure {
            return Err(e);
        }
        for (dest, bytes) in &self.streams {
            match dest {
                Dest::Stdout => {
                    let mut out = io::stdout().lock();
                    out.write_all(bytes)
                        .and_then(|()| out.flush())
                        .map_err(|e| {
                            RunError::io("无法写入", "cannot write", Path::new("-"), &e)
                        })?;
                }
                Dest::Stream(p) | Dest::File(p) => {
                    OpenOptions::new()
                        .write(true)
                        .open(p)
                        .and_then(|mut f| f.write_all(bytes))
                        .map_err(|e| RunError::io("无法写入", "cannot write", p, &e))?;
                }
            }
        }
        Ok(())
    }
}

/// Writes a whole temporary file beside `path`, flushed to disk, with the permissions of the
/// file it will replace.
fn stage(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut file) = create_temp(&parent_of(path), &name)?;
    let filled = file.write_all(bytes).and_then(|()| {
        if let Ok(meta) = fs::metadata(path) {
            // Best effort: a file we may not re-permission is still written.
            let _ = file.set_permissions(meta.permissions());
        }
        file.sync_all()
    });
    if let Err(e) = filled {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Creates a fresh hidden temporary file in `dir` (hidden files are never read as returns),
/// never reusing an existing name.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last_err = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{nanos:x}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Makes the renames durable where the platform allows syncing a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes one file atomically on its own (a set of one).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let target = resolve(path, Kind::Json)?;
    let mut set = OutputSet::default();
    set.add(&target, bytes.to_vec());
    set.commit()
}
