//! Inputs that once crashed, hung or exhausted the reader (found by `fuzz/` or made by hand by
//! `tests/crashers/make_handmade.py`; see `tests/crashers/README.md`). `read_bytes` must return
//! on every one of them — `Ok` or `Err`, either is fine — and:
//!
//! - not panic in our own code, even where `read_bytes`'s `catch_unwind` would hide it (a panic
//!   hook notes every panic outside third-party crates; those in calamine and zip are allowed,
//!   they are what the `catch_unwind` is for);
//! - finish within a minute, on a thread with a 2 MiB stack (the size of the CLI's worker
//!   threads), so deep recursion shows;
//! - give only values of the format when it returns `Ok` (0 ≤ value ≤ `MAX_VALUE`).
//!
//! A new find whose bug is not fixed yet may abort the process (allocation failure, stack
//! overflow): fix it before adding it here.

use std::collections::HashMap;
use std::panic;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use nianbao_format::{FIELD_COUNT, MAX_VALUE};
use nianbao_read::read_bytes;

const TIME_LIMIT: Duration = Duration::from_secs(60);
const STACK: usize = 2 * 1024 * 1024;

fn crashers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers")
}

/// The inputs in `dir` (not the generator script nor the README), sorted.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("py" | "md")))
        .collect();
    files.sort();
    files
}

/// Panics outside third-party code, by the name of the thread they happened on.
fn our_panics() -> &'static Mutex<HashMap<String, Vec<String>>> {
    static PANICS: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    PANICS.get_or_init(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let file = info.location().map_or("", |l| l.file());
            // Dependencies build from $CARGO_HOME/registry/src/… or …/git/checkouts/….
            let third_party = file.contains("/registry/src/") || file.contains("/git/checkouts/");
            if !third_party {
                let thread = thread::current().name().unwrap_or("").to_string();
                if let Ok(mut m) = our_panics().lock() {
                    m.entry(thread).or_default().push(info.to_string());
                }
            }
            default(info);
        }));
        Mutex::new(HashMap::new())
    })
}

/// Reads one file as the CLI would; the reason it fails the contract, if it does.
fn check(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let thread_name = format!("crasher {name}");
    our_panics();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let file_name = name.clone();
    thread::Builder::new()
        .name(thread_name.clone())
        .stack_size(STACK)
        .spawn(move || {
            let outcome = panic::catch_unwind(|| {
                let r = read_bytes(&bytes, &file_name);
                match &r {
                    Ok(ret) => {
                        if ret.readings.len() != FIELD_COUNT {
                            return Err(format!(
                                "{} readings, not {FIELD_COUNT}",
                                ret.readings.len()
                            ));
                        }
                        let bad: Vec<String> = ret
                            .readings
                            .iter()
                            .filter(|r| r.value.is_some_and(|v| !(0..=MAX_VALUE).contains(&v)))
                            .map(|r| format!("{:?} = {:?} (raw {:?})", r.cell, r.value, r.raw))
                            .collect();
                        if !bad.is_empty() {
                            return Err(format!(
                                "values outside 0..=MAX_VALUE: {}",
                                bad.join("; ")
                            ));
                        }
                        Ok(format!("Ok ({} problems)", ret.problems.len()))
                    }
                    Err(e) => Ok(format!("Err: {}", e.message.en)),
                }
            });
            let _ = tx.send(outcome.map_err(|_| "read_bytes panicked".to_string()));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let outcome = match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(inner)) => inner,
        Ok(Err(panicked)) => Err(panicked),
        Err(RecvTimeoutError::Timeout) => {
            return Err(format!("did not return within {} s", TIME_LIMIT.as_secs()));
        }
        Err(RecvTimeoutError::Disconnected) => Err("reader thread died".to_string()),
    };
    let panics = our_panics()
        .lock()
        .map(|mut m| m.remove(&thread_name).unwrap_or_default())
        .unwrap_or_default();
    if !panics.is_empty() {
        return Err(format!("panicked in our code: {}", panics.join(" | ")));
    }
    outcome.map(|what| format!("{what} in {:.2} s", started.elapsed().as_secs_f64()))
}

fn run_all(files: &[PathBuf]) {
    assert!(!files.is_empty(), "no inputs found");
    let mut failures = Vec::new();
    for f in files {
        match check(f) {
            Ok(what) => println!("{}: {what}", f.display()),
            Err(why) => {
                println!("{}: FAILED: {why}", f.display());
                failures.push(format!("{}: {why}", f.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs broke the reader's contract:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn crashers_are_read_without_panic_hang_or_bad_values() {
    run_all(&inputs(&crashers_dir()));
}
