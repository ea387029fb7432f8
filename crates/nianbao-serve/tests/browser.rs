//! A real browser (headless Chromium through chromedriver, spoken to in WebDriver's HTTP+JSON
//! with the tests' own small client) drives a unit's page: choose a file, see the failing cell,
//! submit; then the office page lists the unit as submitted. Skipped, with a notice, only when
//! Chromium or chromedriver is not installed (`make test` installs them).
//! `cargo test -p nianbao-serve --test browser -- --ignored` writes the screenshots of
//! docs/img/.

#![allow(clippy::unwrap_used)]

mod common;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

fn found(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
}

impl Driver {
    fn start(chromium: &Path, chromedriver: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let t = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut d = Driver {
            child,
            addr,
            session: String::new(),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,768", "--lang=zh-CN"]
        }}}});
        let v = d.call("POST", "/session", Some(caps));
        d.session = v["sessionId"].as_str().unwrap().to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = request(
            self.addr,
            method,
            path,
            None,
            Some("application/json"),
            body.as_bytes(),
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(r.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn s(&self, tail: &str) -> String {
        format!("/session/{}{tail}", self.session)
    }

    fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.call("GET", &self.s("/url"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn source(&self) -> String {
        self.call("GET", &self.s("/source"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            &self.s("/element"),
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/click")),
            Some(json!({})),
        );
    }

    /// Waits until the page's source satisfies `ok`.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let src = self.source();
            if ok(&src) {
                return src;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "waited for {what}:\n{src}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A PNG of the whole page at 1366 px wide.
    fn screenshot(&self, to: &Path) {
        let height = self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": "return document.documentElement.scrollHeight;", "args": []})),
        );
        let h = height.as_u64().unwrap_or(768).max(768);
        self.call(
            "POST",
            &self.s("/window/rect"),
            Some(json!({"width": 1366, "height": h + 140})),
        );
        let png = self.call("GET", &self.s("/screenshot"), None);
        std::fs::write(to, base64(png.as_str().unwrap())).unwrap();
        self.call(
            "POST",
            &self.s("/window/rect"),
            Some(json!({"width": 1366, "height": 768})),
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = request(self.addr, "DELETE", &self.s(""), None, None, b"");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|c| !b"=\r\n ".contains(c)).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (u32::from(val(c)) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn drive(shots: Option<&Path>) {
    let (Some(chromium), Some(chromedriver)) = (found("chromium"), found("chromedriver")) else {
        println!("NOTICE: chromium or chromedriver not installed; the browser test is skipped");
        return;
    };
    let ws = workspace(
        "browser",
        &[
            "U04_张堰镇_2022年政务公开年报统计表.xlsx",
            "U02_朱泾镇_2022年政务公开年报统计表.ods",
            "U17_区司法局_2022年政务公开年报统计表.xlsx",
        ],
        false,
    );
    let srv = start(&ws);
    let base = format!("http://{}", srv.addr);
    let name = unit_name(&ws, "U05");
    let mut values = clean_values();
    let was = plant(&mut values, "t3.new.natural_person", 1);
    let bytes = return_bytes(&name, &values);
    let cell = cell_of(&bytes, "t3.new.natural_person");
    let file = ws.dir.join("亭林镇2022年报.xlsx");
    std::fs::write(&file, &bytes).unwrap();

    let d = Driver::start(&chromium, &chromedriver);
    // The unit's link: logged in, moved on to its page, the token gone from the address.
    d.goto(&format!("{base}/u/{}", ws.tokens["U05"]));
    let t = Instant::now();
    while !d.url().ends_with("/unit/U05") {
        assert!(t.elapsed() < Duration::from_secs(30), "at {}", d.url());
        std::thread::sleep(Duration::from_millis(100));
    }
    // Choose the file, upload: the failing cell and its suggested value are shown.
    let input = d.element("input[type=file]");
    d.call(
        "POST",
        &d.s(&format!("/element/{input}/value")),
        Some(json!({"text": file.to_str().unwrap()})),
    );
    d.click("form[enctype] button[type=submit]");
    let page = d.wait_for("the check", |s| s.contains("最可能需要修改的单元格"));
    assert!(
        page.contains(&format!("最可能出错：{cell}，应为 {was}")),
        "{page}"
    );
    if let Some(dir) = shots {
        d.screenshot(&dir.join("serve-unit.png"));
    }
    d.click("form[action*='/submit'] button");
    d.wait_for("the submission", |s| s.contains("此版本已提交"));

    // The office: the unit is listed as submitted (有错误: it was submitted with its error).
    d.goto(&format!("{base}/u/{}", ws.tokens["office"]));
    let office = d.wait_for("the office page", |s| s.contains("全区报送情况"));
    let row = office
        .split("<tr>")
        .find(|r| r.contains("<td>U05</td>"))
        .unwrap();
    assert!(row.contains("有错误"), "{row}");
    assert!(!row.contains("未报送"));
    assert!(office.contains("二、主动公开政府信息情况"));
    if let Some(dir) = shots {
        d.screenshot(&dir.join("serve-office.png"));
    }
    drop(d);
    let _ = std::fs::remove_file(file);
    srv.stop();
}

#[test]
fn a_unit_checks_and_submits_in_a_real_browser() {
    drive(None);
}

/// Writes docs/img/serve-unit.png and docs/img/serve-office.png.
#[test]
#[ignore]
fn screenshots() {
    let dir = root().join("docs/img");
    std::fs::create_dir_all(&dir).unwrap();
    drive(Some(&dir));
}
