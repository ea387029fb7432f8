//! Uploads and submissions: the cap refused before the body is read, bad files with the CLI's
//! message and nothing else, a planted error shown with its cell and suggested value, another
//! unit's return refused, submit → returns/ → office page and report.json; 42 units uploading
//! and submitting at once while the nightly `run` runs too, every version kept.

#![allow(clippy::unwrap_used)]

mod common;
use std::io::Write;

use common::*;

const U04_FILE: &str = "U04_张堰镇_2022年政务公开年报统计表.xlsx";

fn uploads_of(ws: &Ws, code: &str) -> Vec<String> {
    std::fs::read_dir(ws.ws.state_dir().join("uploads").join(code))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_oversize_upload_is_refused_before_it_is_read() {
    let ws = workspace("oversize", &[U04_FILE], false);
    let srv = start(&ws);
    let addr = srv.addr;
    let token = &ws.tokens["U05"];
    let page = get(addr, "/unit/U05", Some(token)).text();
    let path = format!("/unit/U05/upload?csrf={}", csrf(&page));
    // 30 MiB declared, 64 KiB sent: the answer comes without the rest.
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let ct = "multipart/form-data; boundary=xyz";
    s.write_all(head(addr, "POST", &path, Some(token), Some(ct), 30 << 20).as_bytes())
        .unwrap();
    s.write_all(&vec![b'a'; 64 << 10]).unwrap();
    let r = read_response(&mut s);
    assert_eq!(r.status, 413);
    assert!(r.text().contains("超过 20 MiB"), "{}", r.text());
    // Under the declared cap but past it as it streams: refused too, nothing kept.
    let (ct, body) = multipart("big.xlsx", &vec![b'P'; (20 << 20) + 1]);
    let r = request(addr, "POST", &path, Some(token), Some(&ct), &body);
    assert_eq!(r.status, 413);
    assert!(
        uploads_of(&ws, "U05").is_empty(),
        "{:?}",
        uploads_of(&ws, "U05")
    );
    srv.stop();
}

#[test]
fn a_bad_file_gets_the_clis_message_and_nothing_else_happens() {
    let ws = workspace("badfiles", &[U04_FILE], false);
    let srv = start(&ws);
    let addr = srv.addr;
    let token = &ws.tokens["U05"];
    for name in [
        "bad-zip-bomb.xlsx",
        "bad-encrypted.xlsx",
        "bad-truncated.xlsx",
        "bad-csv-renamed.xlsx",
    ] {
        let path = root().join("fixtures/bad").join(name);
        let why = nianbao_read::read_path(&path).unwrap_err().message.zh;
        let r = upload(addr, token, "U05", name, &std::fs::read(&path).unwrap());
        assert_eq!(r.status, 303, "{name}");
        let page = get(addr, "/unit/U05", Some(token)).text();
        assert!(
            page.contains(&maud::html!((why)).into_string()),
            "{name}: {why}\n{page}"
        );
        assert!(page.contains("不能提交"), "{name}");
        assert!(shown_upload(&page).is_none(), "{name}: no submit button");
    }
    // Kept (by content), never placed in returns/.
    assert_eq!(
        uploads_of(&ws, "U05")
            .iter()
            .filter(|f| f.ends_with(".json") && !f.contains("report"))
            .count(),
        4
    );
    assert_eq!(std::fs::read_dir(&ws.ws.returns).unwrap().count(), 1);
    srv.stop();
}

#[test]
fn a_planted_error_shows_its_cell_and_value_then_submit_updates_the_office() {
    let ws = workspace("planted", &[U04_FILE], true);
    let srv = start(&ws);
    let addr = srv.addr;
    let (token, office) = (&ws.tokens["U05"], &ws.tokens["office"]);
    let name = unit_name(&ws, "U05");
    let mut values = clean_values();
    let was = plant(&mut values, "t3.new.natural_person", 1);
    let bytes = return_bytes(&name, &values);
    let cell = cell_of(&bytes, "t3.new.natural_person");
    // Before: the office sees U05 as not filed.
    let before = get(addr, "/office", Some(office)).text();
    assert!(before.contains("未报送"));
    assert_eq!(
        upload(addr, token, "U05", "我的年报.xlsx", &bytes).status,
        303
    );
    let page = get(addr, "/unit/U05", Some(token)).text();
    assert!(
        page.contains(&format!("最可能出错：{cell}，应为 {was}")),
        "{page}"
    );
    assert!(
        page.contains(&format!("<td class=\"cell\">{cell}</td>")),
        "{page}"
    );
    assert!(page.contains("我的年报.xlsx"));
    assert!(
        page.contains("仍然提交"),
        "a return with errors may be submitted"
    );
    let sha = shown_upload(&page).unwrap();
    let annotated = get(
        addr,
        &format!("/unit/U05/uploads/{sha}/annotated"),
        Some(token),
    );
    assert_eq!(annotated.status, 200);
    assert!(nianbao_read::generated_mark(&annotated.body).is_some());
    // Another unit's return is refused here.
    let other = return_bytes(&unit_name(&ws, "U06"), &clean_values());
    upload(addr, token, "U05", "x.xlsx", &other);
    let page = get(addr, "/unit/U05", Some(token)).text();
    assert!(page.contains("不是本单位"), "{page}");
    assert!(shown_upload(&page).is_none());
    // The corrected one passes and is submitted.
    assert_eq!(
        upload(
            addr,
            token,
            "U05",
            "改好的.xlsx",
            &return_bytes(&name, &clean_values())
        )
        .status,
        303
    );
    let page = get(addr, "/unit/U05", Some(token)).text();
    assert!(page.contains("结论：通过"), "{page}");
    assert_eq!(submit(addr, token, "U05").status, 303);
    let placed: Vec<String> = std::fs::read_dir(&ws.ws.returns)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        placed.contains(&format!("U05_{name}_网上报送.xlsx")),
        "{placed:?}"
    );
    assert_eq!(placed.len(), 2);
    let report = report_json(&ws);
    assert_eq!(unit_in_report(&report, "U05")["status"], "ok");
    let office_page = get(addr, "/office", Some(office)).text();
    let row = office_page
        .split("<tr>")
        .find(|r| r.contains("<td>U05</td>"))
        .unwrap();
    assert!(row.contains("通过"), "{row}");
    assert!(
        get(addr, "/unit/U05", Some(token))
            .text()
            .contains("此版本已提交")
    );
    // Every upload kept: three contents, each with its record.
    let records = uploads_of(&ws, "U05")
        .into_iter()
        .filter(|f| f.len() == 64 + 5 && f.ends_with(".json"))
        .count();
    assert_eq!(records, 3);
    srv.stop();
}

#[test]
fn forty_two_units_at_once_with_the_nightly_run_beside_them() {
    let ws = workspace("crowd", &[], false);
    let srv = start(&ws);
    let addr = srv.addr;
    let codes: Vec<String> = (1..=42).map(|i| format!("U{i:02}")).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The nightly run, again and again, on the same workspace.
    let nightly = {
        let (dir, stop) = (ws.dir.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut done = 0;
            for _ in 0..100 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let req = nianbao_pipeline::run::RunRequest {
                    workspace: dir.clone(),
                    wait: Some(std::time::Duration::from_secs(120)),
                    lang: nianbao_format::Lang::Zh,
                    ..Default::default()
                };
                if nianbao_pipeline::run::run(&req, &nianbao_pipeline::Silent).is_ok() {
                    done += 1;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            done
        })
    };
    let threads: Vec<_> = codes
        .iter()
        .map(|code| {
            let (code, token) = (code.clone(), ws.tokens[code].clone());
            let name = unit_name(&ws, &code);
            std::thread::spawn(move || {
                let mut first = clean_values();
                plant(&mut first, "t3.new.natural_person", 1);
                assert_eq!(
                    upload(addr, &token, &code, "v1.xlsx", &return_bytes(&name, &first)).status,
                    303
                );
                assert_eq!(submit(addr, &token, &code).status, 303);
                assert_eq!(
                    upload(
                        addr,
                        &token,
                        &code,
                        "v2.xlsx",
                        &return_bytes(&name, &clean_values())
                    )
                    .status,
                    303
                );
                assert_eq!(submit(addr, &token, &code).status, 303);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        nightly.join().unwrap() > 0,
        "the nightly run ran beside the server"
    );
    // One last nightly run: it sees what the server placed.
    let req = nianbao_pipeline::run::RunRequest {
        workspace: ws.dir.clone(),
        wait: Some(std::time::Duration::from_secs(120)),
        lang: nianbao_format::Lang::Zh,
        ..Default::default()
    };
    let last = nianbao_pipeline::run::run(&req, &nianbao_pipeline::Silent).unwrap();
    assert_eq!(last.report.coverage.in_totals, 42);
    let report = report_json(&ws);
    for code in &codes {
        assert_eq!(unit_in_report(&report, code)["status"], "ok", "{code}");
        // Both versions kept, with their records; the first one submitted set aside, not lost.
        let kept = uploads_of(&ws, code);
        assert_eq!(
            kept.iter()
                .filter(|f| f.len() == 64 + 5 && f.ends_with(".json"))
                .count(),
            2,
            "{code}: {kept:?}"
        );
        let replaced = ws.ws.state_dir().join("replaced").join(code);
        assert_eq!(std::fs::read_dir(&replaced).unwrap().count(), 1, "{code}");
    }
    assert_eq!(std::fs::read_dir(&ws.ws.returns).unwrap().count(), 42);
    let office = get(addr, "/office", Some(&ws.tokens["office"])).text();
    assert_eq!(office.matches("未报送</span>").count(), 0);
    srv.stop();
}
