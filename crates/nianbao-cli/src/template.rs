//! `nianbao template`: the blank returns of a workspace's units, written into its `templates/`
//! folder (or `--out`); one line on stdout saying what was written.

use std::path::PathBuf;

use nianbao_format::{Lang, code_and_name};
use nianbao_pipeline::template::{TemplateRequest, write_templates};

use crate::{EXIT_OK, cannot_run};

pub fn run(workspace: PathBuf, unit: Option<String>, out: Option<PathBuf>, lang: Lang) -> u8 {
    let req = TemplateRequest {
        workspace,
        unit,
        out,
    };
    let outcome = match write_templates(&req) {
        Ok(o) => o,
        Err(e) => return cannot_run(&e, lang),
    };
    let n = outcome.files.len();
    let dir = outcome.dir.display();
    let year = outcome.year;
    match lang {
        Lang::Zh => outln!("已写入 {year} 年空白报表 {n} 个：{dir}"),
        Lang::En => outln!("wrote {n} blank returns for {year}: {dir}"),
    }
    if outcome.prior {
        let filled = outcome.files.iter().filter(|f| f.prefilled > 0).count();
        let without: Vec<String> = outcome
            .files
            .iter()
            .filter(|f| !f.had_prior)
            .map(|f| code_and_name(&f.code, &f.name))
            .collect();
        match lang {
            Lang::Zh => {
                out!("按上年报表预填“上年结转”等：{filled} 个单位");
                if !without.is_empty() {
                    out!("；无上年报表：{}", without.join("、"));
                }
                outln!();
            }
            Lang::En => {
                out!("pre-filled from last year's returns: {filled} units");
                if !without.is_empty() {
                    out!("; no return last year: {}", without.join(", "));
                }
                outln!();
            }
        }
    }
    EXIT_OK
}
