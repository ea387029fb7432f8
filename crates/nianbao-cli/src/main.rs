//! The nianbao command line: consolidate a district's returns, or check one return. Argument
//! parsing and printing only; the work is `nianbao-pipeline`'s.

/// `println!` to stdout that a closed pipe does not turn into a panic (`nianbao check x | head
/// -1`): what nobody reads any more is dropped, and the command goes on to its exit status.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!`, as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!`, as [`outln!`] (a log pipe closed under a nightly run).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod alloc;
mod check;
mod consolidate;
mod help;
mod publish;
mod run;
mod serve;
mod summary;
mod template;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use nianbao_format::Lang;

/// Exit status: every unit read and no error.
pub const EXIT_OK: u8 = 0;
/// The run completed but found errors (failed files, violations, missing or duplicate units).
pub const EXIT_FOUND_ERRORS: u8 = 1;
/// The run could not be done (bad arguments, unreadable folder, output not writable, an output
/// that is an input, no return found); nothing was written.
pub const EXIT_CANNOT_RUN: u8 = 2;
/// Another run holds the workspace (`nianbao run`).
pub const EXIT_BUSY: u8 = 3;
/// Interrupted (Ctrl-C, SIGTERM): the previous outputs are left as they were, or the new ones
/// whole.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser)]
#[command(
    name = "nianbao",
    version,
    about = "政府信息公开工作年度报告统计表汇总与校验 (consolidate and check annual disclosure returns)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PreferArg {
    /// Take the most recently modified of a unit's files.
    Newest,
}

/// The unit × field frame for analysts.
#[derive(Args)]
struct FrameArgs {
    /// Also write the unit × field frame (one row per unit, 万元 as a decimal) as Parquet.
    #[arg(long, value_name = "FILE")]
    parquet: Option<PathBuf>,
    /// Also write the unit × field frame as CSV (UTF-8 with a byte-order mark).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

/// Arguments every command takes.
#[derive(Args)]
struct Common {
    /// Roster: CSV (UTF-8, GB18030) or .xlsx/.xls, headers code,name,aliases,kind or
    /// 代码,名称,别名,类型.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Rule file replacing the built-in balance rules (see crates/nianbao-rules/rules.toml).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Also write the JSON report here ("-": standard output).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Language of messages.
    #[arg(long, value_enum, default_value = "zh")]
    lang: LangArg,
}

impl Common {
    fn lang(&self) -> Lang {
        to_lang(self.lang)
    }
}

fn to_lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

#[derive(Subcommand)]
enum Command {
    /// Create a year's workspace: nianbao.toml, the roster (as UTF-8 CSV), returns/, waivers.csv,
    /// out/ and .nianbao/.
    Init {
        /// The workspace folder to create (must not exist, or be empty).
        dir: PathBuf,
        #[arg(long)]
        year: i32,
        /// The roster: CSV (UTF-8, GB18030) or .xlsx/.xls, headers code,name,aliases,kind or
        /// 代码,名称,别名,类型.
        #[arg(long)]
        roster: PathBuf,
        /// Last year's workspace or returns folder, for the cross-year rules.
        #[arg(long)]
        prior: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// The nightly consolidation of a workspace: incremental, what changed on stdout (nothing
    /// when nothing did), one run at a time.
    Run {
        /// The workspace folder (holding nianbao.toml).
        workspace: PathBuf,
        /// Wait up to this many seconds for another run of the workspace to finish (else exit 3).
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
        /// No summary on stderr (what changed and failures are still printed).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        frame: FrameArgs,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Write the blank return each unit fills in: the official layout, last year's carried-over
    /// values filled in, input checks, every balance rule live in the sheet.
    Template {
        /// The workspace folder (holding nianbao.toml).
        workspace: PathBuf,
        /// Only this unit (roster code or name).
        #[arg(long)]
        unit: Option<String>,
        /// The folder to write to (default: the workspace's templates/).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// The web page of a workspace: each unit checks and submits its own return, the office
    /// watches the year fill up. Loopback only unless another address is given.
    Serve {
        /// The workspace folder (holding nianbao.toml).
        workspace: PathBuf,
        /// Address to listen on (and to put in the printed links).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Issue one link per roster unit and one for the office, print them once, and stop.
        #[arg(long, conflicts_with = "rotate")]
        init_tokens: bool,
        /// Issue a new link for one unit (its roster code, or `office`) and stop; the old link
        /// stops working.
        #[arg(long, value_name = "CODE")]
        rotate: Option<String>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Consolidate every return in a folder into the district's tables and one workbook.
    Consolidate {
        /// Folder holding the returns (.xlsx, .xls, .ods; searched recursively).
        returns_dir: PathBuf,
        /// Folder of last year's returns, for the cross-year rules (matched by unit).
        #[arg(long)]
        prior: Option<PathBuf>,
        /// The combined workbook to write (.xlsx).
        #[arg(long, default_value = "汇总.xlsx")]
        out: PathBuf,
        /// Write, for every unit with errors, its return re-laid with the wrong cells marked
        /// (the file sent back to the unit) into this folder.
        #[arg(long, value_name = "DIR")]
        annotate: Option<PathBuf>,
        /// The year consolidated (default: the year most returns name); returns of another
        /// year are errors, kept out of the totals.
        #[arg(long)]
        year: Option<i32>,
        /// When a unit sent several files: take the newest instead of excluding the unit.
        #[arg(long, value_enum)]
        prefer: Option<PreferArg>,
        /// Explanations the office accepted (出错说明), CSV unit,rule,reason,expires (or
        /// 单位,规则,说明,到期): the warnings they name are listed as 已说明 and no longer count.
        #[arg(long, value_name = "FILE")]
        waivers: Option<PathBuf>,
        /// The name of the body consolidated ("金山区"): shown as 填报单位 on 全区汇总, so that
        /// the workbook is this district's return when its city consolidates its districts.
        #[arg(long)]
        name: Option<String>,
        /// No progress bar and no summary; failures are still printed.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        frame: FrameArgs,
        #[command(flatten)]
        common: Common,
    },
    /// The district's tables as the annual report prints them: a page that prints on A4, a
    /// fragment for the website's editor, Markdown; and the sentence on applications.
    Publish {
        /// A workspace (its last run), a folder of returns, or a 汇总.xlsx (or any return or
        /// published report).
        source: PathBuf,
        /// The folder to write into (default: the workspace's out/, else the current folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The district's name in the title (default: the name the source gives).
        #[arg(long)]
        name: Option<String>,
        /// For a folder of returns: the roster of the units expected (the coverage stated).
        #[arg(long)]
        roster: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Check one return: its values and every balance rule, with the cells involved.
    Check {
        /// The return to check.
        file: PathBuf,
        /// Last year's return of the same unit, for the cross-year rules.
        #[arg(long)]
        prior: Option<PathBuf>,
        /// Write the return re-laid with the wrong cells marked and commented (to send back).
        #[arg(long, value_name = "OUT.xlsx")]
        annotate: Option<PathBuf>,
        /// Explanations (出错说明, unit,rule,reason,expires): the unit's accepted warnings are
        /// marked 已说明, as in a consolidation.
        #[arg(long)]
        waivers: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

fn main() -> ExitCode {
    alloc::give_back_freed_memory_soon();
    let cli = help::parse();
    // An interrupt waits for outputs being renamed into place, then removes the temporaries.
    let _ = ctrlc::set_handler(|| {
        nianbao_pipeline::abandon_staged_and_exit(i32::from(EXIT_INTERRUPTED));
    });
    let code = match cli.command {
        Command::Init {
            dir,
            year,
            roster,
            prior,
            lang,
        } => run::init_workspace(&dir, year, &roster, prior.as_deref(), to_lang(lang)),
        Command::Run {
            workspace,
            wait,
            quiet,
            frame,
            lang,
        } => run::run_workspace(
            nianbao_pipeline::run::RunRequest {
                workspace,
                wait: wait.map(std::time::Duration::from_secs),
                lang: to_lang(lang),
                parquet: frame.parquet,
                csv: frame.csv,
            },
            quiet,
        ),
        Command::Template {
            workspace,
            unit,
            out,
            lang,
        } => template::run(workspace, unit, out, to_lang(lang)),
        Command::Serve {
            workspace,
            listen,
            init_tokens,
            rotate,
            lang,
        } => serve::run(
            &workspace,
            listen,
            init_tokens,
            rotate.as_deref(),
            to_lang(lang),
        ),
        Command::Consolidate {
            returns_dir,
            prior,
            out,
            annotate,
            year,
            prefer,
            waivers,
            name,
            quiet,
            frame,
            common,
        } => consolidate::run(
            nianbao_pipeline::FolderRequest {
                returns_dir,
                roster: common.roster.clone(),
                prior,
                rules: common.rules.clone(),
                waivers,
                prefer: if prefer == Some(PreferArg::Newest) {
                    nianbao_pipeline::Prefer::Newest
                } else {
                    nianbao_pipeline::Prefer::Neither
                },
                year,
                workbook: out,
                json: common.json.clone(),
                annotate,
                name,
                parquet: frame.parquet,
                csv: frame.csv,
                lang: common.lang(),
                cache: None,
            },
            quiet,
        ),
        Command::Publish {
            source,
            out,
            name,
            roster,
            lang,
        } => publish::run(nianbao_pipeline::publish::PublishRequest {
            source,
            out,
            name,
            roster,
            lang: to_lang(lang),
        }),
        Command::Check {
            file,
            prior,
            annotate,
            waivers,
            common,
        } => check::run(nianbao_pipeline::CheckRequest {
            file,
            roster: common.roster.clone(),
            prior,
            rules: common.rules.clone(),
            json: common.json.clone(),
            annotate,
            waivers,
            lang: common.lang(),
        }),
    };
    ExitCode::from(code)
}

/// Prints why the run could not be done; the exit status for it.
fn cannot_run(e: &nianbao_pipeline::RunError, lang: Lang) -> u8 {
    errln!("nianbao: {}", e.get(lang));
    EXIT_CANNOT_RUN
}
