//! `nianbao run WORKSPACE`: the nightly consolidation of a year's workspace. One run at a time
//! (an OS lock the kernel releases when the process dies), files read through the cache, the
//! outputs left untouched when nothing they depend on changed, what changed since the last run,
//! and a line in the run log.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use nianbao_format::{
    Changes, FileStatus, Lang, Report, StatusChange, TotalChange, UnitStatus, fields,
};
use serde::{Deserialize, Serialize};

use crate::RunError;
use crate::cache::{Cache, sha256_hex};
use crate::date::Date;
use crate::folder::{FolderOutcome, prepare};
use crate::read::Progress;
use crate::workspace::Workspace;

/// What `run` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub workspace: PathBuf,
    /// Wait this long for another run of the workspace to finish; None: give up at once.
    pub wait: Option<Duration>,
    pub lang: Lang,
    /// The frame for analysts (Parquet, CSV), here rather than where nianbao.toml says.
    pub parquet: Option<PathBuf>,
    pub csv: Option<PathBuf>,
}

/// Why a run did not happen.
#[derive(Debug)]
pub enum RunFailure {
    /// Another run holds the workspace (exit status 3).
    Busy { message: nianbao_format::Msg },
    /// The run could not be done (exit status 2).
    Cannot(RunError),
}

impl From<RunError> for RunFailure {
    fn from(e: RunError) -> RunFailure {
        RunFailure::Cannot(e)
    }
}

/// What a run did.
#[derive(Debug)]
pub struct RunOutcome {
    pub workspace: Workspace,
    pub report: Report,
    pub changes: Changes,
    /// Whether out/ was written (false: nothing it depends on changed since the last run).
    pub written: bool,
    /// Annotated returns written, those of earlier runs removed, and those left as a clerk or a
    /// unit changed them (see [`FolderOutcome`]).
    pub annotated: Vec<String>,
    pub stale_removed: Vec<String>,
    pub left_alone: Vec<String>,
    /// Files answered from the cache and read fresh.
    pub cached: usize,
    pub fresh: usize,
}

/// The lock of a workspace, held for the whole run (and by whatever else changes the
/// workspace's inputs, such as a return placed by the web page).
pub(crate) struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the workspace's lock, waiting up to `wait`; says who holds it when it cannot.
    pub(crate) fn take(state: &Path, wait: Option<Duration>) -> Result<Lock, RunFailure> {
        std::fs::create_dir_all(state)
            .map_err(|e| RunError::io("无法创建文件夹", "cannot create folder", state, &e))?;
        let path = state.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| RunError::io("无法打开锁文件", "cannot open the lock file", &path, &e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if wait.is_some_and(|w| started.elapsed() < w) {
                        std::thread::sleep(Duration::from_millis(200));
                        continue;
                    }
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let mut parts = holder.split_whitespace();
                    let pid = parts.next().unwrap_or("?").to_string();
                    let since = parts.next().unwrap_or("?").to_string();
                    return Err(RunFailure::Busy {
                        message: nianbao_format::Msg::new(
                            format!("另一次汇总正在进行（进程 {pid}，开始于 {since}）"),
                            format!("another run is in progress (process {pid}, started {since})"),
                        ),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(RunError::io("无法加锁", "cannot lock", &path, &e).into());
                }
            }
        }
        // Who holds it, for a run that finds it taken.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = writeln!(file, "{} {}", std::process::id(), now_rfc3339());
        let _ = file.flush();
        Ok(Lock { _file: file })
    }
}

/// Now, as RFC 3339 in China time: "2024-01-05T02:00:13+08:00".
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        + 8 * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}+08:00",
        Date::from_days(days),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What the next run compares itself with.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// Everything the outputs depend on, hashed.
    fingerprint: String,
    time: String,
    units: BTreeMap<String, UnitState>,
    totals: Vec<i64>,
    /// The outputs and annotated returns as this run left them (path → "size mtime-ns"): a run
    /// is silent only while they are still these, not those of a run killed before it could
    /// record its state, nor those of a run between nights (`serve`), nor a clerk's edit.
    #[serde(default)]
    outputs: BTreeMap<String, String>,
}

/// Size and modification time of each output there.
fn output_stamps<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> BTreeMap<String, String> {
    paths
        .into_iter()
        .filter_map(|p| {
            let p = p.as_ref();
            let meta = std::fs::metadata(p).ok()?;
            let mtime = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos();
            Some((p.display().to_string(), format!("{} {mtime}", meta.len())))
        })
        .collect()
}

/// The same of the outputs and of the annotated returns (退回) there: a run is silent only
/// while none was removed, replaced or added.
fn all_output_stamps(outputs: &[&Path], annotate: &Path) -> BTreeMap<String, String> {
    let mut stamps = output_stamps(outputs);
    if let Ok(entries) = std::fs::read_dir(annotate) {
        let annotated = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path());
        stamps.extend(output_stamps(annotated));
    }
    stamps
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct UnitState {
    status: String,
    /// The unit's files and their content hashes.
    files: BTreeMap<String, String>,
    /// Its files set aside (copies counted once, older ones), and their content hashes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    set_aside: BTreeMap<String, String>,
}

fn snapshot(report: &Report, hashes: &BTreeMap<String, String>) -> BTreeMap<String, UnitState> {
    let hashed = |f: &String| (f.clone(), hashes.get(f).cloned().unwrap_or_default());
    let mut set_aside: HashMap<&str, BTreeMap<String, String>> = HashMap::new();
    for f in &report.files {
        if let (FileStatus::Skipped, Some(unit)) = (f.status, &f.unit) {
            let (file, hash) = hashed(&f.file);
            set_aside.entry(unit).or_default().insert(file, hash);
        }
    }
    report
        .units
        .iter()
        .map(|u| {
            let state = UnitState {
                status: u.status.as_str().to_string(),
                files: u.files.iter().map(hashed).collect(),
                set_aside: set_aside.remove(u.unit.as_str()).unwrap_or_default(),
            };
            (u.unit.clone(), state)
        })
        .collect()
}

fn filed(u: &UnitState) -> bool {
    !u.files.is_empty()
}

/// What changed between the last run's state and this one's.
fn changes(before: Option<&State>, units: &BTreeMap<String, UnitState>, totals: &[i64]) -> Changes {
    let empty = BTreeMap::new();
    let (since, old_units, old_totals) = match before {
        Some(s) => (Some(s.time.clone()), &s.units, s.totals.as_slice()),
        None => (None, &empty, &[][..]),
    };
    let mut c = Changes {
        since,
        ..Default::default()
    };
    for (code, now) in units {
        let was = old_units.get(code);
        match was {
            Some(w) if filed(w) && filed(now) && w.files != now.files => {
                c.refiled_units.push(code.clone())
            }
            Some(w) if filed(w) && !filed(now) => c.withdrawn_units.push(code.clone()),
            Some(w) if !filed(w) && filed(now) => c.new_units.push(code.clone()),
            None if filed(now) => c.new_units.push(code.clone()),
            _ => {}
        }
        // A file set aside that the unit did not have before (a copy sent again, say).
        let known = |f: &String| {
            was.is_some_and(|w| w.files.contains_key(f) || w.set_aside.contains_key(f))
        };
        if now.set_aside.keys().any(|f| !known(f)) {
            c.set_aside_units.push(code.clone());
        }
        if let Some(w) = was
            && w.status != now.status
        {
            c.status_changed.push(StatusChange {
                unit: code.clone(),
                from: w.status.clone(),
                to: now.status.clone(),
            });
        }
    }
    for (code, w) in old_units {
        if filed(w) && !units.contains_key(code) {
            c.withdrawn_units.push(code.clone());
        }
    }
    if !old_totals.is_empty() {
        for (f, (&from, &to)) in fields().iter().zip(old_totals.iter().zip(totals)) {
            if from != to {
                c.totals_changed.push(TotalChange {
                    field: f.id.clone(),
                    from,
                    to,
                });
            }
        }
    }
    c
}

fn load_state(path: &Path) -> Option<State> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes a small file whole or not at all.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            RunError::io("无法写入", "cannot write", path, &e)
        })
}

/// Removes the temporaries a killed run left beside the outputs (hidden `.NAME.PID-….tmp`
/// files of processes that no longer run).
fn sweep_temporaries(dirs: &[&Path]) {
    for dir in dirs {
        // A commit a killed run left half done is completed first: its temporaries are the
        // newer outputs.
        crate::outputs::complete_interrupted_commits(dir);
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !(name.starts_with('.') && name.ends_with(".tmp")) {
                continue;
            }
            let pid = name
                .rsplit_once(".tmp")
                .and_then(|(head, _)| head.rsplit('.').next())
                .and_then(|tail| tail.split('-').next())
                .and_then(|p| p.parse::<u32>().ok());
            let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
            if !alive || pid == Some(std::process::id()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The hash of everything the outputs depend on: the files read, the build that writes them
/// (a new version writes its outputs anew even when no input changed) and their language.
fn fingerprint(ws: &Workspace, lang: Lang, hashes: &[&BTreeMap<String, String>]) -> String {
    let mut text = String::new();
    text.push_str(crate::cache::READER_REVISION);
    text.push('\n');
    // A build that cannot tell itself apart from another never counts as the same.
    let build = crate::cache::build_id().map_or_else(
        || format!("unknown {} {:?}", std::process::id(), SystemTime::now()),
        str::to_string,
    );
    text.push_str(&format!("build {build}\nlang {lang:?}\n"));
    let files = [
        Some(ws.root.join(crate::workspace::CONFIG_FILE)),
        Some(ws.roster.clone()),
        ws.rules.clone(),
        ws.waivers.clone(),
    ];
    for f in files.iter().flatten() {
        let bytes = std::fs::read(f).unwrap_or_default();
        text.push_str(&format!("{} {}\n", f.display(), sha256_hex(&bytes)));
    }
    for h in hashes {
        for (rel, sha) in h.iter() {
            text.push_str(&format!("{rel}\t{sha}\n"));
        }
        text.push_str("--\n");
    }
    sha256_hex(text.as_bytes())
}

/// The fingerprint with what the outputs show that depends on the day, not on a file: whether
/// the deadline has passed (报送情况 says so), and what the explanations did — one that expired
/// overnight no longer accepts its warning, and the outputs must say so although no file changed.
fn as_of_today(
    print: String,
    deadline_passed: Option<bool>,
    waivers: &nianbao_format::WaiverOutcome,
) -> String {
    let mut text = print;
    if let Some(passed) = deadline_passed {
        text.push_str(&format!(" deadline passed: {passed}"));
    }
    if !waivers.is_empty() {
        text.push_str(" waivers: ");
        text.push_str(&serde_json::to_string(waivers).unwrap_or_default());
    }
    sha256_hex(text.as_bytes())
}

/// One line of the run log.
#[derive(Serialize)]
struct LogLine<'a> {
    start: &'a str,
    end: String,
    duration_s: f64,
    read_fresh: usize,
    from_cache: usize,
    coverage: String,
    errors: usize,
    warnings: usize,
    exit: u8,
    outputs_written: bool,
}

/// Runs the workspace's consolidation.
pub fn run(req: &RunRequest, progress: &dyn Progress) -> Result<RunOutcome, RunFailure> {
    run_as(req, progress, true)
}

/// The same consolidation between two nightly runs (after a return was submitted on the web
/// page): same lock, cache and outputs, what changed since the last nightly run, but the state
/// the next nightly run compares itself with is left as the last nightly run wrote it, so that
/// its news still covers the whole day.
pub fn run_between_nights(
    req: &RunRequest,
    progress: &dyn Progress,
) -> Result<RunOutcome, RunFailure> {
    run_as(req, progress, false)
}

fn run_as(
    req: &RunRequest,
    progress: &dyn Progress,
    nightly: bool,
) -> Result<RunOutcome, RunFailure> {
    let started = Instant::now();
    let start = now_rfc3339();
    let mut ws = Workspace::open(&req.workspace)?;
    if req.parquet.is_some() {
        ws.parquet.clone_from(&req.parquet);
    }
    if req.csv.is_some() {
        ws.csv.clone_from(&req.csv);
    }
    let state_dir = ws.state_dir();
    let _lock = Lock::take(&state_dir, req.wait)?;
    let cache_dir = state_dir.join("cache");
    Cache::new(cache_dir.clone()).sweep();
    let output_paths = ws.output_files();
    let out_dirs: Vec<&Path> = output_paths
        .iter()
        .filter_map(|p| p.parent())
        .chain([ws.annotate.as_path(), state_dir.as_path()])
        .collect();
    sweep_temporaries(&out_dirs);

    let request = ws.folder_request(req.lang);
    let prepared = prepare(&request, progress)?;
    // The deadline's passing changes what 报送情况 says: it counts as an input.
    let deadline = ws.deadline.map(|d| (d.to_string(), Date::today() > d));
    let print = fingerprint(&ws, req.lang, &[&prepared.hashes, &prepared.prior_hashes]);
    let print = as_of_today(
        print,
        deadline.as_ref().map(|(_, passed)| *passed),
        &prepared.report.waivers,
    );
    let state_path = state_dir.join("state.json");
    let before = load_state(&state_path);
    let units = snapshot(&prepared.report, &prepared.hashes);
    let changes = changes(before.as_ref(), &units, &prepared.report.totals);
    let outputs_there = output_paths.iter().all(|p| p.is_file());
    let stamps = all_output_stamps(&output_paths, &ws.annotate);
    let unchanged = before
        .as_ref()
        .is_some_and(|b| b.fingerprint == print && b.outputs == stamps)
        && outputs_there;
    let (cached, fresh) = (prepared.cached, prepared.fresh);
    let (report, annotated, stale_removed, left_alone) = if unchanged {
        (prepared.report, Vec::new(), Vec::new(), Vec::new())
    } else {
        let FolderOutcome {
            report,
            annotated,
            stale_removed,
            left_alone,
            ..
        } = prepared.write_with_changes(changes.clone(), deadline)?;
        (report, annotated, stale_removed, left_alone)
    };
    let state = State {
        fingerprint: print,
        time: start.clone(),
        units,
        totals: report.totals.clone(),
        // Unchanged, the outputs are as they were found; else as this run wrote them.
        outputs: if unchanged {
            stamps
        } else {
            all_output_stamps(&output_paths, &ws.annotate)
        },
    };
    if nightly {
        let bytes = serde_json::to_vec(&state).unwrap_or_default();
        write_whole(&state_path, &bytes)?;
    }

    let line = LogLine {
        start: &start,
        end: now_rfc3339(),
        duration_s: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        read_fresh: fresh,
        from_cache: cached,
        coverage: report.coverage.label(Lang::Zh),
        errors: report.error_count(),
        warnings: report
            .violations
            .iter()
            .filter(|v| v.violation.severity == nianbao_format::Severity::Warning)
            .count(),
        exit: if report.has_errors() { 1 } else { 0 },
        outputs_written: !unchanged,
    };
    if let Ok(mut text) = serde_json::to_string(&line) {
        text.push('\n');
        let log = state_dir.join("runs.jsonl");
        let _ = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(text.as_bytes()));
    }
    Ok(RunOutcome {
        workspace: ws,
        report,
        changes,
        written: !unchanged,
        annotated,
        stale_removed,
        left_alone,
        cached,
        fresh,
    })
}

/// Units that must still file (not yet received), for the deadline line.
pub fn not_filed(report: &Report) -> Vec<&nianbao_format::UnitEntry> {
    report
        .units
        .iter()
        .filter(|u| matches!(u.status, UnitStatus::Missing))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(status: &str, files: &[(&str, &str)]) -> UnitState {
        UnitState {
            status: status.into(),
            files: files
                .iter()
                .map(|(f, h)| (f.to_string(), h.to_string()))
                .collect(),
            set_aside: BTreeMap::new(),
        }
    }

    fn with_set_aside(mut u: UnitState, files: &[(&str, &str)]) -> UnitState {
        u.set_aside = files
            .iter()
            .map(|(f, h)| (f.to_string(), h.to_string()))
            .collect();
        u
    }

    #[test]
    fn an_explanation_that_expires_or_a_deadline_that_passes_changes_the_fingerprint() {
        use nianbao_format::{Waiver, WaiverOutcome};
        let waiver = Waiver {
            unit: "U05".into(),
            rule: "t3.total.blank".into(),
            reason: "说明".into(),
            expires: Some("2024-01-31".into()),
            line: 2,
        };
        let applied = WaiverOutcome {
            applied: vec![waiver.clone()],
            ..Default::default()
        };
        let expired = WaiverOutcome {
            expired: vec![waiver],
            ..Default::default()
        };
        let print = || "inputs".to_string();
        let none = WaiverOutcome::default();
        assert_ne!(
            as_of_today(print(), None, &applied),
            as_of_today(print(), None, &expired)
        );
        assert_ne!(
            as_of_today(print(), Some(false), &none),
            as_of_today(print(), Some(true), &none)
        );
        assert_ne!(
            as_of_today(print(), None, &none),
            as_of_today(print(), Some(false), &none)
        );
        assert_eq!(
            as_of_today(print(), Some(true), &applied),
            as_of_today(print(), Some(true), &applied)
        );
    }

    #[test]
    fn changes_between_two_runs() {
        let mut before = State {
            time: "2024-01-05T02:00:00+08:00".into(),
            ..Default::default()
        };
        before
            .units
            .insert("U01".into(), unit("ok", &[("a.xlsx", "1")]));
        before
            .units
            .insert("U02".into(), unit("errors", &[("b.xlsx", "2")]));
        before.units.insert("U03".into(), unit("missing", &[]));
        before
            .units
            .insert("U04".into(), unit("ok", &[("d.xlsx", "4")]));
        before
            .units
            .insert("U05".into(), unit("ok", &[("e.xlsx", "5")]));
        before.units.insert(
            "U06".into(),
            with_set_aside(unit("ok", &[("f.xlsx", "6")]), &[("f 副本.xlsx", "6")]),
        );
        before.totals = vec![1; fields().len()];
        let mut now = BTreeMap::new();
        now.insert("U02".to_string(), unit("ok", &[("b.xlsx", "2b")]));
        now.insert("U03".to_string(), unit("ok", &[("c.xlsx", "3")]));
        now.insert("U04".to_string(), unit("missing", &[]));
        // A copy arrives: set aside, new; a newer version taken, the old one set aside: not new.
        now.insert(
            "U01".to_string(),
            with_set_aside(unit("ok", &[("a.xlsx", "1")]), &[("a 副本.xlsx", "1")]),
        );
        now.insert(
            "U05".to_string(),
            with_set_aside(unit("ok", &[("e2.xlsx", "5b")]), &[("e.xlsx", "5")]),
        );
        now.insert("U06".to_string(), before.units["U06"].clone());
        let mut totals = vec![1; fields().len()];
        totals[3] = 5;
        let c = changes(Some(&before), &now, &totals);
        assert_eq!(c.since.as_deref(), Some("2024-01-05T02:00:00+08:00"));
        assert_eq!(c.new_units, ["U03"]);
        assert_eq!(c.refiled_units, ["U02", "U05"]);
        assert_eq!(c.set_aside_units, ["U01"]);
        assert_eq!(c.withdrawn_units, ["U04"]);
        assert_eq!(c.status_changed.len(), 3);
        assert_eq!(
            c.totals_changed,
            [TotalChange {
                field: fields()[3].id.clone(),
                from: 1,
                to: 5
            }]
        );
        // Nothing changed: nothing to say.
        let same = changes(Some(&before), &before.units.clone(), &before.totals);
        assert!(same.is_empty());
    }
}
