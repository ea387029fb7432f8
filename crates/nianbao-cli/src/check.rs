//! `nianbao check`: one return, reconciled rule by rule for a clerk on the phone: each rule passes
//! in one short line, each failure in full with its cells and the cell most likely wrong, and the
//! verdict last.

use nianbao_format::Lang;
use nianbao_pipeline::{CheckRequest, check_file, reconciliation};

use crate::{EXIT_FOUND_ERRORS, EXIT_OK, cannot_run};

pub fn run(req: CheckRequest) -> u8 {
    let lang = req.lang;
    let outcome = match check_file(&req) {
        Ok(o) => o,
        Err(e) => return cannot_run(&e, lang),
    };
    if outcome.prior_unreadable {
        errln!(
            "{}",
            if lang == Lang::Zh {
                "上年报表无法读取，跨年度规则未校验"
            } else {
                "last year's return could not be read; cross-year rules not checked"
            }
        );
    }
    outln!(
        "{}",
        reconciliation(&outcome.report, &outcome.rules, outcome.with_prior, lang)
    );
    if outcome.report.has_errors() {
        EXIT_FOUND_ERRORS
    } else {
        EXIT_OK
    }
}
