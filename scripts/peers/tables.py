"""Finding the three tables of a return by their labels, for the peer programs of scripts/bench.py.

What an office's own Python script would do, given a workbook as grids of cell values: find
each row and column of tables 二, 三 and 四 by its official label (the labels, their ids and the
label normalisation are those of scripts/gen_fixtures.py, which checks the generated fixtures
with them), anywhere on any sheet, and read the 200 values. Blank cells are 0; numbers stored as
text ("50,757", full-width digits, spaces) are read; the fee amount is held in hundredths.

No balance rules, no provenance, no error localisation: a label that is not found or a value
that is not a number raises `NotAReturn`, and the peer counts the file as failed.

A grid is {(row, col): value} with value a str, int or float (empty cells left out).
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import gen_fixtures as gf  # noqa: E402

FIELDS = gf.FIELDS
FEES = gf.FEES
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

Grid = dict[tuple[int, int], object]


class NotAReturn(Exception):
    pass


def norm(value: object) -> str:
    return gf.norm(str(value))


class Book:
    """A workbook's grids with an index of normalised texts."""

    def __init__(self, sheets: list[tuple[str, Grid]]):
        self.sheets = sheets
        self.where: dict[str, list[tuple[int, int, int]]] = {}
        self.text: list[dict[tuple[int, int], str]] = []
        for si, (_, grid) in enumerate(sheets):
            texts = {}
            for (r, c), v in grid.items():
                if isinstance(v, str):
                    t = norm(v)
                    if t:
                        texts[(r, c)] = t
                        self.where.setdefault(t, []).append((si, r, c))
            self.text.append(texts)

    def find(self, label: str) -> list[tuple[int, int, int]]:
        return sorted(self.where.get(norm(label), []))

    def one(self, label: str) -> tuple[int, int, int]:
        hits = self.find(label)
        if not hits:
            raise NotAReturn(f"label not found: {label}")
        return hits[0]

    def label_at(self, si: int, r: int, c: int) -> str:
        return self.text[si].get((r, c), "")


def number(value: object, fee: bool) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, (int, float)):
            d = Decimal(str(value))
        else:
            d = Decimal(norm(value).replace(",", ""))
    except InvalidOperation:
        raise NotAReturn(f"not a number: {value!r}") from None
    if fee:
        d *= 100
    if d != d.to_integral_value() or d < 0:
        raise NotAReturn(f"not a count: {value!r}")
    return int(d)


def read_return(sheets: list[tuple[str, Grid]]) -> tuple[str | None, dict[str, int]]:
    """(the 填报单位 text if any, {field id: value}) of a workbook given as [(name, grid)]."""
    book = Book(sheets)
    values: dict[str, int] = {}

    def take(si: int, r: int, c: int, fid: str) -> None:
        values[fid] = number(sheets[si][1].get((r, c)), fid == FEES)

    # 表二: each row by its label; its columns by the header labels in the nearest row above.
    for _, cols, rows in gf.T2_BLOCKS:
        for rid, rlabel in rows:
            si, r, c = book.one(rlabel)
            for cid, clabel in cols:
                want = norm(clabel)
                col = next((cc for rr in range(r - 1, max(r - 5, -1), -1)
                            for (r2, cc), t in book.text[si].items() if r2 == rr and cc > c and t == want), None)
                if col is None:
                    raise NotAReturn(f"table 2: no column {clabel} above {rlabel}")
                take(si, r, col, f"t2.{rid}.{cid}")

    # 表三: the applicant columns by their headers (from 自然人 rightwards); the rows in order by
    # the text left of the values (group labels included), each matching its key.
    si, h, c0 = book.one(gf.T3_COLS[0][1])
    cols = {gf.T3_COLS[0][0]: c0}
    for cid, clabel in gf.T3_COLS[1:]:
        want = norm(clabel)
        hit = [(r, c) for (r, c), t in book.text[si].items() if h <= r <= h + 2 and c0 < c <= c0 + 8 and t == want]
        if not hit:
            raise NotAReturn(f"table 3: no column {clabel}")
        cols[cid] = min(hit)[1]
    last = max(r for r, _ in sheets[si][1])
    r = h + 1
    for rid, _, key in gf.T3_ROWS:
        while r <= last:
            label = "".join(book.label_at(si, r, c) for c in range(max(c0 - 3, 0), c0))
            r += 1
            if key in label:
                for cid, col in cols.items():
                    take(si, r - 1, col, f"t3.{rid}.{cid}")
                break
        else:
            raise NotAReturn(f"table 3: no row {key}")

    # 表四: each group by its label; its result columns by the labels in the two rows below it;
    # the values in the row under the lowest result label.
    results = {norm(lab): rid for rid, lab in gf.T4_RESULTS}
    found = []
    for gid, glabel in gf.T4_GROUPS:
        gs, gr, gc = book.one(glabel)
        got = {}
        for (r, c), t in book.text[gs].items():
            if gr < r <= gr + 2 and gc <= c <= gc + 4 and t in results:
                got.setdefault(results[t], (r, c))
        if len(got) != len(results):
            raise NotAReturn(f"table 4: results of {glabel} not found")
        found.append((gs, gid, got))
    row = max(r for _, _, got in found for r, _ in got.values()) + 1
    for gs, gid, got in found:
        for rid, (_, c) in got.items():
            take(gs, row, c, f"t4.{gid}.{rid}")

    return unit_of(book), values


def unit_of(book: Book) -> str | None:
    """The text after 填报单位： in its cell, or in the next cell to the right."""
    for si, texts in enumerate(book.text):
        for (r, c), t in sorted(texts.items()):
            if t.startswith("填报单位"):
                rest = t[len("填报单位"):].lstrip(":")
                if rest:
                    return rest
                right = sorted((cc, tt) for (rr, cc), tt in texts.items() if rr == r and cc > c)
                return right[0][1] if right else None
    return None


def returns_in(folder: Path) -> list[Path]:
    """Every spreadsheet below the folder (hidden files and lock files left out), sorted."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith((".", "~$")))
