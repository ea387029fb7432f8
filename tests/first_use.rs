//! What a clerk and an operator met on first use: outputs that would overwrite inputs, our own
//! outputs read back as returns, outputs not written as a set, an empty folder that "succeeds",
//! paths that are not plain files, summaries that do not add up, and smaller faults. One test
//! per item of the issue; each failed on the code before it.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::*;

/// No hidden temporary is left in `dir`.
fn assert_no_temporaries(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporaries left: {leftovers:?}");
}

fn consolidate(returns: &Path, roster: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["consolidate", s(returns), "--roster", s(roster)];
    args.extend_from_slice(extra);
    run(&args)
}

// 1. An output path that is an input is refused, before anything is read or written.
#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let (dir, returns) = jinshan_copy("out-is-input");
    let roster = dir.join("roster.csv");
    let u = a_return(&returns, "xlsx");
    let before = std::fs::read(&u).unwrap();
    let o_xlsx = dir.join("o.xlsx");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--out", s(&u)],
        vec!["--out", s(&o_xlsx), "--json", s(&u)],
        vec!["--out", s(&o_xlsx), "--json", s(&roster)],
    ];
    for args in cases {
        let o = consolidate(&returns, &roster, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("是本次读取的输入文件"),
            "{}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(&u).unwrap(), before, "{args:?}");
        assert!(!dir.join("o.xlsx").exists(), "nothing written: {args:?}");
    }
    // Two outputs on one path.
    let x = dir.join("x.xlsx");
    let o = consolidate(&returns, &roster, &["--out", s(&x), "--json", s(&x)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("两个输出指向同一个文件"),
        "{}",
        stderr(&o)
    );
    assert!(!x.exists());
    // check F --json F, check F --annotate F.
    for flag in ["--json", "--annotate"] {
        let o = run(&["check", s(&u), flag, s(&u)]);
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", stderr(&o));
        assert_eq!(std::fs::read(&u).unwrap(), before, "{flag}");
    }
}

// 2. A re-run does not read our own earlier outputs; stale 退回 files go.
#[test]
fn a_rerun_skips_our_outputs_and_removes_stale_annotated_returns() {
    let (dir, returns) = jinshan_copy("rerun-annotate");
    let roster = dir.join("roster.csv");
    let (wrong, original) = plant_error(&returns);
    let out = returns.join("汇总.xlsx");
    let back = returns.join("退回");
    let report = dir.join("r.json");
    let args = [
        "--out",
        s(&out),
        "--json",
        s(&report),
        "--annotate",
        s(&back),
    ];
    let first = consolidate(&returns, &roster, &args);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let sent: Vec<String> = std::fs::read_dir(&back)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let r1 = json(&report);
    assert_eq!(r1["coverage"]["in_totals"], 42);

    // Again, with 汇总.xlsx and 退回/ among the returns: the same result, ours skipped.
    let second = consolidate(&returns, &roster, &args);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let r2 = json(&report);
    assert_eq!(r1["coverage"], r2["coverage"]);
    assert_eq!(r1["totals"], r2["totals"]);
    let skipped: Vec<&str> = r2["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["error"]
                .as_str()
                .is_some_and(|e| e.contains("本工具生成的文件"))
        })
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "汇总.xlsx and the 退回 file: {skipped:?}");
    assert!(
        skipped.iter().any(|f| f.starts_with("退回/")),
        "{skipped:?}"
    );

    // The unit sends a correct return: its stale 退回 file goes, and the summary says so.
    std::fs::write(&wrong, original).unwrap();
    let third = consolidate(&returns, &roster, &args);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert_eq!(std::fs::read_dir(&back).unwrap().count(), 0);
    assert!(stderr(&third).contains(&sent[0]), "{}", stderr(&third));
}

// 3. Every output location is checked before reading; a failed write leaves the old set.
#[test]
fn outputs_are_checked_before_reading_and_written_as_a_set() {
    let (dir, returns) = jinshan_copy("set");
    let roster = dir.join("roster.csv");
    let out = dir.join("o.xlsx");
    let rep = dir.join("r.json");
    // A first, good set.
    let o = consolidate(&returns, &roster, &["--out", s(&out), "--json", s(&rep)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (wb, js) = (std::fs::read(&out).unwrap(), std::fs::read(&rep).unwrap());
    // JSON into a missing folder: nothing written, the old workbook stays.
    let o = consolidate(
        &returns,
        &roster,
        &["--out", s(&out), "--json", s(&dir.join("missing/r.json"))],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("输出文件夹不存在"), "{}", stderr(&o));
    // Annotated returns into a folder that cannot take files (/proc refuses even root).
    let o = consolidate(
        &returns,
        &roster,
        &[
            "--out",
            s(&out),
            "--json",
            s(&rep),
            "--annotate",
            "/proc/1/nianbao-退回",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Not .xlsx.
    let o = consolidate(&returns, &roster, &["--out", s(&dir.join("o.csv"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".xlsx"), "{}", stderr(&o));
    assert!(!dir.join("o.csv").exists());
    assert_eq!(std::fs::read(&out).unwrap(), wb, "the old workbook stays");
    assert_eq!(std::fs::read(&rep).unwrap(), js, "the old JSON stays");
    assert_no_temporaries(&dir);
}

// 4. No return found is exit 2 and nothing written (an unmounted share is not a success).
#[test]
fn an_empty_folder_is_exit_2_and_writes_nothing() {
    let dir = temp_dir("empty");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    std::fs::write(returns.join("说明.txt"), "not a return").unwrap();
    let out = dir.join("o.xlsx");
    for roster in [None, Some(root().join("fixtures/jinshan-2022/roster.csv"))] {
        let mut args = vec!["consolidate", s(&returns), "--out", s(&out)];
        if let Some(r) = &roster {
            args.extend(["--roster", s(r)]);
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("未找到任何报表文件：{}", returns.display())),
            "{}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}

// 5. `-` is standard output; /dev/stdout is written to, not replaced; a link is written through.
#[test]
fn stdout_devices_and_links_are_outputs_not_files_to_replace() {
    let (dir, returns) = jinshan_copy("paths");
    let roster = dir.join("roster.csv");
    let out = dir.join("o.xlsx");
    for target in ["-", "/dev/stdout"] {
        let o = consolidate(
            &returns,
            &roster,
            &["--out", s(&out), "--json", target, "-q"],
        );
        assert_eq!(o.status.code(), Some(0), "{target}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
        assert_eq!(v["coverage"]["in_totals"], 42, "{target}");
        assert!(!dir.join("-").exists());
    }
    assert!(Path::new("/dev/stdout").exists());
    // A workbook cannot go to stdout.
    let o = consolidate(&returns, &roster, &["--out", "-"]);
    assert_eq!(o.status.code(), Some(2));
    // Through a link: the target is replaced, the link stays a link.
    #[cfg(unix)]
    {
        let real = dir.join("real.xlsx");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.join("link.xlsx");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let o = consolidate(&returns, &roster, &["--out", s(&link)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read(&real).unwrap().starts_with(b"PK"),
            "target replaced"
        );
        // A link to nowhere, a folder: refused.
        let dangling = dir.join("dangling.xlsx");
        std::os::unix::fs::symlink(dir.join("nowhere/x.xlsx"), &dangling).unwrap();
        let o = consolidate(&returns, &roster, &["--out", s(&dangling)]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        std::fs::create_dir_all(dir.join("d.xlsx")).unwrap();
        let o = consolidate(&returns, &roster, &["--out", s(&dir.join("d.xlsx"))]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("文件夹"), "{}", stderr(&o));
    }
}

// 8. The summary: counts that add up and say what they count, units named, -q keeps failures.
#[test]
fn the_summary_adds_up_and_names_units() {
    let dir = temp_dir("summary");
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let src = root().join("fixtures/jinshan-2022");
    let mut n = 0;
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xlsx") && n < 5 {
            std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
            n += 1;
        }
    }
    std::fs::copy(
        root().join("fixtures/bad/bad-truncated.xlsx"),
        returns.join("坏文件.xlsx"),
    )
    .unwrap();
    std::fs::write(returns.join("说明.txt"), "x").unwrap();
    let roster = src.join("roster.csv");
    let out = dir.join("o.xlsx");
    let o = consolidate(&returns, &roster, &["--out", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("共 7 个文件：读取 5，失败 1，跳过 1"), "{err}");
    // 42 expected: 5 in the totals, the rest missing (named, the first few then how many).
    assert!(
        err.contains("应报 42 个单位：计入汇总 5/42 单位，未报送 37 个（"),
        "{err}"
    );
    assert!(err.contains("等 37 个）"), "{err}");
    assert!(err.contains("无法读取：坏文件.xlsx："), "{err}");
    // -q: no summary, but the failure still reaches stderr.
    let o = consolidate(&returns, &roster, &["--out", s(&out), "-q"]);
    let err = stderr(&o);
    assert!(err.contains("无法读取：坏文件.xlsx："), "{err}");
    assert!(!err.contains("共 7 个文件"), "{err}");
}

// 9. Smaller faults.
#[test]
fn help_is_in_chinese_unless_english_is_asked_for() {
    let o = run(&["run", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("工作区的夜间汇总") && out.contains("用法："),
        "{out}"
    );
    assert!(!out.contains("Options:"), "{out}");
    let o = run(&["run", "--help", "--lang", "en"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("The nightly consolidation"), "{out}");
    // A wrong argument: a Chinese line first, then clap's own, exit 2.
    let o = run(&["consolidate", "--no-such-option"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("nianbao：命令行参数有误"), "{err}");
    assert!(err.contains("--no-such-option"), "{err}");
}

#[test]
fn check_on_a_folder_points_at_consolidate() {
    let dir = temp_dir("check-dir");
    let o = run(&["check", s(&dir)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("是文件夹，不是文件") && err.contains("nianbao consolidate"),
        "{err}"
    );
}

#[test]
fn a_read_only_output_is_not_replaced() {
    let (dir, returns) = jinshan_copy("readonly");
    let out = dir.join("o.xlsx");
    std::fs::write(&out, b"keep").unwrap();
    let mut perm = std::fs::metadata(&out).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&out, perm).unwrap();
    let o = consolidate(&returns, &dir.join("roster.csv"), &["--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("只读"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep");
}

#[test]
fn system_errors_are_said_in_chinese_with_the_original_kept() {
    let dir = temp_dir("syserr");
    let o = run(&["check", s(&dir.join("没有这个文件.xlsx"))]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("不存在（"), "{err}");
    assert!(err.contains("os error 2"), "the original kept: {err}");
}

#[test]
fn without_a_roster_check_names_the_unit_once() {
    let file = a_return(&root().join("fixtures/jinshan-2022"), "xlsx");
    let o = run(&["check", s(&file)]);
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text.lines().find(|l| l.starts_with("单位：")).unwrap();
    let name = line["单位：".len()..].split('　').next().unwrap();
    assert!(!name.contains('（'), "{line}");
}

#[test]
fn a_cross_year_message_names_last_years_file() {
    let last = root().join("fixtures/jinshan-2021/U02_朱泾镇_2021年报统计表.xlsx");
    // This year's return of another unit: its 上年结转 will not match 朱泾镇's 结转下年度.
    let this = a_return(&root().join("fixtures/jinshan-2022"), "xls");
    let o = run(&["check", s(&this), "--prior", s(&last)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("上年报表：U02_朱泾镇_2021年报统计表.xlsx"),
        "{text}"
    );
}

// 3 (cont.). Interrupted at any moment, a run leaves the workbook and the JSON of one run.
#[test]
fn an_interrupted_run_leaves_a_set_that_belongs_together() {
    let (dir, all) = jinshan_copy("interrupt");
    let roster = dir.join("roster.csv");
    // Two folders whose totals differ: every return, and every return but one.
    let fewer = dir.join("fewer");
    std::fs::create_dir_all(&fewer).unwrap();
    let skip = a_return(&all, "xlsx");
    for e in std::fs::read_dir(&all).unwrap() {
        let p = e.unwrap().path();
        if p != skip {
            std::fs::copy(&p, fewer.join(p.file_name().unwrap())).unwrap();
        }
    }
    let out = dir.join("o.xlsx");
    let rep = dir.join("r.json");
    let belong_together = |what: &str| {
        let totals = json(&rep)["totals"].clone();
        let back = nianbao_read::read_path(&out).expect("the workbook reads");
        let from_sheet: Vec<String> = back
            .readings
            .iter()
            .map(|r| r.value.unwrap().to_string())
            .collect();
        let from_json: Vec<String> = nianbao_format::fields()
            .iter()
            .map(|f| {
                let v = json_text(&totals[f.id.as_str()]);
                if f.kind == nianbao_format::Kind::Amount {
                    nianbao_format::parse_decimal(&v, 2).unwrap().to_string()
                } else {
                    v
                }
            })
            .collect();
        assert_eq!(
            from_sheet, from_json,
            "{what}: workbook and JSON of different runs"
        );
    };
    let o = consolidate(&all, &roster, &["--out", s(&out), "--json", s(&rep)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    belong_together("first run");
    // Interrupt runs at moments spread over a run's length (about 0.3 s in a debug build).
    for i in 0..16u64 {
        let returns = if i % 2 == 0 { &fewer } else { &all };
        let mut child = bin()
            .args(["consolidate", s(returns), "--roster", s(&roster), "-q"])
            .args(["--out", s(&out), "--json", s(&rep)])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(40 * i));
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        assert!(
            matches!(status.code(), Some(0 | 1 | 130) | None),
            "run {i}: {status:?}"
        );
        belong_together(&format!("run {i} ({status:?})"));
    }
    assert_no_temporaries(&dir);
}

#[test]
fn fatal_errors_follow_lang() {
    let dir = temp_dir("lang");
    let roster = dir.join("roster.csv");
    std::fs::write(&roster, "code,name\nU01,\n").unwrap();
    let returns = root().join("fixtures/jinshan-2022");
    let out = dir.join("o.xlsx");
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[[rules]]\nid = 1\n").unwrap();
    for (flag, file, zh, en) in [
        (
            "--roster",
            &roster,
            "名单",
            "roster, line 2: code and name cannot be empty",
        ),
        ("--rules", &rules, "规则文件", "rule file, line"),
    ] {
        let o = run(&["consolidate", s(&returns), flag, s(file), "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(zh), "{}", stderr(&o));
        let o = run(&[
            "consolidate",
            s(&returns),
            flag,
            s(file),
            "--out",
            s(&out),
            "--lang",
            "en",
        ]);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains(en), "{err}");
        assert!(
            !err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{err}"
        );
    }
}

// 9 (cont.). A subfolder that cannot be listed fails alone, named; the run goes on.
#[test]
fn an_unreadable_subfolder_fails_alone() {
    let (dir, returns) = jinshan_copy("unreadable-sub");
    // Nested folders whose full path outgrows what the system takes (PATH_MAX): listing the
    // deepest fails for root as for anyone, as a share without permission would.
    let name = "子".repeat(85); // 255 bytes, the most a name may have
    let script = format!(
        "cd '{}' && for i in $(seq 1 16); do mkdir {name} && cd {name} || exit 1; done",
        returns.display()
    );
    let made = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(made.success());
    let out = dir.join("o.xlsx");
    let rep = dir.join("r.json");
    let o = consolidate(
        &returns,
        &dir.join("roster.csv"),
        &["--out", s(&out), "--json", s(&rep)],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&rep);
    assert_eq!(r["coverage"]["in_totals"], 42, "the returns are all read");
    let failed: Vec<&Value> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]["file"].as_str().unwrap().ends_with('/'),
        "{failed:?}"
    );
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("无法读取文件夹"),
        "{failed:?}"
    );
    assert!(stderr(&o).contains("无法读取文件夹"), "{}", stderr(&o));
}

// Rosters as offices keep them: CSV saved by Excel on a Chinese Windows (GB18030), or .xlsx
// with Chinese headers.
#[test]
fn rosters_saved_as_gb18030_csv_or_xlsx_are_read() {
    let src = root().join("fixtures/jinshan-2022");
    let text = std::fs::read_to_string(src.join("roster.csv")).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let dir = temp_dir("rosters");
    let gb = dir.join("名单.csv");
    let chinese = text.replacen("code,name,aliases,kind", "代码,名称,别名,类型", 1);
    std::fs::write(&gb, encoding_rs::GB18030.encode(&chinese).0).unwrap();
    let xlsx = dir.join("名单.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = if r == 0 {
                ["代码", "名称", "别名", "类型"][c].to_string()
            } else {
                v.clone()
            };
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(&xlsx).unwrap();
    for roster in [&gb, &xlsx] {
        let rep = dir.join("r.json");
        let o = consolidate(
            &src,
            roster,
            &["--out", s(&dir.join("o.xlsx")), "--json", s(&rep)],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            roster.display(),
            stderr(&o)
        );
        assert_eq!(json(&rep)["coverage"]["label"], "42/42 单位");
    }
    // A roster problem names its line.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "代码,名称\nU01,石化街道\nU01,朱泾镇\n").unwrap();
    let o = consolidate(&src, &bad, &["--out", s(&dir.join("o.xlsx"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("第 3 行"), "{}", stderr(&o));
}

// A unit that sends last year's file into this year's folder.
#[test]
fn a_return_of_another_year_is_an_error_out_of_the_totals() {
    let (dir, returns) = jinshan_copy("wrong-year");
    let file = a_return(&returns, "xlsx");
    let ret = nianbao_read::read_path(&file).unwrap();
    let values: Vec<i64> = ret.readings.iter().map(|r| r.value.unwrap()).collect();
    let unit = ret.unit_name.unwrap();
    std::fs::write(
        &file,
        nianbao_write::return_bytes(&unit, Some(2021), &values).unwrap(),
    )
    .unwrap();
    let rep = dir.join("r.json");
    let out = dir.join("o.xlsx");
    for year in [None, Some("2022")] {
        let mut extra = vec!["--out", s(&out), "--json", s(&rep)];
        if let Some(y) = year {
            extra.extend(["--year", y]);
        }
        let o = consolidate(&returns, &dir.join("roster.csv"), &extra);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let r = json(&rep);
        assert_eq!(r["coverage"]["label"], "41/42 单位");
        let v: Vec<&Value> = r["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["rule"] == "file.wrong_year")
            .collect();
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(
            v[0]["message"]
                .as_str()
                .unwrap()
                .starts_with("年份不符：文件为 2021 年报表，本次汇总为 2022 年"),
            "{v:?}"
        );
    }
}

// Issue 9: a district-level violation names the units it comes from.
#[test]
fn a_district_violation_names_the_units_it_comes_from() {
    let (dir, returns) = jinshan_copy("attribution");
    let (wrong, _) = plant_error(&returns);
    let unit = nianbao_read::read_path(&wrong).unwrap().unit_name.unwrap();
    let rep = dir.join("r.json");
    let o = consolidate(
        &returns,
        &dir.join("roster.csv"),
        &["--out", s(&dir.join("o.xlsx")), "--json", s(&rep)],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&rep);
    let district: Vec<&Value> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["unit"] == "district")
        .collect();
    assert!(!district.is_empty());
    for v in district {
        let from = v["from_units"].as_array().unwrap();
        assert_eq!(from.len(), 1, "{v}");
        assert_eq!(from[0]["diff"], 1, "{v}");
        let code = from[0]["unit"].as_str().unwrap();
        let msg = v["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("来自 {code} ")) && msg.contains("（差 1）"),
            "{msg}"
        );
        let u = r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == code)
            .unwrap();
        assert!(
            unit.contains(u["name"].as_str().unwrap())
                || u["name"].as_str().unwrap().contains(&unit)
        );
    }
}

// Issue 9: the same inputs give byte-identical outputs.
#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let src = root().join("fixtures/jinshan-2022");
    let dir = temp_dir("identical");
    let mut seen: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for i in 0..2 {
        let out = dir.join(format!("o{i}.xlsx"));
        let rep = dir.join(format!("r{i}.json"));
        let o = consolidate(
            &src,
            &src.join("roster.csv"),
            &["--out", s(&out), "--json", s(&rep)],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        seen.push((std::fs::read(&out).unwrap(), std::fs::read(&rep).unwrap()));
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert!(seen[0].0 == seen[1].0, "workbooks differ");
    assert!(seen[0].1 == seen[1].1, "JSON reports differ");
}
