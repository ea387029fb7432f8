#!/usr/bin/env python3
"""The consolidation an office would write with python-calamine and polars: read, sum, write.

    .venv/bin/python scripts/peers/calamine_polars.py RETURNS_DIR --out totals.xlsx

Each file in the folder (and below) is read with python-calamine (.xlsx, .xlsm, .xls and .ods:
every format of the returns), each sheet as rows of values (`to_python(skip_empty_area=False)`,
so row and column numbers are the sheet's). The three tables are found by their labels
(scripts/peers/tables.py), the unit × field polars DataFrame is built and summed, and the totals
and the per-unit rows are written with xlsxwriter (`DataFrame.write_excel`). No balance rules.
One process, one file after another, as such a script is written. Prints a count line on stdout;
exit 0 if every file was read, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl
import xlsxwriter
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tables  # noqa: E402


def grids(path: Path) -> list[tuple[str, tables.Grid]]:
    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for i, name in enumerate(wb.sheet_names):
        rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
        grid = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != "" and v is not None}
        out.append((name, grid))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="the workbook written (.xlsx)")
    args = ap.parse_args()

    units, files, columns, failed = [], [], {f: [] for f in tables.FIELDS}, 0
    for path in tables.returns_in(args.folder):
        try:
            unit, values = tables.read_return(grids(path))
        except Exception as e:  # noqa: BLE001 - any unreadable file is counted, as the tool does
            failed += 1
            print(f"cannot read {path}: {e}", file=sys.stderr)
            continue
        units.append(unit or path.stem)
        files.append(path.name)
        for f in tables.FIELDS:
            columns[f].append(values[f])

    per_unit = pl.DataFrame({"unit": units, "file": files,
                             **{f: pl.Series(f, v, dtype=pl.Int64) for f, v in columns.items()}})
    totals = per_unit.select(pl.col(tables.FIELDS).sum())
    totals_frame = pl.DataFrame({"field": tables.FIELDS, "total": totals.row(0)},
                                schema={"field": pl.String, "total": pl.Int64})
    with xlsxwriter.Workbook(str(args.out)) as wb:
        totals_frame.write_excel(workbook=wb, worksheet="合计", autofit=False)
        per_unit.write_excel(workbook=wb, worksheet="分单位", autofit=False)
    t = dict(zip(tables.FIELDS, totals.row(0)))
    print(f"read {per_unit.height}, failed {failed}; t3.new.total {t['t3.new.total']}, "
          f"t2.fees.amount {t[tables.FEES]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
