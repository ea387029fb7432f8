#!/usr/bin/env python3
"""The consolidation an office would write with pandas: read every return, sum, write an xlsx.

    .venv/bin/python scripts/peers/pandas_openpyxl.py RETURNS_DIR --out totals.xlsx

Each file in the folder (and below) is read with `pandas.read_excel(sheet_name=None,
header=None)`: openpyxl for .xlsx/.xlsm, xlrd for .xls, odfpy (pandas' "odf" engine) for .ods;
every format of the returns is read. The three tables are found by their labels
(scripts/peers/tables.py), the unit × field DataFrame is built and summed, and the totals and
the per-unit rows are written with openpyxl (`DataFrame.to_excel`). No balance rules. One
process, one file after another, as such a script is written. Prints a count line on stdout;
exit 0 if every file was read, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tables  # noqa: E402

# pandas 3 marks xlrd as deprecated in favour of calamine; xlrd is what reads .xls here.
warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")

ENGINES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "xlrd", ".ods": "odf"}


def grids(path: Path) -> list[tuple[str, tables.Grid]]:
    frames = pd.read_excel(path, sheet_name=None, header=None, engine=ENGINES[path.suffix.lower()])
    out = []
    for name, df in frames.items():
        grid = {}
        for r, row in enumerate(df.itertuples(index=False, name=None)):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    if v:
                        grid[(r, c)] = v
                elif v is not None and not pd.isna(v):
                    grid[(r, c)] = v
        out.append((name, grid))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="the workbook written (.xlsx)")
    args = ap.parse_args()

    units, files, rows, failed = [], [], [], 0
    for path in tables.returns_in(args.folder):
        try:
            unit, values = tables.read_return(grids(path))
        except Exception as e:  # noqa: BLE001 - any unreadable file is counted, as the tool does
            failed += 1
            print(f"cannot read {path}: {e}", file=sys.stderr)
            continue
        units.append(unit or path.stem)
        files.append(path.name)
        rows.append([values[f] for f in tables.FIELDS])

    per_unit = pd.DataFrame(rows, columns=tables.FIELDS, dtype="int64")
    per_unit.insert(0, "file", files)
    per_unit.insert(0, "unit", units)
    totals = per_unit[tables.FIELDS].sum()
    totals_frame = pd.DataFrame({"field": tables.FIELDS, "total": totals.to_numpy()})
    with pd.ExcelWriter(args.out, engine="openpyxl") as xw:
        totals_frame.to_excel(xw, sheet_name="合计", index=False)
        per_unit.to_excel(xw, sheet_name="分单位", index=False)
    print(f"read {len(rows)}, failed {failed}; t3.new.total {totals['t3.new.total']}, "
          f"t2.fees.amount {totals[tables.FEES]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
