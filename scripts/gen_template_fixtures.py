#!/usr/bin/env python3
"""Fill templates (`nianbao template`) and have LibreOffice save them: fixtures/template/.

Run from the repository root with the project venv, after building nianbao:

    cargo build --release && .venv/bin/python scripts/gen_template_fixtures.py [--nianbao target/release/nianbao]

1. A 2022 workspace is made from fixtures/jinshan-2022 (roster) with fixtures/jinshan-2021 as
   last year, and `nianbao template` writes the 42 templates.
2. Every template must pass a strict OOXML read (openpyxl): one sheet, protected, two data
   validations, one conditional format per check cell, the template marker; the input cells (the
   unlocked ones, 200, in canonical field order when sorted by row and column) are found without
   knowing the layout; LibreOffice converts one to PDF (no repair, no failure).
3. For each case of CASES, the unit's values of fixtures/jinshan-2022/expected.csv (plus the
   planted changes) are typed into its template's input cells (openpyxl, which drops the cached
   results of formulas), and LibreOffice (`soffice --headless --convert-to xlsx`) opens and saves
   it: the check cells then hold LibreOffice's own results of nianbao's formulas.
   The saved copies go to fixtures/template/ with MANIFEST.csv (file, unit, last year's return,
   planted changes); crates/nianbao-write/tests/output/template.rs reads them back.
4. The copy with planted errors is rendered (PDF, then PNG of its first two pages: tables 二
   and 三) to docs/img/template.png and docs/img/template-2.png.

Output is normalised for determinism: zip entries rewritten with fixed timestamps and fixed
document dates (LibreOffice stamps the time of saving).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "template"
IMG = ROOT / "docs" / "img" / "template.png"
IMG2 = ROOT / "docs" / "img" / "template-2.png"
YEAR = 2022
FIXED_DATE = "2023-01-01T00:00:00Z"
ZIP_TIME = (2023, 1, 1, 0, 0, 0)

# (fixture file, unit code, planted changes {field id: delta})
CASES = [
    ("U05_filled_lo.xlsx", "U05", {}),
    ("U12_filled_lo.xlsx", "U12", {}),
    ("U05_planted_lo.xlsx", "U05", {"t3.carried_over.total": 1, "t3.granted.natural_person": 1, "t4.review.total": 2}),
    ("U20_planted_lo.xlsx", "U20", {"t3.new.natural_person": 1, "t2.normative_docs.repealed": 1}),
]
# The case rendered for docs/img/template.png.
PICTURE = "U20_planted_lo.xlsx"


def run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


def soffice_convert(src: Path, to: str, outdir: Path) -> Path:
    # A private profile: no interference with a running LibreOffice, no first-start dialogs.
    profile = outdir / ".lo-profile"
    run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(src),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )
    out = outdir / (src.stem + "." + to.split(":")[0])
    if not out.exists():
        sys.exit(f"LibreOffice did not convert {src.name} to {to}")
    return out


def expected_values() -> dict[str, dict[str, str]]:
    with open(ROOT / "fixtures" / "jinshan-2022" / "expected.csv", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def field_ids() -> list[str]:
    with open(ROOT / "fixtures" / "jinshan-2022" / "expected.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    ids = [h for h in header if re.match(r"^t[234]\.", h)]
    assert len(ids) == 200, len(ids)
    return ids


def input_cells(ws) -> list[str]:
    """The unlocked cells, by row then column: the 200 values in canonical order."""
    cells = [
        c
        for row in ws.iter_rows()
        for c in row
        if not isinstance(c, MergedCell) and c.protection is not None and not c.protection.locked
    ]
    cells.sort(key=lambda c: (c.row, c.column))
    return [c.coordinate for c in cells]


def check_template(path: Path) -> None:
    """A strict read of a template as written by nianbao."""
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 1, wb.sheetnames
    ws = wb.worksheets[0]
    assert ws.protection.sheet, "sheet not protected"
    assert not ws.protection.password, "sheet has a password"
    assert len(ws.data_validations.dataValidation) == 2
    formulas = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas, "no check cells"
    assert sum(len(cf.rules) for cf in ws.conditional_formatting) == len(formulas)
    assert len(input_cells(ws)) == 200, len(input_cells(ws))
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props.get("nianbao-generated", "").startswith("template;values="), props
    assert ws.page_setup.paperSize in (9, "9"), ws.page_setup.paperSize


def normalise(path: Path) -> None:
    """Fixed zip timestamps and document dates, so that the output does not change by itself."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{FIXED_DATE}", text)
                text = re.sub(r"<cp:revision>[^<]*</cp:revision>", "<cp:revision>1</cp:revision>", text)
                data = text.encode("utf-8")
            if name == "docProps/app.xml":
                data = re.sub(rb"<TotalTime>[^<]*</TotalTime>", b"<TotalTime>0</TotalTime>", data)
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nianbao", default=None, help="the nianbao binary (default: target/release, else target/debug)")
    args = ap.parse_args()
    nianbao = args.nianbao or next(
        (str(p) for p in [ROOT / "target/release/nianbao", ROOT / "target/debug/nianbao"] if p.exists()), None
    )
    if not nianbao:
        sys.exit("build nianbao first (cargo build --release)")
    if not shutil.which("soffice"):
        sys.exit("LibreOffice (soffice) is needed")
    ids = field_ids()
    expected = expected_values()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        ws_dir = tmp / "ws"
        run(
            [nianbao, "init", str(ws_dir), "--year", str(YEAR), "--roster",
             str(ROOT / "fixtures/jinshan-2022/roster.csv"), "--prior", str(ROOT / "fixtures/jinshan-2021")],
            stdout=subprocess.DEVNULL,
        )
        run([nianbao, "template", str(ws_dir)], stdout=subprocess.DEVNULL)
        templates = {p.name.split("_")[0]: p for p in (ws_dir / "templates").glob("*.xlsx")}
        assert len(templates) == 42, len(templates)
        for p in sorted(templates.values()):
            check_template(p)
        soffice_convert(templates["U05"], "pdf", tmp)  # opens and converts: no repair needed
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        manifest = [["file", "unit", "prior", "planted"]]
        for file, unit, planted in CASES:
            wb = openpyxl.load_workbook(templates[unit])
            ws = wb.worksheets[0]
            cells = input_cells(ws)
            for fid, at in zip(ids, cells):
                text = expected[unit][fid]
                value = int(text) + planted.get(fid, 0) if fid != "t2.fees.amount" else Decimal(text)
                assert value >= 0, (file, fid, value)
                ws[at].value = float(value) if isinstance(value, Decimal) else value
            typed = tmp / "typed" / file
            typed.parent.mkdir(exist_ok=True)
            wb.save(typed)
            saved = soffice_convert(typed, "xlsx:Calc MS Excel 2007 XML", tmp / "lo")
            # LibreOffice computed every check cell; the planted changes show as 差 N.
            lo = openpyxl.load_workbook(saved, data_only=True).worksheets[0]
            shown = [c.value for row in lo.iter_rows() for c in row if isinstance(c.value, str)
                     and (c.value == "✓" or c.value.startswith("差 "))]
            failing = [s for s in shown if s != "✓"]
            assert bool(failing) == bool(planted), (file, failing)
            normalise(saved)
            shutil.copy(saved, OUT / file)
            prior = next((ROOT / "fixtures/jinshan-2021").glob(f"{unit}_*"))
            planted_text = ";".join(f"{k}={v:+d}" for k, v in planted.items())
            manifest.append([file, unit, str(prior.relative_to(ROOT)), planted_text])
            print(f"{file}: {len(shown)} check cells, failing: {', '.join(failing) or 'none'}")
            if file == PICTURE:
                pdf = soffice_convert(OUT / file, "pdf", tmp / "pdf")
                # Page 1 (table 二) and page 2 (table 三): each table prints on a page of its own.
                run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(tmp / "page")])
                IMG.parent.mkdir(parents=True, exist_ok=True)
                pages = sorted(tmp.glob("page*.png"))
                shutil.copy(pages[0], IMG)
                shutil.copy(pages[1], IMG2)
        with open(OUT / "MANIFEST.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(manifest)
    print(f"wrote {len(CASES)} files and MANIFEST.csv to {OUT.relative_to(ROOT)}, "
          f"{IMG.relative_to(ROOT)} and {IMG2.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
