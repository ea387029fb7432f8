//! `nianbao publish`: the district's tables as the annual report prints them (a page, a fragment
//! for the website's editor, Markdown) and the sentence on applications drafted from the totals.

use nianbao_format::Lang;
use nianbao_pipeline::publish::{PublishRequest, Source, publish};

use crate::{EXIT_OK, cannot_run};

pub fn run(req: PublishRequest) -> u8 {
    let lang = req.lang;
    let outcome = match publish(&req) {
        Ok(o) => o,
        Err(e) => return cannot_run(&e, lang),
    };
    let zh = lang == Lang::Zh;
    let from = match (&outcome.source, zh) {
        (Source::Workspace(json), true) => format!("工作区最近一次汇总（{}）", json.display()),
        (Source::Workspace(json), false) => {
            format!("the workspace's last run ({})", json.display())
        }
        (Source::Folder, true) => "报表文件夹（现场汇总）".to_string(),
        (Source::Folder, false) => "the returns folder (consolidated now)".to_string(),
        (Source::File, true) => format!("{}", req.source.display()),
        (Source::File, false) => format!("{}", req.source.display()),
    };
    let coverage = outcome
        .coverage
        .map(|(i, e)| {
            if zh {
                format!("，{i}/{e} 单位")
            } else {
                format!(", {i}/{e} units")
            }
        })
        .unwrap_or_default();
    let files: Vec<String> = outcome
        .written
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if zh {
        errln!("数据来源：{from}{coverage}");
        errln!("已写入：{}", files.join("、"));
        errln!("正文草稿（一、总体情况（二）依申请公开方面）：");
    } else {
        errln!("source: {from}{coverage}");
        errln!("written: {}", files.join(", "));
        errln!("draft sentence (一、总体情况（二）依申请公开方面):");
    }
    outln!("{}", outcome.published.narrative);
    EXIT_OK
}
