//! The command line's help in the clerk's language: Chinese unless `--lang en` is among the
//! arguments, when it is main.rs's doc comments as clap prints them. Errors in the arguments
//! are told in Chinese too, from what clap found (the argument, the value, its suggestion).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};

use crate::Cli;

const WORKSPACE: &str = "工作区文件夹（含 nianbao.toml）";
const LANG: &str = "提示信息和输出的语言：zh 中文（默认），en 英文";
const ROSTER: &str = "名单：CSV（UTF-8 或 GB18030）或 .xlsx/.xls，表头为 代码,名称,别名,类型 或 code,name,aliases,kind";
const RULES: &str = "替换内置勾稽关系的规则文件（见 crates/nianbao-rules/rules.toml）";
const JSON: &str = "另外写出 JSON 报告（“-” 为标准输出）";
const PARQUET: &str = "另外写出单位 × 字段数据表（每个单位一行，万元为定点小数），Parquet 格式";
const CSV: &str = "另外写出单位 × 字段数据表，CSV 格式（UTF-8，带字节顺序标记）";
const WAIVERS: &str = "办公室认可的出错说明，CSV：单位,规则,说明,到期（或 unit,rule,reason,expires）：\
                       所列警告标为“已说明”，不再计为问题";

/// The Chinese help: (subcommand, "" for the program or "*" for every subcommand without its
/// own; argument id, or "" for the command's own line; the text). A test holds it to the
/// commands and arguments there are, both ways.
const ZH: &[(&str, &str, &str)] = &[
    ("*", "workspace", WORKSPACE),
    ("*", "lang", LANG),
    ("*", "roster", ROSTER),
    ("*", "rules", RULES),
    ("*", "json", JSON),
    ("*", "parquet", PARQUET),
    ("*", "csv", CSV),
    ("*", "waivers", WAIVERS),
    ("", "", "政府信息公开工作年度报告统计表汇总与校验"),
    (
        "init",
        "",
        "新建一年的年报工作区：nianbao.toml、名单（存为 UTF-8 CSV）、returns/、waivers.csv、\
         out/ 和 .nianbao/",
    ),
    ("init", "dir", "要新建的工作区文件夹（须不存在或为空）"),
    ("init", "year", "年度，如 2023"),
    ("init", "prior", "上年的工作区或报表文件夹，用于跨年度校验"),
    (
        "run",
        "",
        "工作区的夜间汇总：只重读有变化的文件；在标准输出报告自上次汇总以来的变化（无变化则不输出）；\
         同一时间只运行一次",
    ),
    (
        "run",
        "wait",
        "另一次汇总正在进行时，最多等待这么多秒（否则以退出状态 3 结束）",
    ),
    (
        "run",
        "quiet",
        "不在标准错误输出汇总信息（变化和无法读取的文件仍会输出）",
    ),
    (
        "template",
        "",
        "生成各单位填写的空白报表：官方格式，预填上年结转数值，输入检查，表内实时显示全部勾稽关系",
    ),
    ("template", "unit", "只生成这个单位的（名单中的代码或名称）"),
    (
        "template",
        "out",
        "写入的文件夹（默认：工作区的 templates/）",
    ),
    (
        "serve",
        "",
        "工作区的网页：各单位检查并报送本单位报表，办公室查看报送进度；\
         除非指定其他地址，只在本机监听",
    ),
    (
        "serve",
        "listen",
        "监听地址，也用于打印的链接（默认 127.0.0.1:8080，只有本机可访问）",
    ),
    (
        "serve",
        "init_tokens",
        "为名单上每个单位和办公室各生成一个链接，打印一次后结束",
    ),
    (
        "serve",
        "rotate",
        "为一个单位（名单代码，或 office）重新生成链接后结束；旧链接随即失效",
    ),
    (
        "consolidate",
        "",
        "将一个文件夹中的全部报表汇总为全区统计表，写出一个汇总工作簿",
    ),
    (
        "consolidate",
        "returns_dir",
        "存放报表的文件夹（.xlsx、.xls、.ods，包括子文件夹）",
    ),
    (
        "consolidate",
        "prior",
        "上年报表的文件夹，用于跨年度校验（按单位对应）",
    ),
    (
        "consolidate",
        "out",
        "要写出的汇总工作簿（.xlsx；默认：当前文件夹的 汇总.xlsx）",
    ),
    (
        "consolidate",
        "annotate",
        "为每个有错误的单位写出标出错误单元格的报表（退回单位用），存入此文件夹",
    ),
    (
        "consolidate",
        "year",
        "汇总年度（默认：多数报表所填的年度）；其他年度的报表为错误，不计入汇总",
    ),
    (
        "consolidate",
        "prefer",
        "同一单位报送了数值不同的多个文件时：newest 采用最后修改的文件，而不是将该单位排除",
    ),
    (
        "consolidate",
        "name",
        "汇总主体的名称（如“金山区”）：作为填报单位写入全区汇总，市级汇总时即作为本区的报表读取",
    ),
    (
        "consolidate",
        "quiet",
        "不显示进度条和汇总信息（无法读取的文件仍会输出）",
    ),
    (
        "publish",
        "",
        "按年度报告的刊印格式输出全区统计表：可打印为 A4 的网页、网站编辑器用的片段、Markdown，\
         以及依申请公开情况的正文句子",
    ),
    (
        "publish",
        "source",
        "工作区（最近一次汇总）、报表文件夹，或 汇总.xlsx（或任一报表、已发布的年度报告）",
    ),
    (
        "publish",
        "out",
        "写入的文件夹（默认：工作区的 out/，否则为当前文件夹）",
    ),
    ("publish", "name", "标题中的名称（默认：来源所写的名称）"),
    (
        "publish",
        "roster",
        "报表文件夹的名单：应报的单位（用于说明汇总范围）",
    ),
    (
        "check",
        "",
        "检查一份报表：数值和全部勾稽关系，指出涉及的单元格",
    ),
    ("check", "file", "要检查的报表文件"),
    ("check", "prior", "同一单位的上年报表，用于跨年度校验"),
    (
        "check",
        "annotate",
        "写出标出错误单元格并附批注的报表（退回单位用）",
    ),
    (
        "check",
        "waivers",
        "出错说明（单位,规则,说明,到期）：该单位已被认可的警告标为“已说明”，与汇总时相同",
    ),
];

/// Parses the command line, with its help in Chinese unless `--lang en` is given.
pub fn parse() -> Cli {
    let english = english_asked(std::env::args_os());
    let cmd = if english {
        Cli::command()
    } else {
        chinese(Cli::command())
    };
    let matches: ArgMatches = cmd.try_get_matches().unwrap_or_else(|e| {
        // (Without a command clap prints the help, which says enough.)
        let no_command = e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
        if !english && e.use_stderr() && !no_command {
            errln!("{}", chinese_error(&e));
            std::process::exit(e.exit_code());
        }
        e.exit()
    });
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// What is wrong with the arguments, in Chinese: clap's finding told from its context (the
/// argument, the value, what was meant), then the usage line. A kind clap gives no context for
/// keeps clap's own words after the Chinese line.
fn chinese_error(e: &clap::Error) -> String {
    let string = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = string(ContextKind::InvalidArg).unwrap_or_default();
    let value = string(ContextKind::InvalidValue).unwrap_or_default();
    let mut out = String::from("nianbao：命令行参数有误：");
    let found = match e.kind() {
        ErrorKind::UnknownArgument => {
            out += &format!("无法识别的参数“{arg}”");
            if let Some(s) = string(ContextKind::SuggestedArg) {
                out += &format!("，是否想用“{s}”？");
            } else if arg.starts_with('-') {
                out += &format!("（若它是一个值，请写作“-- {arg}”）");
            }
            !arg.is_empty()
        }
        ErrorKind::InvalidSubcommand => {
            let sub = string(ContextKind::InvalidSubcommand).unwrap_or_default();
            out += &format!("没有“{sub}”这个命令");
            if let Some(s) = string(ContextKind::SuggestedSubcommand) {
                out += &format!("，是否想用“{s}”？");
            }
            !sub.is_empty()
        }
        ErrorKind::MissingRequiredArgument => {
            out += &format!("缺少必需的参数 {arg}");
            !arg.is_empty()
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            out += &format!("{arg} 后面缺少值");
            !arg.is_empty()
        }
        ErrorKind::InvalidValue => {
            out += &format!("{arg} 的值“{value}”无效");
            if let Some(valid) = string(ContextKind::ValidValue) {
                out += &format!("，可选：{valid}");
            }
            !arg.is_empty()
        }
        ErrorKind::ValueValidation => {
            out += &format!("{arg} 的值“{value}”无效");
            if let Some(source) = std::error::Error::source(e) {
                out += &format!("（{}）", what_was_expected(source));
            }
            !arg.is_empty()
        }
        ErrorKind::ArgumentConflict => {
            match string(ContextKind::PriorArg) {
                Some(prior) if prior == arg => out += &format!("{arg} 只能给一次"),
                Some(prior) => out += &format!("{arg} 不能与 {prior} 同时使用"),
                None => out += &format!("{arg} 不能与其他参数同时使用"),
            }
            !arg.is_empty()
        }
        ErrorKind::TooManyValues => {
            out += &format!("{arg} 多了一个值“{value}”");
            !arg.is_empty()
        }
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            out += &format!("{arg} 的值的个数不对");
            !arg.is_empty()
        }
        ErrorKind::NoEquals => {
            out += &format!("{arg} 的值须用“=”连接");
            !arg.is_empty()
        }
        ErrorKind::MissingSubcommand => {
            out += "缺少命令";
            true
        }
        ErrorKind::InvalidUtf8 => {
            out += "参数不是有效的 UTF-8 文本";
            true
        }
        _ => false,
    };
    if !found {
        // No context to tell it from: clap's own message, after a Chinese line.
        return format!(
            "nianbao：命令行参数有误（nianbao --help 查看用法）\n{}",
            e.render()
        );
    }
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
        out += &format!("\n\n用法：{usage}");
    }
    out + "\n\nnianbao --help 查看用法"
}

/// What a value that could not be parsed should have been, for the types the arguments take
/// (a count of seconds, a year, a listening address); another type's reason as it is.
fn what_was_expected(source: &(dyn std::error::Error + 'static)) -> String {
    if source.is::<std::num::ParseIntError>() {
        "应为整数".to_string()
    } else if source.is::<std::net::AddrParseError>() {
        "应为 地址:端口，如 127.0.0.1:8080 或 0.0.0.0:8080".to_string()
    } else {
        source.to_string()
    }
}

/// Whether the arguments ask for English (`--lang en` or `--lang=en`).
fn english_asked(args: impl IntoIterator<Item = OsString>) -> bool {
    let args: Vec<OsString> = args.into_iter().collect();
    args.iter().any(|a| a == "--lang=en")
        || args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en")
}

/// `cmd` (the program) with its help in Chinese: each command's line and each argument's help
/// from [`ZH`], headings, defaults and the generated lines too.
fn chinese(cmd: Command) -> Command {
    let mut cmd = localize(cmd, "").mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        localize(sub, &name)
    });
    // The generated --help, --version and `help` exist once the command is built.
    cmd.build();
    let generated = |c: Command| c.mut_arg("help", |a| a.help("显示帮助").help_heading("选项"));
    generated(cmd)
        .mut_arg("version", |a| a.help("显示版本").help_heading("选项"))
        .mut_subcommands(|sub| match sub.get_name() {
            "help" => sub.about("显示帮助，或某个命令的帮助"),
            _ => {
                let mut sub = generated(sub);
                let usage = chinese_usage(&sub.render_usage().to_string());
                sub.override_usage(usage)
            }
        })
}

/// clap's usage line without its English: `nianbao run [选项] <WORKSPACE>`.
fn chinese_usage(usage: &str) -> String {
    let usage = usage.strip_prefix("Usage: ").unwrap_or(usage);
    usage.replace("[OPTIONS]", "[选项]")
}

/// One command's own line and its arguments' help in Chinese.
fn localize(mut cmd: Command, name: &str) -> Command {
    if let Some(about) = text(name, "") {
        cmd = cmd.about(about);
    }
    cmd.help_template("{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .mut_args(|a: Arg| {
            let help = text(name, a.get_id().as_str());
            let heading = if a.is_positional() {
                "参数"
            } else {
                "选项"
            };
            let takes_values = a.get_action().takes_values();
            let a = a
                .help_heading(heading)
                .hide_default_value(takes_values)
                .hide_possible_values(takes_values);
            match help {
                Some(h) => a.help(h),
                None => a,
            }
        })
}

fn text(command: &str, arg: &str) -> Option<&'static str> {
    entry(command, arg).map(|i| ZH[i].2)
}

/// The index in [`ZH`] of the help of `arg` of `command`: its own, else the shared one.
fn entry(command: &str, arg: &str) -> Option<usize> {
    let find = |c: &str| ZH.iter().position(|(zc, za, _)| *zc == c && *za == arg);
    find(command).or_else(|| (!command.is_empty() && !arg.is_empty()).then(|| find("*"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_command_and_argument_has_chinese_help_and_every_text_a_place() {
        let mut cmd = chinese(Cli::command());
        let mut used = std::collections::BTreeSet::new();
        let mut commands: Vec<(String, Command)> = vec![(String::new(), cmd.clone())];
        commands.extend(
            cmd.get_subcommands()
                .filter(|s| s.get_name() != "help")
                .map(|s| (s.get_name().to_string(), s.clone())),
        );
        for (name, c) in &commands {
            used.insert(entry(name, "").unwrap_or_else(|| panic!("no Chinese line for {name:?}")));
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                used.insert(
                    entry(name, id).unwrap_or_else(|| panic!("no Chinese help for {name} --{id}")),
                );
            }
        }
        assert_eq!(
            used.len(),
            ZH.len(),
            "a text in ZH that no command or argument has"
        );
        // What a clerk reads is Chinese: no English heading, default or generated line.
        for (name, _) in &commands {
            let help = match name.as_str() {
                "" => cmd.render_help().to_string(),
                n => cmd
                    .find_subcommand_mut(n)
                    .expect("a subcommand")
                    .render_help()
                    .to_string(),
            };
            assert!(has_chinese(&help), "{help}");
            for english in [
                "Usage:",
                "[OPTIONS]",
                "Options:",
                "Arguments:",
                "Commands:",
                "Print help",
                "Print version",
                "[default",
                "possible values",
            ] {
                assert!(!help.contains(english), "{name:?}: {english}\n{help}");
            }
        }
    }

    #[test]
    fn a_wrong_argument_is_told_in_chinese_with_what_was_meant() {
        let cases: &[(&str, &[&str])] = &[
            (
                "consolidate --foo x",
                &["无法识别的参数“--foo”", "写作“-- --foo”"],
            ),
            (
                "consolidate d --jsn x",
                &["无法识别的参数“--jsn”", "是否想用“--json”"],
            ),
            (
                "consolidat d",
                &["没有“consolidat”这个命令", "是否想用“consolidate”"],
            ),
            ("consolidate", &["缺少必需的参数 <RETURNS_DIR>"]),
            (
                "check a.xlsx --lang xx",
                &["--lang <LANG> 的值“xx”无效，可选：zh、en"],
            ),
            ("consolidate d --json", &["--json <JSON> 后面缺少值"]),
            (
                "serve ws --listen abc",
                &["--listen <LISTEN> 的值“abc”无效（应为 地址:端口"],
            ),
            (
                "run ws --wait 十分钟",
                &["--wait <SECONDS> 的值“十分钟”无效（应为整数）"],
            ),
            (
                "init d --year 二〇二四 --roster r.csv",
                &["--year <YEAR> 的值“二〇二四”无效（应为整数）"],
            ),
            (
                "consolidate d --json a --json b",
                &["--json <JSON> 只能给一次"],
            ),
        ];
        for (line, wanted) in cases {
            let args = std::iter::once("nianbao").chain(line.split(' '));
            let e = chinese(Cli::command())
                .try_get_matches_from(args)
                .expect_err(line);
            let told = chinese_error(&e);
            assert!(
                told.starts_with("nianbao：命令行参数有误："),
                "{line}: {told}"
            );
            for w in *wanted {
                assert!(told.contains(w), "{line}: {w}\n{told}");
            }
            for english in [
                "error:",
                "unexpected",
                "required",
                "invalid value",
                "Usage:",
                "tip:",
            ] {
                assert!(!told.contains(english), "{line}: {english}\n{told}");
            }
            assert_eq!(e.exit_code(), 2, "{line}");
        }
        // The usage line of the command, as clap gives it, follows.
        let e = chinese(Cli::command())
            .try_get_matches_from(["nianbao", "run", "--jsn"])
            .expect_err("unknown");
        assert!(
            chinese_error(&e).contains("用法：nianbao run"),
            "{}",
            chinese_error(&e)
        );
    }

    #[test]
    fn english_is_asked_for_by_the_lang_flag_only() {
        let args = |s: &str| s.split(' ').map(OsString::from).collect::<Vec<_>>();
        assert!(english_asked(args("nianbao run ws --lang en")));
        assert!(english_asked(args("nianbao check f.xlsx --lang=en")));
        assert!(!english_asked(args("nianbao run ws --lang zh")));
        assert!(!english_asked(args("nianbao run en")));
        // English help is main.rs's doc comments, as clap prints them.
        let help = Cli::command()
            .find_subcommand_mut("run")
            .expect("run")
            .render_help()
            .to_string();
        assert!(
            help.contains("The nightly consolidation of a workspace"),
            "{help}"
        );
        assert!(help.contains("Usage:"), "{help}");
    }
}
