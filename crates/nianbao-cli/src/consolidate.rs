//! `nianbao consolidate`: a progress bar while the pipeline reads, then failures and the summary.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use nianbao_format::Lang;
use nianbao_pipeline::{FolderRequest, Progress, consolidate_folder};

use crate::summary::{failures, left_alone, summary};
use crate::{EXIT_FOUND_ERRORS, EXIT_OK, cannot_run};

/// indicatif's bar as the pipeline's progress.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.0.set_length(files as u64);
    }
    fn file_done(&self) {
        self.0.inc(1);
    }
}

fn bar(quiet: bool, lang: Lang) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let label = if lang == Lang::Zh {
        "读取报表"
    } else {
        "reading"
    };
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{label} {{bar:40}} {{pos}}/{{len}} {{wide_msg}}"))
    {
        bar.set_style(style);
    }
    bar
}

pub fn run(req: FolderRequest, quiet: bool) -> u8 {
    let started = Instant::now();
    let lang = req.lang;
    let bar = Bar(bar(quiet, lang));
    let outcome = consolidate_folder(&req, &bar);
    bar.0.finish_and_clear();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return cannot_run(&e, lang),
    };
    // Failures reach stderr even with --quiet: a failing nightly run never prints nothing.
    for line in failures(&outcome.report, lang) {
        errln!("{line}");
    }
    if let Some(dir) = &req.annotate
        && let Some(line) = left_alone(&outcome.left_alone, dir, lang)
    {
        errln!("{line}");
    }
    if !quiet {
        for line in summary(&outcome, &req, lang, started.elapsed().as_secs_f64()) {
            errln!("{line}");
        }
    }
    if outcome.report.has_errors() {
        EXIT_FOUND_ERRORS
    } else {
        EXIT_OK
    }
}
