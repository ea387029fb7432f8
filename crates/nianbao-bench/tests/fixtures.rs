//! bare-read counts the cells of the Jinshan fixtures as scripts/gen_fixtures.py reads them back.

use std::path::{Path, PathBuf};

use nianbao_bench::{Mode, read_all, read_file, spreadsheets};

fn jinshan() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/jinshan-2022")
}

/// (file, worksheets, non-empty cells) as `gen_fixtures.read_grid` (openpyxl, xlrd, the .ods XML)
/// counts them.
const FILES: [(&str, u64, u64); 3] = [
    ("U17_区司法局_2022年政务公开年报统计表.xlsx", 1, 285),
    ("U23_区交通委员会_2022年政务公开年报统计表.xls", 1, 108),
    ("U02_朱泾镇_2022年政务公开年报统计表.ods", 5, 282),
];

#[test]
fn counts_the_cells_of_one_file_in_each_format() {
    for mode in [Mode::Lean, Mode::Auto] {
        for (name, sheets, cells) in FILES {
            let c = read_file(&jinshan().join(name), mode).expect(name);
            assert_eq!(
                (c.files, c.sheets, c.cells),
                (1, sheets, cells),
                "{name} {mode:?}"
            );
            assert!(c.numbers > 0 && c.text_bytes > 0, "{name}");
        }
    }
}

#[test]
fn reads_the_whole_folder() {
    let paths = spreadsheets(&jinshan()).expect("the fixtures");
    assert_eq!(paths.len(), 42);
    let c = read_all(&paths, Mode::Lean, |p, e| panic!("{}: {e}", p.display()));
    // gen_fixtures.read_grid counts 9,345 non-empty cells in the 42 returns.
    assert_eq!((c.files, c.failed, c.cells), (42, 0, 9345));
}
