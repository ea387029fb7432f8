//! The web page of a year's workspace (`nianbao serve`): units check and submit their own returns, the office watches the year fill up.
//!
//! HTTP only (axum on tokio, pages compiled in with maud, no external assets): an upload is
//! checked by `nianbao_pipeline::check_file_named`, a submitted return is placed by
//! `nianbao_pipeline::upload::place_return` and consolidated by
//! `nianbao_pipeline::run::run_between_nights`, under the same lock and cache as the nightly
//! `nianbao run`. Who may see what is [`tokens`]' and `routes`'.

mod pages;
mod routes;
mod store;
pub mod tokens;
mod totals;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use nianbao_format::{Changes, Lang, Msg, Report, Unit};
use nianbao_pipeline::RunError;
use nianbao_pipeline::run::{RunFailure, RunRequest, run_between_nights};
use nianbao_pipeline::workspace::Workspace;
use tokio::sync::{Mutex, watch};

use crate::tokens::Tokens;

/// The largest upload taken: 20 MiB of file.
pub const MAX_UPLOAD: u64 = 20 * 1024 * 1024;
/// What a request's body may hold besides the file (multipart headers, the form's fields).
pub const BODY_SLACK: u64 = 64 * 1024;
/// How long a submission or a consolidation waits for another run of the workspace.
pub const LOCK_WAIT: Duration = Duration::from_secs(600);

/// The district as the last consolidation saw it.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub report: Option<Report>,
    /// What changed since the last nightly run.
    pub changes: Changes,
    /// When it was made (RFC 3339, China time).
    pub at: String,
    /// Why the last consolidation did not happen, if it did not.
    pub error: Option<Msg>,
}

/// Picks the Chinese or English text of the page.
pub(crate) fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The server's state.
pub struct App {
    pub ws: Workspace,
    pub roster: Vec<Unit>,
    tokens: RwLock<Tokens>,
    /// Last year's file of each unit, for the cross-year rules of an upload's check.
    prior: HashMap<String, PathBuf>,
    pub snapshot: RwLock<Snapshot>,
    /// Consolidations asked for, and done (a count each): one worker runs them, one at a time,
    /// a burst of submissions in one run.
    requested: watch::Sender<u64>,
    done: watch::Sender<u64>,
    /// One unit's uploads and submissions one at a time.
    unit_locks: HashMap<String, Mutex<()>>,
    /// The language of the pages and of the checks (Chinese unless told).
    pub lang: Lang,
}

impl App {
    /// Opens the workspace: its roster, tokens and last year's files.
    pub fn open(dir: &Path) -> Result<App, RunError> {
        let ws = Workspace::open(dir)?;
        let roster = nianbao_pipeline::load_roster(Some(&ws.roster))?
            .map(|r| r.units)
            .unwrap_or_default();
        let tokens = Tokens::load(&tokens::tokens_path(&ws))?;
        if tokens.is_empty() {
            return Err(RunError::new(
                format!(
                    "尚未发放链接：请先运行 nianbao serve --init-tokens {}",
                    dir.display()
                ),
                format!(
                    "no links issued yet: run nianbao serve --init-tokens {} first",
                    dir.display()
                ),
            ));
        }
        let prior = nianbao_pipeline::upload::prior_files(&ws)?;
        let unit_locks = roster
            .iter()
            .map(|u| (u.code.clone(), Mutex::new(())))
            .collect();
        Ok(App {
            ws,
            roster,
            tokens: RwLock::new(tokens),
            prior,
            snapshot: RwLock::new(Snapshot::default()),
            requested: watch::Sender::new(0),
            done: watch::Sender::new(0),
            unit_locks,
            lang: Lang::Zh,
        })
    }

    /// Asks for a consolidation; the number to wait for.
    pub fn request_consolidation(&self) -> u64 {
        let mut n = 0;
        self.requested.send_modify(|r| {
            *r += 1;
            n = *r;
        });
        n
    }

    /// Waits (at most `limit`) until consolidation `n`, or a later one, is done.
    pub async fn consolidated(&self, n: u64, limit: Duration) -> bool {
        let mut rx = self.done.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|d| *d >= n))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Consolidates whenever asked, one run at a time.
    async fn worker(self: Arc<App>) {
        let mut rx = self.requested.subscribe();
        loop {
            let target = *rx.borrow_and_update();
            if target > *self.done.borrow() {
                let app = self.clone();
                let _ = tokio::task::spawn_blocking(move || app.consolidate_now()).await;
                self.done.send_replace(target);
                continue;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// One consolidation of the workspace, as the nightly run does it (same lock and cache),
    /// leaving the nightly baseline alone.
    fn consolidate_now(&self) {
        let req = RunRequest {
            workspace: self.ws.root.clone(),
            wait: Some(LOCK_WAIT),
            lang: self.lang,
            ..Default::default()
        };
        let result = run_between_nights(&req, &nianbao_pipeline::Silent);
        let mut snap = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        snap.at = nianbao_pipeline::run::now_rfc3339();
        match result {
            Ok(o) => {
                snap.report = Some(o.report);
                snap.changes = o.changes;
                snap.error = None;
            }
            Err(RunFailure::Busy { message }) => snap.error = Some(message),
            Err(RunFailure::Cannot(e)) => {
                snap.error = Some(Msg::new(e.get(Lang::Zh), e.get(Lang::En)));
                // No return at all is an empty year, not an old one.
                if self
                    .ws
                    .returns
                    .read_dir()
                    .is_ok_and(|mut d| d.next().is_none())
                {
                    snap.report = None;
                }
            }
        }
    }

    /// The tokens, read again when `--rotate` changed the file.
    fn tokens(&self) -> std::sync::RwLockReadGuard<'_, Tokens> {
        let path = tokens::tokens_path(&self.ws);
        let now = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let stale = self.tokens.read().map_or(true, |t| t.modified != now);
        if stale && let Ok(fresh) = Tokens::load(&path) {
            *self.tokens.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        }
        self.tokens.read().unwrap_or_else(|e| e.into_inner())
    }

    fn unit(&self, code: &str) -> Option<&Unit> {
        self.roster.iter().find(|u| u.code == code)
    }
}

/// A server running on its own threads.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Starts the server of the workspace in `dir` on `addr` (port 0: any free port), after a first
/// consolidation; returns once it listens. Its pages are in Chinese.
pub fn start(dir: &Path, addr: SocketAddr) -> Result<Running, RunError> {
    start_with_lang(dir, addr, Lang::Zh)
}

/// [`start`], with the pages (and the checks) in `lang`.
pub fn start_with_lang(dir: &Path, addr: SocketAddr, lang: Lang) -> Result<Running, RunError> {
    let mut app = App::open(dir)?;
    app.lang = lang;
    let app = Arc::new(app);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::new(format!("无法启动：{e}"), format!("cannot start: {e}")))?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| {
            RunError::new(
                format!("无法监听 {addr}：{}", nianbao_format::io_error_msg(&e).zh),
                format!("cannot listen on {addr}: {e}"),
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| RunError::new(format!("无法监听：{e}"), format!("cannot listen: {e}")))?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let served = app.clone();
    let thread = std::thread::spawn(move || {
        rt.block_on(async move {
            tokio::spawn(served.clone().worker());
            let first = served.request_consolidation();
            served.consolidated(first, LOCK_WAIT).await;
            let _ = ready_tx.send(());
            let router = routes::router(served);
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
    });
    let _ = ready_rx.recv();
    Ok(Running {
        addr,
        app,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

impl Running {
    /// Blocks until the server ends (it runs until the process is stopped).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
