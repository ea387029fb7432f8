//! Who sees what: no token → only the login hint; a unit reaches only its own unit (404 on
//! every route of another, and on the office's); the office reaches all; the link sets an
//! HttpOnly, SameSite=Strict cookie; a rotated link stops working; POSTs need the CSRF token.

#![allow(clippy::unwrap_used)]

mod common;
use common::*;

const U04_FILE: &str = "U04_张堰镇_2022年政务公开年报统计表.xlsx";

/// Every route about unit `code`, with one of its uploads, and the office's routes.
fn unit_routes(code: &str, sha: &str, csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GET", format!("/unit/{code}")),
        ("GET", format!("/unit/{code}/template")),
        ("GET", format!("/unit/{code}/returned")),
        ("GET", format!("/unit/{code}/uploads/{sha}/annotated")),
        ("GET", format!("/unit/{code}/uploads/{sha}/file")),
        ("POST", format!("/unit/{code}/upload?csrf={csrf}")),
        ("POST", format!("/unit/{code}/submit?csrf={csrf}")),
    ]
}

fn office_routes() -> Vec<(&'static str, String)> {
    vec![
        ("GET", "/office".to_string()),
        ("GET", "/office/summary".to_string()),
        ("GET", "/office/report".to_string()),
    ]
}

fn send(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    sha: &str,
) -> Resp {
    if path.contains("/upload?") {
        let (ct, body) = multipart("x.xlsx", &return_bytes("亭林镇", &clean_values()));
        request(addr, method, path, token, Some(&ct), &body)
    } else if path.contains("/submit?") {
        request(
            addr,
            method,
            path,
            token,
            Some("application/x-www-form-urlencoded"),
            format!("sha={sha}").as_bytes(),
        )
    } else {
        request(addr, method, path, token, None, b"")
    }
}

fn file_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[test]
fn each_role_reaches_only_what_it_may() {
    let ws = workspace("access", &[U04_FILE], false);
    // A template for U05 (as `nianbao template` writes them).
    let templates = ws.dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("U05_亭林镇_2022年政府信息公开年报统计表.xlsx"),
        return_bytes("亭林镇", &vec![0; clean_values().len()]),
    )
    .unwrap();
    let srv = start(&ws);
    let addr = srv.addr;
    let (u05, u06, office) = (&ws.tokens["U05"], &ws.tokens["U06"], &ws.tokens["office"]);

    // U05 uploads a return with an error and submits it: it has an upload, a checked
    // workbook and a returned file of the consolidation.
    let name = unit_name(&ws, "U05");
    let mut values = clean_values();
    plant(&mut values, "t3.new.natural_person", 1);
    assert_eq!(
        upload(
            addr,
            u05,
            "U05",
            "亭林镇.xlsx",
            &return_bytes(&name, &values)
        )
        .status,
        303
    );
    let page = get(addr, "/unit/U05", Some(u05)).text();
    let sha = shown_upload(&page).unwrap();
    assert_eq!(submit(addr, u05, "U05").status, 303);
    let u05_csrf = csrf(&get(addr, "/unit/U05", Some(u05)).text());
    let u06_csrf = csrf(&get(addr, "/unit/U06", Some(u06)).text());

    // The unit itself reaches every route of its own (the GETs; the POSTs are tested
    // elsewhere), so the refusals below are refusals, not missing routes.
    for (m, path) in unit_routes("U05", &sha, &u05_csrf)
        .into_iter()
        .filter(|(m, _)| *m == "GET")
    {
        let r = send(addr, m, &path, Some(u05), &sha);
        assert_eq!(r.status, 200, "U05 {m} {path}: {}", r.text());
    }
    // The office too, and its own routes.
    for (m, path) in unit_routes("U05", &sha, "")
        .into_iter()
        .filter(|(m, _)| *m == "GET")
        .chain(office_routes())
    {
        let r = send(addr, m, &path, Some(office), &sha);
        assert_eq!(r.status, 200, "office {m} {path}");
    }

    let uploads = ws.ws.state_dir().join("uploads/U05");
    let before = file_count(&uploads);
    let returns_before = file_count(&ws.ws.returns);
    // Another unit: 404 on every route of U05 (with its own CSRF token) and of the office.
    for (m, path) in unit_routes("U05", &sha, &u06_csrf)
        .into_iter()
        .chain(office_routes())
    {
        let r = send(addr, m, &path, Some(u06), &sha);
        assert_eq!(r.status, 404, "U06 {m} {path}");
        assert!(!r.text().contains(&name), "U06 {m} {path} shows U05's name");
    }
    // A unit not on the roster, or a made-up path: 404 for the office as well.
    assert_eq!(get(addr, "/unit/U99", Some(office)).status, 404);
    assert_eq!(get(addr, "/unit/U05/../office", Some(u06)).status, 404);
    // No token, or a wrong one: only the login hint, on every route.
    for (m, path) in unit_routes("U05", &sha, &u05_csrf)
        .into_iter()
        .chain(office_routes())
        .chain([("GET", "/".to_string()), ("GET", "/nothing".to_string())])
    {
        for token in [None, Some("0123456789abcdef0123456789abcdef")] {
            let r = send(addr, m, &path, token, &sha);
            assert_eq!(r.status, 401, "{token:?} {m} {path}");
            let text = r.text();
            assert!(text.contains("请用发给本单位的链接登录"), "{text}");
            assert!(!text.contains(&name), "{m} {path}");
        }
    }
    assert_eq!(
        file_count(&uploads),
        before,
        "nothing stored by refused requests"
    );
    assert_eq!(file_count(&ws.ws.returns), returns_before);
    srv.stop();
}

#[test]
fn the_link_sets_a_strict_cookie_and_rotated_links_stop_working() {
    let ws = workspace("login", &[U04_FILE], false);
    let srv = start(&ws);
    let addr = srv.addr;
    let token = &ws.tokens["U05"];
    let r = get(addr, &format!("/u/{token}"), None);
    assert_eq!(r.status, 200);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with(&format!("nianbao={token};")), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    // On to an address without the token; no referrer leaks it.
    assert!(r.text().contains("url=/\""), "{}", r.text());
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let r = get(addr, "/", Some(token));
    assert_eq!((r.status, r.header("location")), (303, Some("/unit/U05")));
    let r = get(addr, "/", Some(&ws.tokens["office"]));
    assert_eq!(r.header("location"), Some("/office"));
    assert_eq!(
        get(addr, "/u/0123456789abcdef0123456789abcdef", None).status,
        401
    );
    // Only hashes are kept.
    let kept = std::fs::read_to_string(ws.ws.state_dir().join("tokens.csv")).unwrap();
    assert!(!kept.contains(token.as_str()));
    assert_eq!(kept.lines().count(), 1 + 42 + 1);

    let fresh = nianbao_serve::tokens::rotate(&ws.ws, "U05").unwrap();
    assert_eq!(get(addr, "/unit/U05", Some(token)).status, 401);
    assert_eq!(get(addr, "/unit/U05", Some(&fresh)).status, 200);
    assert_eq!(get(addr, "/unit/U06", Some(&ws.tokens["U06"])).status, 200);
    // Issuing all links again is refused (it would void every link sent out).
    assert!(nianbao_serve::tokens::init_tokens(&ws.ws).is_err());
    srv.stop();
}

#[test]
fn posts_without_the_pages_csrf_token_are_refused() {
    let ws = workspace("csrf", &[U04_FILE], false);
    let srv = start(&ws);
    let addr = srv.addr;
    let token = &ws.tokens["U05"];
    let (ct, body) = multipart("x.xlsx", &return_bytes("亭林镇", &clean_values()));
    for path in ["/unit/U05/upload", "/unit/U05/upload?csrf=00ff"] {
        let r = request(addr, "POST", path, Some(token), Some(&ct), &body);
        assert_eq!(r.status, 403, "{path}");
        assert!(r.text().contains("校验码"));
    }
    // Another session's token is not this one's.
    let other = csrf(&get(addr, "/unit/U06", Some(&ws.tokens["U06"])).text());
    let r = request(
        addr,
        "POST",
        &format!("/unit/U05/upload?csrf={other}"),
        Some(token),
        Some(&ct),
        &body,
    );
    assert_eq!(r.status, 403);
    assert!(!ws.ws.state_dir().join("uploads/U05").exists());
    // With it, the upload is taken; a submit without it is refused and places nothing.
    assert_eq!(
        upload(
            addr,
            token,
            "U05",
            "x.xlsx",
            &return_bytes("亭林镇", &clean_values())
        )
        .status,
        303
    );
    let sha = shown_upload(&get(addr, "/unit/U05", Some(token)).text()).unwrap();
    let r = request(
        addr,
        "POST",
        "/unit/U05/submit",
        Some(token),
        Some("application/x-www-form-urlencoded"),
        format!("sha={sha}").as_bytes(),
    );
    assert_eq!(r.status, 403);
    let r = request(
        addr,
        "POST",
        &format!("/logout?csrf={other}"),
        Some(token),
        None,
        b"",
    );
    assert_eq!(r.status, 403);
    assert_eq!(file_count(&ws.ws.returns), 1, "only the return copied in");
    srv.stop();
}

#[test]
fn with_lang_en_the_pages_are_in_english() {
    let ws = workspace("lang-en", &[U04_FILE], false);
    let srv = start_in(&ws, nianbao_format::Lang::En);
    let addr = srv.addr;
    let (u05, office) = (&ws.tokens["U05"], &ws.tokens["office"]);

    // No token: the login hint, in English.
    let r = get(addr, "/unit/U05", None);
    assert_eq!(r.status, 401);
    let text = r.text();
    assert!(
        text.contains("Please log in with the link sent to your unit"),
        "{text}"
    );
    assert!(text.contains("html lang=\"en\""), "{text}");
    assert!(!text.contains("请用发给本单位的链接登录"), "{text}");

    // The unit page: English buttons and status, before and after an upload.
    let page = get(addr, "/unit/U05", Some(u05)).text();
    assert!(page.contains("Upload and check"), "{page}");
    assert!(page.contains("Status: "), "{page}");
    assert!(!page.contains("上传并检查"), "{page}");
    let name = unit_name(&ws, "U05");
    assert_eq!(
        upload(
            addr,
            u05,
            "U05",
            "x.xlsx",
            &return_bytes(&name, &clean_values())
        )
        .status,
        303
    );
    let page = get(addr, "/unit/U05", Some(u05)).text();
    assert!(page.contains("uploaded, not submitted"), "{page}");
    assert!(page.contains(">Submit<"), "{page}");
    assert!(!page.contains("已上传未提交"), "{page}");

    // The office page: English headings and counts; the official tables stay Chinese.
    let page = get(addr, "/office", Some(office)).text();
    assert!(page.contains("html lang=\"en\""), "{page}");
    assert!(page.contains("District overview"), "{page}");
    assert!(page.contains("Uploaded, not submitted: <b>1</b>"), "{page}");
    assert!(page.contains("Last submitted"), "{page}");
    assert!(!page.contains("全区报送情况"), "{page}");
    assert!(page.contains("二、主动公开政府信息情况"), "{page}");

    // A 404 page too.
    let r = get(addr, "/nothing", Some(office));
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Page not found"), "{}", r.text());
    srv.stop();
}
