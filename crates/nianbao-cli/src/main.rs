//! The nianbao command line: consolidate a district's returns, or check one return.

mod check;
mod discover;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use nianbao_format::Lang;

/// Exit status: every unit read and no error.
pub const EXIT_OK: u8 = 0;
/// The run completed but found errors (failed files, violations, missing or duplicate units).
pub const EXIT_FOUND_ERRORS: u8 = 1;
/// The run could not be done (bad arguments, unreadable folder, output not writable).
pub const EXIT_CANNOT_RUN: u8 = 2;

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

#[derive(Subcommand)]
enum Command {
    /// Consolidate every return in a folder into the district's tables and one workbook.
    Consolidate {
        /// Folder holding the returns (.xlsx, .xls, .ods; searched recursively).
        returns_dir: PathBuf,
        /// Roster CSV: code,name,aliases,kind.
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Folder of last year's returns, for the cross-year rules (matched by unit).
        #[arg(long)]
        prior: Option<PathBuf>,
        /// Rule file replacing the built-in balance rules (see crates/nianbao-rules/rules.toml).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The combined workbook to write.
        #[arg(long, default_value = "汇总.xlsx")]
        out: PathBuf,
        /// Also write the JSON report here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write, for every unit with errors, its return re-laid with the wrong cells marked
        /// (the file sent back to the unit) into this folder.
        #[arg(long, value_name = "DIR")]
        annotate: Option<PathBuf>,
        /// When a unit sent several files: take the newest instead of excluding the unit.
        #[arg(long, value_enum)]
        prefer: Option<PreferArg>,
        /// Language of messages.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        /// No progress bar and no summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check one return: its values and every balance rule, with the cells involved.
    Check {
        /// The return to check.
        file: PathBuf,
        /// Roster CSV, to name the unit by its code.
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Last year's return of the same unit, for the cross-year rules.
        #[arg(long)]
        prior: Option<PathBuf>,
        /// Rule file replacing the built-in balance rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also write the JSON report here (same schema as consolidate).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the return re-laid with the wrong cells marked and commented (to send back).
        #[arg(long, value_name = "OUT.xlsx")]
        annotate: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Consolidate {
            returns_dir,
            roster,
            prior,
            rules,
            out,
            json,
            prefer,
            annotate,
            lang: l,
            quiet,
        } => run::consolidate(run::ConsolidateArgs {
            returns_dir,
            roster,
            prior,
            rules,
            out,
            json,
            prefer_newest: prefer == Some(PreferArg::Newest),
            annotate,
            lang: lang(l),
            quiet,
        }),
        Command::Check {
            file,
            roster,
            prior,
            rules,
            json,
            annotate,
            lang: l,
        } => check::check(check::CheckArgs {
            file,
            roster,
            prior,
            rules,
            json,
            annotate,
            lang: lang(l),
        }),
    };
    match code {
        Ok(c) => ExitCode::from(c),
        Err(e) => {
            eprintln!("nianbao: {e:#}");
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}
