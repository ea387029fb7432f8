//! Who may do what, and the handlers. Every request is authenticated by its cookie (set by the
//! link `/u/<token>`); without one only a login hint is shown. A unit reaches only its own pages
//! and files (anything else is 404, as if it did not exist); the office reaches all. Every POST
//! carries the session's CSRF token in its query, checked before the body is read.

// A refusal is the response itself, handed back as is: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::Markup;
use nianbao_format::{Lang, UnitStatus};
use nianbao_pipeline::run::{RunFailure, now_rfc3339};
use nianbao_pipeline::{CheckRequest, check_file_named, reconciliation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::store::{self, Fix, Record, Verdict};
use crate::tokens::{Role, csrf_of};
use crate::{App, BODY_SLACK, LOCK_WAIT, MAX_UPLOAD, pages, tr};

/// The session cookie.
const COOKIE: &str = "nianbao";

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/u/{token}", get(login))
        .route("/logout", post(logout))
        .route("/unit/{code}", get(unit_page))
        .route("/unit/{code}/upload", post(upload))
        .route("/unit/{code}/submit", post(submit))
        .route("/unit/{code}/template", get(template))
        .route("/unit/{code}/returned", get(returned))
        .route("/unit/{code}/uploads/{sha}/annotated", get(annotated))
        .route("/unit/{code}/uploads/{sha}/file", get(uploaded_file))
        .route("/office", get(office))
        .route("/office/summary", get(summary_file))
        .route("/office/report", get(report_file))
        .fallback(not_found)
        // The multipart body around a file of at most MAX_UPLOAD; refused as it streams past.
        .layer(DefaultBodyLimit::max((MAX_UPLOAD + BODY_SLACK) as usize))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

/// Headers on every response: nothing cached, nothing loaded from elsewhere, no referrer (the
/// login link carries a token), no framing.
async fn secure_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (k, v) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
             img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    res
}

fn html(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The session's token from its cookie.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Who is asking: their role and token.
struct Session {
    role: Role,
    token: String,
}

impl Session {
    fn csrf(&self) -> String {
        csrf_of(&self.token)
    }
}

/// The session, or the login hint.
fn session(app: &App, headers: &HeaderMap) -> Result<Session, Response> {
    let lang = app.lang;
    let token = cookie_token(headers).ok_or_else(|| login_hint(lang))?;
    match app.tokens().who(&token) {
        Some(role) => Ok(Session { role, token }),
        None => Err(login_hint(lang)),
    }
}

fn login_hint(lang: Lang) -> Response {
    html(StatusCode::UNAUTHORIZED, pages::login_hint(lang))
}

fn not_found_page(lang: Lang) -> Response {
    html(
        StatusCode::NOT_FOUND,
        pages::message(
            lang,
            tr(lang, "页面不存在", "Page not found"),
            tr(lang, "没有这个页面。", "There is no such page."),
            None,
        ),
    )
}

async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match session(&app, &headers) {
        Err(r) => r,
        Ok(_) => not_found_page(app.lang),
    }
}

/// The session, if it may see unit `code`: its own unit, or the office (a roster unit). Any
/// other unit is 404, as if it did not exist.
fn for_unit(app: &App, headers: &HeaderMap, code: &str) -> Result<Session, Response> {
    let s = session(app, headers)?;
    let ok = match &s.role {
        Role::Office => app.unit(code).is_some(),
        Role::Unit(own) => own == code && app.unit(code).is_some(),
    };
    if ok {
        Ok(s)
    } else {
        Err(not_found_page(app.lang))
    }
}

fn for_office(app: &App, headers: &HeaderMap) -> Result<Session, Response> {
    let s = session(app, headers)?;
    if s.role == Role::Office {
        Ok(s)
    } else {
        Err(not_found_page(app.lang))
    }
}

#[derive(Deserialize)]
struct CsrfQuery {
    csrf: Option<String>,
}

/// A POST's CSRF token, compared in constant time.
/// A POST on a unit's page: the session may act for the unit, and the form carries its CSRF
/// token.
fn post_for_unit(
    app: &App,
    headers: &HeaderMap,
    code: &str,
    q: &CsrfQuery,
) -> Result<Session, Response> {
    let s = for_unit(app, headers, code)?;
    csrf_ok(app.lang, &s, q)?;
    Ok(s)
}

fn csrf_ok(lang: Lang, s: &Session, q: &CsrfQuery) -> Result<(), Response> {
    use subtle::ConstantTimeEq;
    let given = q.csrf.as_deref().unwrap_or("");
    if bool::from(given.as_bytes().ct_eq(s.csrf().as_bytes())) {
        Ok(())
    } else {
        Err(html(
            StatusCode::FORBIDDEN,
            pages::message(
                lang,
                tr(lang, "请求被拒绝", "Request refused"),
                tr(
                    lang,
                    "这个请求没有带上本页的校验码（可能来自其他网站）。请回到本页重新操作。",
                    "This request did not carry the page's check code (it may come from another site). Go back to the page and try again.",
                ),
                Some("/"),
            ),
        ))
    }
}

async fn index(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match session(&app, &headers) {
        Err(r) => r,
        Ok(s) => match &s.role {
            Role::Office => see_other("/office"),
            Role::Unit(code) => see_other(&format!("/unit/{code}")),
        },
    }
}

/// The link a unit or the office was sent: sets the session cookie and moves on to a URL
/// without the token (a page of our own, so that the SameSite=Strict cookie is sent with it).
async fn login(State(app): State<Arc<App>>, Path(token): Path<String>) -> Response {
    if app.tokens().who(&token).is_none() {
        return html(StatusCode::UNAUTHORIZED, pages::bad_link(app.lang));
    }
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    let mut res = html(StatusCode::OK, pages::logged_in(app.lang));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

async fn logout(
    State(app): State<Arc<App>>,
    Query(q): Query<CsrfQuery>,
    headers: HeaderMap,
) -> Response {
    let s = match session(&app, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = csrf_ok(app.lang, &s, &q) {
        return r;
    }
    let lang = app.lang;
    let mut res = html(
        StatusCode::OK,
        pages::message(
            lang,
            tr(lang, "已退出", "Logged out"),
            tr(
                lang,
                "已退出。再次打开发给本单位的链接即可登录。",
                "Logged out. Open the link sent to your unit again to log in.",
            ),
            None,
        ),
    );
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("nianbao=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    res
}

async fn unit_page(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let s = match for_unit(&app, &headers, &code) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let view = pages::UnitView::of(&app, &code, s.role == Role::Office, s.csrf());
    html(StatusCode::OK, pages::unit_page(&view))
}

async fn office(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let s = match for_office(&app, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    html(StatusCode::OK, pages::office_page(&app, &s.csrf()))
}

fn too_large(lang: Lang, code: &str) -> Response {
    let mib = MAX_UPLOAD / 1024 / 1024;
    html(
        StatusCode::PAYLOAD_TOO_LARGE,
        pages::message(
            lang,
            tr(lang, "文件过大", "File too large"),
            &match lang {
                Lang::Zh => format!(
                    "上传的文件超过 {mib} MiB，未接收。年报统计表通常不到 1 MiB：请检查是否选错了文件。"
                ),
                Lang::En => format!(
                    "The file is over {mib} MiB and was not taken. A return is usually under 1 MiB: check that you chose the right file."
                ),
            },
            Some(&format!("/unit/{code}")),
        ),
    )
}

fn failed(lang: Lang, code: &str, why: &str) -> Response {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        pages::message(
            lang,
            tr(lang, "处理失败", "Failed"),
            why,
            Some(&format!("/unit/{code}")),
        ),
    )
}

/// An upload: refused when its declared size is too large before a byte of it is read,
/// streamed to a temporary (and refused once past the cap), kept under its SHA-256, checked as
/// the unit's return; the page shows the check.
async fn upload(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    Query(q): Query<CsrfQuery>,
    req: Request,
) -> Response {
    if let Err(r) = post_for_unit(&app, req.headers(), &code, &q) {
        return r;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let lang = app.lang;
    if declared.is_some_and(|n| n > MAX_UPLOAD + BODY_SLACK) {
        return too_large(lang, &code);
    }
    let Some(lock) = app.unit_locks.get(&code) else {
        return not_found_page(lang);
    };
    let _one_at_a_time = lock.lock().await;
    let dir = store::unit_dir(&app.ws, &code);
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        return failed(lang, &code, nianbao_format::io_error_msg(&e).get(lang));
    }
    let Ok(mut multipart) = Multipart::from_request(req, &()).await else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::message(
                lang,
                tr(lang, "无法上传", "Cannot upload"),
                tr(
                    lang,
                    "请用本页的表单上传文件。",
                    "Please upload the file with the form of the page.",
                ),
                Some("/"),
            ),
        );
    };
    let tmp = dir.join(format!(
        ".upload-{}.tmp",
        crate::tokens::new_token().unwrap_or_else(|_| store::now_us().to_string())
    ));
    let received = receive(lang, &mut multipart, &tmp).await;
    let (sha, size, original) = match received {
        Ok(Some(r)) => r,
        Ok(None) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return html(
                StatusCode::BAD_REQUEST,
                pages::message(
                    lang,
                    tr(lang, "没有选择文件", "No file chosen"),
                    tr(
                        lang,
                        "请先选择要上传的报表文件。",
                        "Please choose the return to upload first.",
                    ),
                    Some(&format!("/unit/{code}")),
                ),
            );
        }
        Err(Received::TooLarge) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return too_large(lang, &code);
        }
        Err(Received::Broken(why)) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return html(
                StatusCode::BAD_REQUEST,
                pages::message(
                    lang,
                    tr(lang, "上传中断", "Upload interrupted"),
                    &why,
                    Some(&format!("/unit/{code}")),
                ),
            );
        }
    };
    let worker = app.clone();
    let code2 = code.clone();
    let done = tokio::task::spawn_blocking(move || {
        keep_and_check(&worker, &code2, &dir, &tmp, &sha, size, &original)
    })
    .await;
    match done {
        Ok(Ok(())) => see_other(&format!("/unit/{code}#check")),
        Ok(Err(e)) => failed(lang, &code, e.get(lang)),
        Err(_) => failed(lang, &code, tr(lang, "检查时出错", "the check went wrong")),
    }
}

enum Received {
    TooLarge,
    Broken(String),
}

/// Streams the form's `file` field into `tmp`, hashing it; (sha256, size, the name the browser
/// gave), or None when no file was chosen.
async fn receive(
    lang: Lang,
    multipart: &mut Multipart,
    tmp: &std::path::Path,
) -> Result<Option<(String, u64, String)>, Received> {
    let broken = |e: &dyn std::fmt::Display| {
        Received::Broken(format!(
            "{}{e}",
            tr(lang, "上传未完成：", "the upload did not complete: ")
        ))
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(None),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Received::TooLarge);
            }
            Err(e) => return Err(broken(&e)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let original: String = field
            .file_name()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let mut field = field;
        let mut out = tokio::fs::File::create(tmp).await.map_err(|e| broken(&e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len() as u64;
                    if size > MAX_UPLOAD {
                        return Err(Received::TooLarge);
                    }
                    hasher.update(&chunk);
                    out.write_all(&chunk).await.map_err(|e| broken(&e))?;
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(Received::TooLarge);
                }
                Err(e) => return Err(broken(&e)),
            }
        }
        out.flush().await.map_err(|e| broken(&e))?;
        if size == 0 && original.is_empty() {
            return Ok(None);
        }
        let sha: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return Ok(Some((sha, size, original)));
    }
}

/// The file name a unit's return goes by in the returns folder (and in its check):
/// `U05_亭林镇_网上报送.xlsx`.
pub(crate) fn placed_name(app: &App, code: &str, ext: &str) -> String {
    let name = app.unit(code).map_or("", |u| u.name.as_str());
    format!("{}_网上报送.{ext}", nianbao_write::safe_stem(code, name))
}

/// Keeps the upload under its hash, checks it as unit `code`'s return and records both.
fn keep_and_check(
    app: &App,
    code: &str,
    dir: &std::path::Path,
    tmp: &std::path::Path,
    sha: &str,
    size: u64,
    original: &str,
) -> Result<(), nianbao_pipeline::RunError> {
    let io = |what: &str, p: &std::path::Path, e: std::io::Error| {
        nianbao_pipeline::RunError::io(what, what, p, &e)
    };
    let head = std::fs::read(tmp).map_err(|e| io("无法读取上传", tmp, e))?;
    let ext = match nianbao_read::sniff(&head) {
        nianbao_read::Format::Xlsx => "xlsx",
        nianbao_read::Format::Xls => "xls",
        nianbao_read::Format::Ods => "ods",
        _ => "bin",
    };
    drop(head);
    let mut rec = store::load(dir, sha).unwrap_or_else(|| Record {
        sha256: sha.to_string(),
        size,
        ext: ext.to_string(),
        ..Default::default()
    });
    let data = store::data_path(dir, &rec);
    if data.exists() {
        let _ = std::fs::remove_file(tmp);
    } else {
        std::fs::rename(tmp, &data).map_err(|e| io("无法保存上传", &data, e))?;
    }
    rec.original_name = original.to_string();
    rec.uploaded.push(now_rfc3339());
    rec.uploaded_us = store::now_us();
    rec.verdict = check(app, code, dir, &rec)?;
    store::save(dir, &rec)
}

/// Checks a stored upload as unit `code`'s return, as `nianbao check` would.
fn check(
    app: &App,
    code: &str,
    dir: &std::path::Path,
    rec: &Record,
) -> Result<Verdict, nianbao_pipeline::RunError> {
    let name = placed_name(app, code, &rec.ext);
    let annotated = store::annotated_path(dir, &rec.sha256);
    let req = CheckRequest {
        file: store::data_path(dir, rec),
        roster: Some(app.ws.roster.clone()),
        prior: app.prior.get(code).cloned(),
        rules: app.ws.rules.clone(),
        json: Some(store::report_path(dir, &rec.sha256)),
        annotate: Some(annotated.clone()),
        // Not the office's explanations: a broken waiver file would fail a unit's check with
        // lines naming other units.
        waivers: None,
        lang: app.lang,
    };
    let out = check_file_named(&req, &name)?;
    let report = &out.report;
    let lines = |lang| {
        reconciliation(report, &out.rules, out.with_prior, lang)
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let mut v = Verdict {
        lines_zh: lines(Lang::Zh),
        lines_en: lines(Lang::En),
        annotated: annotated.is_file(),
        ..Default::default()
    };
    let own = app
        .unit(code)
        .map(|u| nianbao_format::code_and_name(&u.code, &u.name))
        .unwrap_or_default();
    match report.units.iter().find(|u| u.readings.is_some()) {
        None => {
            v.status = UnitStatus::Failed.as_str().to_string();
            v.errors = 1;
            v.refusal = Some((
                "这个文件无法作为年报统计表读取，不能提交。".into(),
                "this file cannot be read as a return; it cannot be submitted.".into(),
            ));
        }
        Some(u) if u.unit != code => {
            v.status = "other_unit".into();
            v.refusal = Some((
                format!(
                    "这份报表的填报单位是「{}」，不是本单位（{own}），不能替其他单位提交。",
                    u.name
                ),
                format!(
                    "this return is {}'s, not {own}'s: it cannot be submitted here.",
                    u.name
                ),
            ));
        }
        Some(u) => {
            v.status = u.status.as_str().to_string();
            v.errors = u.errors;
            v.warnings = u.warnings;
            v.submittable = true;
        }
    }
    for uv in report
        .violations
        .iter()
        .filter(|x| x.scope() != nianbao_format::Scope::District)
    {
        for s in &uv.violation.suspects {
            let cell = s.cell.as_ref().map_or_else(|| s.field.clone(), |c| c.a1());
            if v.fixes.iter().any(|f| f.cell == cell) {
                continue;
            }
            let label = nianbao_format::field_index(&s.field).map_or_else(
                || s.field.clone(),
                |i| nianbao_format::fields()[i].label_zh(),
            );
            v.fixes.push(Fix {
                cell,
                label,
                value: s.value_text(),
                suggested: s.suggested_text(),
                tied: uv.violation.suspects_tied,
            });
        }
    }
    Ok(v)
}

#[derive(Deserialize)]
struct SubmitForm {
    sha: String,
}

/// Submits a checked upload: placed in the returns folder under the run's lock (replacing the
/// unit's earlier files, which are kept), then consolidated; the page comes back once the
/// consolidation that includes it is done.
async fn submit(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    Query(q): Query<CsrfQuery>,
    req: Request,
) -> Response {
    if let Err(r) = post_for_unit(&app, req.headers(), &code, &q) {
        return r;
    }
    let lang = app.lang;
    let Ok(axum::Form(form)) = axum::Form::<SubmitForm>::from_request(req, &()).await else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::message(
                lang,
                tr(lang, "无法提交", "Cannot submit"),
                tr(
                    lang,
                    "请用本页的按钮提交。",
                    "Please submit with the button of the page.",
                ),
                Some(&format!("/unit/{code}")),
            ),
        );
    };
    let Some(lock) = app.unit_locks.get(&code) else {
        return not_found_page(lang);
    };
    let guard = lock.lock().await;
    let dir = store::unit_dir(&app.ws, &code);
    let Some(mut rec) = store::load(&dir, &form.sha) else {
        return not_found_page(lang);
    };
    if !rec.verdict.submittable {
        let why = rec
            .verdict
            .refusal
            .clone()
            .map(|(zh, en)| if lang == Lang::Zh { zh } else { en })
            .unwrap_or_default();
        return html(
            StatusCode::BAD_REQUEST,
            pages::message(
                lang,
                tr(lang, "不能提交", "Cannot be submitted"),
                &why,
                Some(&format!("/unit/{code}")),
            ),
        );
    }
    let earlier: Vec<String> = {
        let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
        snap.report
            .iter()
            .flat_map(|r| r.units.iter())
            .filter(|u| u.unit == code)
            .flat_map(|u| u.files.iter().cloned())
            .collect()
    };
    let name = placed_name(&app, &code, &rec.ext);
    let worker = app.clone();
    let (code2, data) = (code.clone(), store::data_path(&dir, &rec));
    let placed = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(&data).map_err(|e| {
            RunFailure::Cannot(nianbao_pipeline::RunError::io(
                "无法读取上传",
                "cannot read the upload",
                &data,
                &e,
            ))
        })?;
        nianbao_pipeline::upload::place_return(
            &worker.ws,
            &code2,
            &name,
            &bytes,
            &earlier,
            Some(LOCK_WAIT),
        )
    })
    .await;
    match placed {
        Ok(Ok(_)) => {}
        Ok(Err(RunFailure::Busy { message })) => {
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                pages::message(
                    lang,
                    tr(lang, "暂时不能提交", "Cannot submit just now"),
                    &match lang {
                        Lang::Zh => format!("{}；请稍后再提交。", message.zh),
                        Lang::En => format!("{}; please submit again later.", message.en),
                    },
                    Some(&format!("/unit/{code}")),
                ),
            );
        }
        Ok(Err(RunFailure::Cannot(e))) => return failed(lang, &code, e.get(lang)),
        Err(_) => {
            return failed(
                lang,
                &code,
                tr(lang, "提交时出错", "the submission went wrong"),
            );
        }
    }
    rec.submitted.push(now_rfc3339());
    rec.submitted_us = store::now_us();
    if let Err(e) = store::save(&dir, &rec) {
        return failed(lang, &code, e.get(lang));
    }
    drop(guard);
    let n = app.request_consolidation();
    app.consolidated(n, LOCK_WAIT).await;
    see_other(&format!("/unit/{code}#submitted"))
}

/// A file as a download, under the name given.
fn download(bytes: Vec<u8>, name: &str, mime: &'static str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename*=UTF-8''{encoded}");
    let mut res = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn file_or_404(
    lang: Lang,
    path: &std::path::Path,
    name: &str,
    mime: &'static str,
) -> Response {
    match tokio::fs::read(path).await {
        Ok(b) => download(b, name, mime),
        Err(_) => not_found_page(lang),
    }
}

/// The unit's template (from `nianbao template`, in the workspace's `templates/`), if there is
/// one: the first file there whose name starts with the unit's code and "_".
pub(crate) fn template_path(app: &App, code: &str) -> Option<std::path::PathBuf> {
    let dir = app.ws.root.join("templates");
    let prefix = format!("{code}_");
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

async fn template(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    unit_file(&app, &headers, &code, template_path).await
}

/// The unit's annotated return from the last consolidation (out/退回), if it has one.
pub(crate) fn returned_path(app: &App, code: &str) -> Option<std::path::PathBuf> {
    let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
    let unit = snap
        .report
        .as_ref()?
        .units
        .iter()
        .find(|u| u.unit == code)?;
    let p = app
        .ws
        .annotate
        .join(nianbao_write::annotated_file_name(unit));
    p.is_file().then_some(p)
}

async fn returned(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    unit_file(&app, &headers, &code, returned_path).await
}

/// A workbook of the unit's (its template, its annotated return) that `find` locates, if the
/// session may see the unit; 404 when there is none.
async fn unit_file(
    app: &App,
    headers: &HeaderMap,
    code: &str,
    find: fn(&App, &str) -> Option<std::path::PathBuf>,
) -> Response {
    if let Err(r) = for_unit(app, headers, code) {
        return r;
    }
    let Some(p) = find(app, code) else {
        return not_found_page(app.lang);
    };
    let name = p
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    file_or_404(app.lang, &p, &name, XLSX).await
}

async fn annotated(
    State(app): State<Arc<App>>,
    Path((code, sha)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = for_unit(&app, &headers, &code) {
        return r;
    }
    if !store::is_sha(&sha) {
        return not_found_page(app.lang);
    }
    let dir = store::unit_dir(&app.ws, &code);
    let name = placed_name(&app, &code, "xlsx").replace("网上报送", "检查结果");
    file_or_404(app.lang, &store::annotated_path(&dir, &sha), &name, XLSX).await
}

async fn uploaded_file(
    State(app): State<Arc<App>>,
    Path((code, sha)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = for_unit(&app, &headers, &code) {
        return r;
    }
    let dir = store::unit_dir(&app.ws, &code);
    let Some(rec) = store::load(&dir, &sha) else {
        return not_found_page(app.lang);
    };
    let name = placed_name(&app, &code, &rec.ext);
    file_or_404(
        app.lang,
        &store::data_path(&dir, &rec),
        &name,
        "application/octet-stream",
    )
    .await
}

async fn summary_file(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(r) = for_office(&app, &headers) {
        return r;
    }
    file_or_404(app.lang, &app.ws.workbook, "汇总.xlsx", XLSX).await
}

async fn report_file(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(r) = for_office(&app, &headers) {
        return r;
    }
    file_or_404(app.lang, &app.ws.json, "report.json", "application/json").await
}
