//! A year's workspace and its nightly run (`nianbao init`, `nianbao run`): incremental, quiet
//! when nothing changed, what changed when something did, one run at a time, crash-safe.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::Reader;
use serde_json::Value;

use crate::common::*;

/// A workspace for 2022 with the 42 Jinshan returns in it.
fn workspace(name: &str) -> PathBuf {
    workspace_after(name, &root().join("fixtures/jinshan-2021"))
}

/// The same, with last year's returns in `prior`.
fn workspace_after(name: &str, prior: &Path) -> PathBuf {
    let dir = init_workspace(name, Some(prior));
    let src = root().join("fixtures/jinshan-2022");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let ext = p.extension().map(|x| x.to_string_lossy().into_owned());
        if matches!(ext.as_deref(), Some("xlsx" | "xls" | "ods")) {
            std::fs::copy(&p, dir.join("returns").join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn nightly(ws: &Path) -> Output {
    run(&["run", s(ws)])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The files of a folder (not its subfolders, whose times a check that they take files moves)
/// with their modification times.
fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_file())
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn log_lines(ws: &Path) -> Vec<Value> {
    std::fs::read_to_string(ws.join(".nianbao/runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn init_makes_the_workspace_and_normalises_the_roster() {
    let dir = temp_dir("init");
    let gb = dir.join("名单.csv");
    let text = std::fs::read_to_string(root().join("fixtures/jinshan-2022/roster.csv")).unwrap();
    let text = text.replacen("code,name,aliases,kind", "代码,名称,别名,类型", 1);
    std::fs::write(&gb, encoding_rs::GB18030.encode(&text).0).unwrap();
    let ws = dir.join("年报2022");
    let o = run(&["init", s(&ws), "--year", "2022", "--roster", s(&gb)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for p in [
        "nianbao.toml",
        "roster.csv",
        "waivers.csv",
        "returns",
        "out",
        ".nianbao",
    ] {
        assert!(ws.join(p).exists(), "{p}");
    }
    let copied = std::fs::read_to_string(ws.join("roster.csv")).expect("UTF-8 now");
    assert!(copied.starts_with("code,name,aliases,kind\n"));
    assert!(copied.contains("U01,石化街道,"), "{copied}");
    // Not over a folder that holds something.
    let o = run(&["init", s(&ws), "--year", "2022", "--roster", s(&gb)]);
    assert_eq!(o.status.code(), Some(2));
    // An empty workspace has no return: exit 2, nothing written.
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("未找到任何报表文件"), "{}", stderr(&o));
    assert!(!ws.join("out/汇总.xlsx").exists());
}

#[test]
fn a_bad_configuration_is_refused_naming_the_key() {
    let ws = workspace("config");
    let toml = ws.join("nianbao.toml");
    let good = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{good}\nsurprise = 1\n")).unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("surprise"), "{}", stderr(&o));
    std::fs::write(
        &toml,
        good.replace("roster = \"roster.csv\"", "roster = \"名单.csv\""),
    )
    .unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("roster"), "{}", stderr(&o));
}

#[test]
fn a_second_run_with_nothing_new_is_silent_and_leaves_the_outputs() {
    let ws = workspace("quiet");
    let first = nightly(&ws);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("新报送 42 个"),
        "{}",
        stdout(&first)
    );
    let before = mtimes(&ws.join("out"));
    std::thread::sleep(std::time::Duration::from_millis(50));
    let second = nightly(&ws);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(stdout(&second), "", "nothing changed, nothing said");
    assert_eq!(mtimes(&ws.join("out")), before, "out/ untouched");
    let log = log_lines(&ws);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["outputs_written"], true);
    assert_eq!(log[1]["outputs_written"], false);
    assert_eq!(log[1]["read_fresh"], 0);
    assert_eq!(
        log[1]["from_cache"], 84,
        "this year's 42 and last year's 42"
    );
    // The outputs depend on the language they are written in too.
    let english = run(&["run", s(&ws), "--lang", "en"]);
    assert_eq!(english.status.code(), Some(0), "{}", stderr(&english));
    assert_eq!(log_lines(&ws)[2]["outputs_written"], true);
    let mut book = calamine::open_workbook_auto(ws.join("out/汇总.xlsx")).unwrap();
    let units = book.worksheet_range("分单位明细").unwrap();
    let heads: Vec<String> = units.rows().flatten().map(|c| c.to_string()).collect();
    assert!(heads.iter().any(|h| h == "Unit code"), "{heads:?}");
}

#[test]
fn a_damaged_cache_is_read_again_never_trusted() {
    let ws = workspace("damaged-cache");
    assert_eq!(nightly(&ws).status.code(), Some(0));
    let report = || report_without_changes(&ws);
    // The units' rows of the workbook, as a reader sees them.
    let rows = || {
        let mut book = calamine::open_workbook_auto(ws.join("out/汇总.xlsx")).unwrap();
        let sheet = book.worksheet_range("分单位明细").unwrap();
        sheet.rows().map(|r| format!("{r:?}")).collect::<Vec<_>>()
    };
    let (first, first_rows) = (report(), rows());
    let pack = ws.join(".nianbao/cache/entries.pack");
    let kept = ws.join(".nianbao/cache/assessed.pack");
    let parts = ws.join(".nianbao/cache/parts.pack");
    let good = std::fs::read(&pack).unwrap();
    let assessed = std::fs::read(&kept).unwrap();
    let flipped = |bytes: &[u8], from: usize, step: usize| {
        let mut bad = bytes.to_vec();
        for k in (from..bytes.len()).step_by(step) {
            bad[k] ^= 0x55;
        }
        bad
    };
    // The assessments kept damaged throughout (every record), and the read results: a byte
    // flipped in every record's body but the first ones', then the pack cut short.
    let every_assessment = flipped(&assessed, 100, 50);
    // And the workbook's deflated parts.
    let kept_parts = std::fs::read(&parts).unwrap();
    let every_part = flipped(&kept_parts, 100, 50);
    for damaged in [
        flipped(&good, good.len() / 3, 997),
        good[..good.len() / 2].to_vec(),
    ] {
        std::fs::write(&pack, &damaged).unwrap();
        std::fs::write(&kept, &every_assessment).unwrap();
        std::fs::write(&parts, &every_part).unwrap();
        std::fs::remove_file(ws.join("out/report.json")).unwrap();
        let o = nightly(&ws);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let last = log_lines(&ws).pop().unwrap();
        let (fresh, cached) = (
            last["read_fresh"].as_u64().unwrap(),
            last["from_cache"].as_u64().unwrap(),
        );
        assert!(fresh > 0 && cached > 0, "{last}");
        assert_eq!(fresh + cached, 84, "{last}");
        assert_eq!(
            report(),
            first,
            "the same results, read again where damaged"
        );
        assert_eq!(rows(), first_rows, "the same rows, deflated again");
    }
    // The assessments damaged or cut short, the read results whole: nothing read again, the
    // same results.
    assert_eq!(nightly(&ws).status.code(), Some(0));
    let assessed = std::fs::read(&kept).unwrap();
    for damaged in [
        flipped(&assessed, assessed.len() / 2, 211),
        assessed[..assessed.len() / 3].to_vec(),
    ] {
        std::fs::write(&kept, &damaged).unwrap();
        std::fs::remove_file(ws.join("out/report.json")).unwrap();
        let o = nightly(&ws);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(log_lines(&ws).pop().unwrap()["read_fresh"], 0);
        assert_eq!(report(), first, "the same results, assessed again");
    }
    // The run rebuilt the pack: the next one reads nothing.
    std::fs::remove_file(ws.join("out/report.json")).unwrap();
    assert_eq!(nightly(&ws).status.code(), Some(0));
    assert_eq!(log_lines(&ws).pop().unwrap()["read_fresh"], 0);
}

#[test]
fn an_annotated_return_removed_is_written_again_and_one_edited_is_left_alone() {
    let ws = workspace("annotated-again");
    plant_error(&ws.join("returns"));
    assert_eq!(nightly(&ws).status.code(), Some(1));
    let first = annotated(&ws);
    assert_eq!(first.len(), 1, "one annotated return");
    let path = ws.join("out/退回").join(&first[0].0);
    // Nothing changed: left alone.
    assert_eq!(nightly(&ws).status.code(), Some(1));
    assert_eq!(log_lines(&ws).pop().unwrap()["outputs_written"], false);
    // Removed by hand: the next run writes it again.
    std::fs::remove_file(&path).unwrap();
    assert_eq!(nightly(&ws).status.code(), Some(1));
    assert_eq!(log_lines(&ws).pop().unwrap()["outputs_written"], true);
    assert_eq!(annotated(&ws), first);
    // Written over (a unit's correction typed into it, say): the run writes everything else,
    // leaves that file as it is, and says so.
    std::fs::write(&path, b"the unit's own edit").unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(log_lines(&ws).pop().unwrap()["outputs_written"], true);
    assert_eq!(std::fs::read(&path).unwrap(), b"the unit's own edit");
    let err = stderr(&o);
    assert!(err.contains(&first[0].0) && err.contains("未覆盖"), "{err}");
    assert!(
        err.contains("未覆盖；如是单位的改正"),
        "one line, read whole: {err}"
    );
    // And the next night, with nothing new, is quiet again.
    let o = nightly(&ws);
    assert_eq!(log_lines(&ws).pop().unwrap()["outputs_written"], false);
    assert_eq!(stdout(&o), "");
}

#[test]
fn outputs_another_run_wrote_since_the_last_state_are_written_again() {
    let ws = workspace("stale");
    assert_eq!(nightly(&ws).status.code(), Some(0));
    // Outputs written by a run that recorded no state (killed just after its renames, or a
    // consolidation of the web page between nights) on 41 of the 42 returns.
    let some = ws.join("some");
    std::fs::create_dir_all(&some).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(ws.join("returns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for p in &files[1..] {
        std::fs::copy(p, some.join(p.file_name().unwrap())).unwrap();
    }
    let o = run(&[
        "consolidate",
        s(&some),
        "--roster",
        s(&ws.join("roster.csv")),
        "--out",
        s(&ws.join("out/汇总.xlsx")),
        "--json",
        s(&ws.join("out/report.json")),
        "-q",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    assert_eq!(
        json(&ws.join("out/report.json"))["coverage"]["received"],
        41
    );
    // The inputs are those of the last state: the outputs are not, and are written again.
    let again = nightly(&ws);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        json(&ws.join("out/report.json"))["coverage"]["received"],
        42
    );
    assert_eq!(log_lines(&ws)[1]["outputs_written"], true);
}

#[test]
fn a_replaced_return_is_read_again_and_its_changes_reported() {
    let ws = workspace("replaced");
    assert_eq!(nightly(&ws).status.code(), Some(0));
    // One unit sends a corrected version with a count changed (its balance then fails).
    change_value(&first_xlsx(&ws.join("returns")), "t3.new.natural_person", 1);
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let news = stdout(&o);
    assert!(news.contains("重新报送 1 个"), "{news}");
    assert!(news.contains("通过 → 有错误"), "{news}");
    assert!(news.contains("全区合计变化"), "{news}");
    assert!(
        news.contains("全区合计不平") && news.contains("来自 U"),
        "{news}"
    );
    let log = log_lines(&ws);
    assert_eq!(
        log[1]["read_fresh"], 1,
        "only the replaced file is read again"
    );
    let report = json(&ws.join("out/report.json"));
    let changes = &report["changes"];
    assert_eq!(changes["refiled_units"].as_array().unwrap().len(), 1);
    assert!(changes["since"].is_string());
    let moved: Vec<&str> = changes["totals_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["field"].as_str().unwrap())
        .collect();
    assert!(moved.contains(&"t3.new.natural_person"), "{moved:?}");
    let mut book = calamine::open_workbook_auto(ws.join("out/汇总.xlsx")).unwrap();
    assert!(book.sheet_names().contains(&"变化".to_string()));
    let sheet = book.worksheet_range("变化").unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().any(|t| t == "t3.new.natural_person"),
        "{text:?}"
    );
    // Units by code and name.
    let code = changes["refiled_units"][0].as_str().unwrap();
    let unit = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == code)
        .unwrap();
    let named = format!("{code} {}", unit["name"].as_str().unwrap());
    assert!(text.iter().any(|t| t == &named), "{named}: {text:?}");
}

/// A unit sends the same return again (by mail after the web page, say): counted once, and the
/// morning's news names the unit, so the clerk knows a file came; the night after, silence.
#[test]
fn a_copy_arriving_later_is_named_in_the_news() {
    let ws = workspace("copy-later");
    assert_eq!(nightly(&ws).status.code(), Some(0));
    let original = first_xlsx(&ws.join("returns"));
    std::fs::copy(&original, ws.join("returns/再次报送.xlsx")).unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let news = stdout(&o);
    let report = json(&ws.join("out/report.json"));
    let files = report["files"].as_array().unwrap();
    let copy = files.iter().find(|f| f["file"] == "再次报送.xlsx").unwrap();
    assert_eq!(copy["status"], "skipped", "{copy}");
    let code = copy["unit"].as_str().unwrap();
    assert!(
        news.contains(&format!("未采用的新文件 1 个：{code} ")),
        "{news}"
    );
    assert_eq!(
        report["changes"]["set_aside_units"],
        serde_json::json!([code])
    );
    assert_eq!(report["changes"]["refiled_units"], serde_json::json!([]));
    let mut book = calamine::open_workbook_auto(ws.join("out/汇总.xlsx")).unwrap();
    let sheet = book.worksheet_range("变化").unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().any(|t| t.starts_with("有未采用的新文件的单位")),
        "{text:?}"
    );
    // Known the night after: nothing to say.
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "nothing new");
}

#[test]
fn a_second_run_at_once_exits_3_naming_the_first() {
    let ws = workspace("lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(ws.join(".nianbao/lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(ws.join(".nianbao/lock"), "4242 2024-01-05T02:00:00+08:00\n").unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("另一次汇总正在进行（进程 4242，开始于 2024-01-05T02:00:00+08:00）"),
        "{}",
        stderr(&o)
    );
    assert!(!ws.join("out/汇总.xlsx").exists());
    drop(lock);
    assert_eq!(
        nightly(&ws).status.code(),
        Some(0),
        "the lock goes with its holder"
    );
}

#[test]
fn a_run_killed_at_any_moment_leaves_whole_outputs_and_the_next_succeeds() {
    let ws = workspace("killed");
    assert_eq!(nightly(&ws).status.code(), Some(0));
    let returns = ws.join("returns");
    let one: PathBuf = std::fs::read_dir(&returns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .unwrap();
    let aside = ws.join("aside.xlsx");
    // Kill moments spread over a run's length (about 0.4 s in a debug build, cache warm).
    for i in 0..12u64 {
        // Alternate 42 and 41 returns so that every run has something to write.
        if i % 2 == 0 {
            std::fs::rename(&one, &aside).unwrap();
        } else {
            std::fs::rename(&aside, &one).unwrap();
        }
        let mut child = bin().args(["run", s(&ws), "-q"]).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(40 * i));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let report = json(&ws.join("out/report.json"));
        let back = nianbao_read::read_path(&ws.join("out/汇总.xlsx")).expect("a whole workbook");
        let t = nianbao_format::field_index("t3.new.total").unwrap();
        // Killed between the renames of its set (a window of microseconds), a run leaves the
        // journal of its commit, which the next run completes before anything else.
        let journal = std::fs::read_dir(ws.join("out")).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".nianbao-commit")
        });
        assert!(
            report["totals"]["t3.new.total"] == back.readings[t].value.unwrap() || journal,
            "run {i}: the workbook and the JSON of one run"
        );
    }
    let o = nightly(&ws);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let leftovers: Vec<String> = std::fs::read_dir(ws.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".nianbao-commit"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The outputs are this last run's: a killed run that renamed its outputs but could not
    // record its state does not make the next run with last state's inputs keep them.
    let report = json(&ws.join("out/report.json"));
    let back = nianbao_read::read_path(&ws.join("out/汇总.xlsx")).expect("a whole workbook");
    let t = nianbao_format::field_index("t3.new.total").unwrap();
    assert_eq!(
        report["totals"]["t3.new.total"],
        back.readings[t].value.unwrap()
    );
    assert_eq!(
        report["coverage"]["received"], 42,
        "every return is in place again"
    );
}

#[test]
fn the_deadline_counts_down_and_names_the_late() {
    let ws = workspace("deadline");
    let returns = ws.join("returns");
    let one: PathBuf = std::fs::read_dir(&returns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .unwrap();
    std::fs::remove_file(&one).unwrap();
    let toml = ws.join("nianbao.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("deadline = \"2020-01-31\"\n{text}")).unwrap();
    let o = nightly(&ws);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("已过报送截止日期（2020-01-31）"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("逾期未报 1 个："), "{}", stderr(&o));
    let mut book = calamine::open_workbook_auto(ws.join("out/汇总.xlsx")).unwrap();
    let sheet = book.worksheet_range("报送情况").unwrap();
    let line = sheet.get_value((1, 0)).unwrap().to_string();
    assert!(
        line.starts_with("报送截止：2020-01-31（已过）；逾期未报 1 个："),
        "{line}"
    );
    // Before the deadline: days left.
    std::fs::write(&toml, format!("deadline = \"2999-12-31\"\n{text}")).unwrap();
    let o = nightly(&ws);
    assert!(
        stderr(&o).contains("距报送截止（2999-12-31）还有"),
        "{}",
        stderr(&o)
    );
}

/// The report of the last run, without what changed since the one before.
fn report_without_changes(ws: &Path) -> Value {
    let mut v = json(&ws.join("out/report.json"));
    v["changes"] = Value::Null;
    v
}

/// The annotated returns (退回) of the last run, by name.
fn annotated(ws: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(ws.join("out/退回"))
        .map(|d| {
            d.map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The first .xlsx return of a folder, by name.
fn first_xlsx(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    files.sort();
    files.remove(0)
}

/// A unit's return rewritten with `field` changed by `by`.
#[test]
fn kept_assessments_give_what_reading_again_gives_and_follow_rules_roster_and_last_year() {
    // Last year's returns in a folder of the test's own, so that one can be changed.
    let base = temp_dir("kept-assessments");
    let prior = base.join("2021");
    std::fs::create_dir_all(&prior).unwrap();
    for e in std::fs::read_dir(root().join("fixtures/jinshan-2021")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "md") {
            std::fs::copy(&p, prior.join(p.file_name().unwrap())).unwrap();
        }
    }
    let ws = workspace_after("kept-assessments-ws", &prior);
    // One unit's balance fails (its readings are kept, and its annotated return written).
    change_value(&first_xlsx(&ws.join("returns")), "t3.new.natural_person", 1);
    // The rules in a file of the workspace's.
    let rules = std::fs::read_to_string(root().join("crates/nianbao-rules/rules.toml")).unwrap();
    std::fs::write(ws.join("rules.toml"), &rules).unwrap();
    let toml = ws.join("nianbao.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    let config = config.replace("# rules = \"rules.toml\"", "rules = \"rules.toml\"");
    std::fs::write(&toml, config).unwrap();

    // What a run gives, and what the same run gives with nothing kept.
    let results = |ws: &Path| (report_without_changes(ws), annotated(ws));
    // The outputs removed: written again whatever the run finds.
    let clear = |ws: &Path| {
        let _ = std::fs::remove_dir_all(ws.join("out/退回"));
        std::fs::remove_file(ws.join("out/report.json")).unwrap();
    };
    let cold = |ws: &Path| {
        std::fs::remove_dir_all(ws.join(".nianbao/cache")).unwrap();
        clear(ws);
        let o = nightly(ws);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        results(ws)
    };
    // A run that reads only `fresh` files again.
    let kept = |ws: &Path, fresh: u64| {
        clear(ws);
        let o = nightly(ws);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(log_lines(ws).pop().unwrap()["read_fresh"], fresh);
        results(ws)
    };
    assert_eq!(nightly(&ws).status.code(), Some(1));
    let first = results(&ws);
    assert_eq!(first.1.len(), 1, "one annotated return");
    assert_eq!(kept(&ws, 0), first, "every assessment kept");
    assert!(ws.join(".nianbao/cache/assessed.pack").is_file());

    // The rules change: every year-on-year difference is now a warning.
    let loose = rules
        .replace("factor = 5", "factor = 1.01")
        .replace("floor = 20", "floor = 1");
    assert_ne!(loose, rules);
    std::fs::write(ws.join("rules.toml"), loose).unwrap();
    let after_rules = kept(&ws, 0);
    assert_ne!(after_rules.0, first.0, "the rules changed the results");
    assert_eq!(after_rules, cold(&ws));

    // Last year's return of a unit changes: its cross-year checks with it.
    change_value(
        &prior.join("U05_亭林镇_2021年报统计表.xlsx"),
        "t3.new.natural_person",
        40,
    );
    let after_prior = kept(&ws, 1);
    assert_ne!(
        after_prior.0, after_rules.0,
        "last year changed the results"
    );
    assert_eq!(after_prior, cold(&ws));

    // The roster changes: a unit's code.
    let roster = ws.join("roster.csv");
    let text = std::fs::read_to_string(&roster).unwrap();
    std::fs::write(&roster, text.replacen("U05,", "X05,", 1)).unwrap();
    let after_roster = kept(&ws, 0);
    assert_ne!(after_roster.0, after_prior.0);
    assert_eq!(after_roster, cold(&ws));
}
