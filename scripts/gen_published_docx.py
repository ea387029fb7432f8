#!/usr/bin/env python3
"""Writes fixtures/published/jinshan-2022.docx: the Jinshan 2022 report as a unit sends it in
Word, from the page `nianbao publish` wrote (fixtures/published/jinshan-2022.html).

The page's tables are laid out here on their own (the HTML table model: a cell goes to the first
column of its row that no cell above covers) and written with Word's merges, `w:gridSpan` across
and `w:vMerge` down, so the .docx tests nianbao's Word reader against an independent layout. The
title and the sentence on applications go before the tables as paragraphs, each table after its
heading. Deterministic: fixed document dates and zip times; run again, the bytes do not change.

    .venv/bin/python scripts/gen_published_docx.py     (part of `make fixtures`)
"""

import datetime
import io
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
from docx.shared import Pt

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures/published/jinshan-2022.html"
TARGET = ROOT / "fixtures/published/jinshan-2022.docx"
FIXED = datetime.datetime(2023, 1, 31, 9, 0, 0)


class Page(HTMLParser):
    """The page as a list of ("p", text), ("h", text) and ("table", rows of (text, rowspan,
    colspan))."""

    def __init__(self):
        super().__init__()
        self.parts = []
        self.text = None
        self.kind = None
        self.rows = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "p") and self.rows is None:
            self.kind, self.text = ("h" if tag != "p" else "p"), ""
        elif tag == "table":
            self.rows = []
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag == "td" and self.rows is not None:
            self.cell = ["", int(a.get("rowspan", 1)), int(a.get("colspan", 1))]

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "p") and self.text is not None:
            if self.text.strip():
                self.parts.append((self.kind, self.text.strip()))
            self.text = None
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(tuple(self.cell))
            self.cell = None
        elif tag == "table":
            self.parts.append(("table", self.rows))
            self.rows = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data
        elif self.text is not None:
            self.text += data


def lay_out(rows):
    """(row, col, rowspan, colspan, text) of every cell, and the table's size."""
    taken = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            placed.append((r, c, rs, cs, text.strip()))
            c += cs
    height = max(r for r, _ in taken) + 1
    width = max(c for _, c in taken) + 1
    return placed, height, width


def write_table(document, rows):
    placed, height, width = lay_out(rows)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    for r, c, rs, cs, text in placed:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
        for p in cell.paragraphs:
            for run in p.runs:
                run.font.size = Pt(9)


def main():
    page = Page()
    page.feed(SOURCE.read_text(encoding="utf-8"))
    document = docx.Document()
    props = document.core_properties
    props.author = "金山区人民政府办公室"
    props.created = props.modified = props.last_printed = FIXED
    props.revision = 1
    for kind, content in page.parts:
        if kind == "table":
            write_table(document, content)
        elif kind == "h":
            document.add_heading(content, level=1 if "年度报告" in content else 2)
        elif not content.startswith("依申请公开情况（正文草稿"):
            document.add_paragraph(content)
    raw = io.BytesIO()
    document.save(raw)
    # The same members with fixed times, in the same order: the same bytes every run.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2023, 1, 31, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    TARGET.write_bytes(out.getvalue())
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(out.getvalue())} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
