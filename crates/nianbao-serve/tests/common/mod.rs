//! Shared helpers of the server's tests: a workspace with links issued, the server started on a
//! free loopback port in process, a small HTTP/1.1 client over a TCP stream, and returns with
//! planted errors (written in the official layout by nianbao-write).

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nianbao_format::field_index;
use nianbao_pipeline::workspace::{Workspace, init};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A fresh, empty folder under the target directory, unique to each call.
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 2022 workspace on the Jinshan roster, with `returns` of the bundled Jinshan returns copied
/// in (by file name), and links issued: who → token.
pub struct Ws {
    pub dir: PathBuf,
    pub ws: Workspace,
    pub tokens: HashMap<String, String>,
}

pub fn workspace(name: &str, returns: &[&str], prior: bool) -> Ws {
    let dir = temp_dir(name).join("年报2022");
    let src = root().join("fixtures/jinshan-2022");
    let prior_dir = root().join("fixtures/jinshan-2021");
    let ws = init(
        &dir,
        2022,
        &src.join("roster.csv"),
        prior.then_some(prior_dir.as_path()),
    )
    .unwrap();
    for r in returns {
        std::fs::copy(src.join(r), ws.returns.join(r)).unwrap();
    }
    let tokens = nianbao_serve::tokens::init_tokens(&ws)
        .unwrap()
        .into_iter()
        .collect();
    Ws { dir, ws, tokens }
}

/// The server of a workspace, on a free loopback port.
pub fn start(ws: &Ws) -> nianbao_serve::Running {
    nianbao_serve::start(&ws.dir, "127.0.0.1:0".parse().unwrap()).unwrap()
}

/// The server of a workspace, its pages in `lang`.
pub fn start_in(ws: &Ws, lang: nianbao_format::Lang) -> nianbao_serve::Running {
    nianbao_serve::start_with_lang(&ws.dir, "127.0.0.1:0".parse().unwrap(), lang).unwrap()
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The head of a request.
pub fn head(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    len: usize,
) -> String {
    let mut h = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {len}\r\n"
    );
    if let Some(t) = token {
        h.push_str(&format!("Cookie: nianbao={t}\r\n"));
    }
    if let Some(c) = content_type {
        h.push_str(&format!("Content-Type: {c}\r\n"));
    }
    h.push_str("\r\n");
    h
}

/// Reads a whole response: its Content-Length, its chunks, or up to the end of the connection.
pub fn read_response(stream: &mut TcpStream) -> Resp {
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        match len {
            Some(len) if raw.len() >= end + 4 + len => break,
            None if head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n") => {
                break;
            }
            _ => {}
        }
    }
    parse(&raw)
}

fn parse(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..nl])
                    .split(';')
                    .next()
                    .unwrap()
                    .trim(),
                16,
            )
            .unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[nl + 2 + size + 2..];
        }
        body = out;
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// One request, with the session cookie of `token` when given.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    s.write_all(head(addr, method, path, token, content_type, body.len()).as_bytes())
        .unwrap();
    s.write_all(body).unwrap();
    read_response(&mut s)
}

pub fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Resp {
    request(addr, "GET", path, token, None, b"")
}

/// A multipart form with one file field `file`.
pub fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----nianbao-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The CSRF token a page's forms carry.
pub fn csrf(page: &str) -> String {
    let at = page.find("csrf=").expect("a form with its CSRF token") + 5;
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

/// Uploads `bytes` as unit `code` (with its token); the response to the POST.
pub fn upload(addr: SocketAddr, token: &str, code: &str, name: &str, bytes: &[u8]) -> Resp {
    let page = get(addr, &format!("/unit/{code}"), Some(token)).text();
    let (ct, body) = multipart(name, bytes);
    request(
        addr,
        "POST",
        &format!("/unit/{code}/upload?csrf={}", csrf(&page)),
        Some(token),
        Some(&ct),
        &body,
    )
}

/// The SHA-256 of the upload shown on the unit's page (the submit form's hidden field).
pub fn shown_upload(page: &str) -> Option<String> {
    let at = page.find("name=\"sha\" value=\"")? + 18;
    Some(page[at..at + 64].to_string())
}

/// Submits the upload shown on the unit's page.
pub fn submit(addr: SocketAddr, token: &str, code: &str) -> Resp {
    let page = get(addr, &format!("/unit/{code}"), Some(token)).text();
    let sha = shown_upload(&page).expect("a submit form on the page");
    request(
        addr,
        "POST",
        &format!("/unit/{code}/submit?csrf={}", csrf(&page)),
        Some(token),
        Some("application/x-www-form-urlencoded"),
        format!("sha={sha}").as_bytes(),
    )
}

/// The 200 values of a bundled clean return (张堰镇's), canonical order.
pub fn clean_values() -> Vec<i64> {
    let r = nianbao_read::read_path(
        &root().join("fixtures/jinshan-2022/U04_张堰镇_2022年政务公开年报统计表.xlsx"),
    )
    .unwrap();
    r.readings.iter().map(|x| x.value.unwrap()).collect()
}

/// A return of `unit_name` in the official layout with these values.
pub fn return_bytes(unit_name: &str, values: &[i64]) -> Vec<u8> {
    nianbao_write::return_bytes(unit_name, Some(2022), values).unwrap()
}

/// `values` with field `id` moved by `by`; the value it had.
pub fn plant(values: &mut [i64], id: &str, by: i64) -> i64 {
    let i = field_index(id).unwrap();
    let was = values[i];
    values[i] += by;
    was
}

/// The cell field `id` is read from in a return's bytes.
pub fn cell_of(bytes: &[u8], id: &str) -> String {
    let r = nianbao_read::read_bytes(bytes, "x.xlsx").unwrap();
    r.readings[field_index(id).unwrap()]
        .cell
        .as_ref()
        .unwrap()
        .a1()
}

/// The name of a roster unit.
pub fn unit_name(ws: &Ws, code: &str) -> String {
    nianbao_pipeline::load_roster(Some(&ws.ws.roster))
        .unwrap()
        .unwrap()
        .units
        .into_iter()
        .find(|u| u.code == code)
        .unwrap()
        .name
}

/// The report.json of the workspace.
pub fn report_json(ws: &Ws) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(&ws.ws.json).unwrap()).unwrap()
}

/// A unit's entry in report.json.
pub fn unit_in_report(report: &serde_json::Value, code: &str) -> serde_json::Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == code)
        .cloned()
        .unwrap_or_default()
}
