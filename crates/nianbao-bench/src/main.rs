//! `bare-read [--auto] DIR…`: the benchmark's floor, every cell of the folders' workbooks read by calamine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use nianbao_bench::{Counts, Mode, read_all, spreadsheets};

const USAGE: &str = "usage: bare-read [--auto] DIR...\n\
  Opens every .xlsx/.xlsm/.xls/.ods file below each DIR with calamine, in parallel, and visits\n\
  every non-empty cell of every worksheet; prints what it counted.\n\
  --auto  open_workbook_auto_from_rs and a dense range for every format (default: .xlsx cells\n\
          streamed, as nianbao reads them)";

fn main() -> ExitCode {
    let mut mode = Mode::Lean;
    let mut dirs = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--auto") => mode = Mode::Auto,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some(s) if s.starts_with('-') => {
                eprintln!("unknown option {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    if dirs.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let t0 = Instant::now();
    let mut paths = Vec::new();
    for d in &dirs {
        match spreadsheets(d) {
            Ok(p) => paths.extend(p),
            Err(e) => {
                eprintln!("{}: {e}", d.display());
                return ExitCode::from(2);
            }
        }
    }
    if paths.is_empty() {
        eprintln!("no spreadsheet found");
        return ExitCode::from(2);
    }
    let c: Counts = read_all(&paths, mode, |p, e| {
        eprintln!("cannot read {}: {e}", p.display())
    });
    println!(
        "files {}, failed {}, bytes {}, sheets {}, cells {} ({} numbers, {} text bytes) in {:.3} s",
        c.files,
        c.failed,
        c.bytes,
        c.sheets,
        c.cells,
        c.numbers,
        c.text_bytes,
        t0.elapsed().as_secs_f64()
    );
    if c.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
