//! `nianbao serve`: the web page of a workspace (`nianbao-serve`), its link tokens issued
//! (`--init-tokens`) or one reissued (`--rotate`). Links are printed once; only their hashes are
//! kept.

use std::net::SocketAddr;
use std::path::Path;

use nianbao_format::{Lang, code_and_name};
use nianbao_pipeline::workspace::Workspace;
use nianbao_serve::tokens::{OFFICE, init_tokens, rotate};

use crate::{EXIT_OK, cannot_run};

fn link(listen: SocketAddr, token: &str) -> String {
    format!("http://{listen}/u/{token}")
}

fn name_of(ws: &Workspace, code: &str) -> String {
    nianbao_pipeline::load_roster(Some(&ws.roster))
        .ok()
        .flatten()
        .and_then(|r| r.units.into_iter().find(|u| u.code == code))
        .map_or_else(String::new, |u| u.name)
}

pub fn run(dir: &Path, listen: SocketAddr, init: bool, rotate_who: Option<&str>, lang: Lang) -> u8 {
    let zh = lang == Lang::Zh;
    if init || rotate_who.is_some() {
        let ws = match Workspace::open(dir) {
            Ok(ws) => ws,
            Err(e) => return cannot_run(&e, lang),
        };
        let issued = match rotate_who {
            Some(who) => rotate(&ws, who).map(|t| vec![(who.to_string(), t)]),
            None => init_tokens(&ws),
        };
        let issued = match issued {
            Ok(i) => i,
            Err(e) => return cannot_run(&e, lang),
        };
        for (who, token) in &issued {
            if who == OFFICE {
                outln!(
                    "{} {}",
                    if zh { "区政府办" } else { "office" },
                    link(listen, token)
                );
            } else {
                outln!(
                    "{} {}",
                    code_and_name(who, &name_of(&ws, who)),
                    link(listen, token)
                );
            }
        }
        errln!(
            "{}",
            if zh {
                "以上链接只显示这一次，请分别发给各单位；本工具只保存它们的摘要。"
            } else {
                "these links are shown only once: send each to its unit; only their hashes are kept."
            }
        );
        return EXIT_OK;
    }
    if !listen.ip().is_loopback() {
        errln!(
            "{}",
            if zh {
                format!("注意：在 {listen} 上监听，网络中的其他计算机可以访问本页面")
            } else {
                format!("note: listening on {listen}, reachable from other computers")
            }
        );
    }
    match nianbao_serve::start_with_lang(dir, listen, lang) {
        Ok(running) => {
            errln!(
                "{}",
                if zh {
                    format!("年报页面已启动：http://{}（按 Ctrl-C 停止）", running.addr)
                } else {
                    format!("serving on http://{} (Ctrl-C stops)", running.addr)
                }
            );
            running.wait();
            EXIT_OK
        }
        Err(e) => cannot_run(&e, lang),
    }
}
