#!/usr/bin/env python3
"""Generate fixtures/messy and fixtures/bad: one small file per way a real return goes wrong.

Run from the repository root with the project venv:

    .venv/bin/python scripts/gen_bad_fixtures.py            # writes fixtures/messy and fixtures/bad
    .venv/bin/python scripts/gen_bad_fixtures.py --no-check # skip reading the files back

`fixtures/messy/` holds returns that must be READ: each is a full official-layout return of one
made-up unit (balanced unless its case says otherwise), written with one artefact that real units
send (numbers as text, blank markers, formulas without cached values, label variants, hidden
sheets, wrong extensions, stray far cells, …). `fixtures/bad/` holds files that must give exactly
one stated result: an error on one cell, a layout error, or a failed file with its own reason,
plus two sub-folders with their own rosters (`duplicate/`, `roster-gaps/`).

Each folder gets `roster.csv`, `expected.csv` (the values each return was written with; empty
where the value must come out null) and `MANIFEST.md` (every case and its expected result, with
the cell addresses involved). The output is byte-identical from run to run: fixed RNG seeds,
fixed document dates and zip timestamps, and the encryption's random salts and clock patched to
seeded values. Writing the encrypted case needs msoffcrypto-tool (see scripts/requirements.txt).

Builds on scripts/gen_fixtures.py (its format tables, Builder and writers); it does not change
what gen_fixtures.py writes.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_fixtures as gf  # noqa: E402

ROOT = gf.ROOT
OUT_MESSY = ROOT / "fixtures" / "messy"
OUT_BAD = ROOT / "fixtures" / "bad"
SEED = 20230301
YEAR = 2022
FEES = gf.FEES
FIELDS = gf.FIELDS
t3, t4 = gf.t3, gf.t4

# ---------------------------------------------------------------------------------------------
# Made-up units and their returns
# ---------------------------------------------------------------------------------------------

# Distinct words: no unit name or alias occurs inside another's (checked).
WORDS = [
    "档案", "气象", "粮食", "侨务", "方志", "机关事务", "海防", "林业", "地震", "测绘", "渔业",
    "文物", "图书", "外事", "民族宗教", "台务", "编制", "保密", "口岸", "供销", "人防", "港航",
    "盐务", "烟草", "邮政", "药监", "科协", "工商联", "水文", "矿产", "草原", "旅游", "无线电",
    "价格", "物价", "公路", "航道", "铁路", "民航", "气候", "知识产权", "乡村振兴", "大数据", "新闻出版",
    "广播电视", "体育彩票", "政务服务", "机场", "海关", "边检",
]


def make_unit(code: str, word: str) -> gf.Unit:
    return gf.Unit(code, f"示范区{word}局", [f"区{word}局", f"{word}局"], "department", f"区{word}局")


def made_up_return(seed: str) -> dict[str, int]:
    """A balanced return of a mid-sized unit: every table has values, many cells are 0."""
    rng = random.Random(seed)
    ret = gf.empty_return()
    ret["t2.regulations.in_force"] = rng.randint(0, 2)
    in_force = rng.randint(6, 30)
    ret["t2.normative_docs.in_force"] = in_force
    ret["t2.normative_docs.issued"] = rng.randint(1, in_force // 2)
    ret["t2.normative_docs.repealed"] = rng.randint(0, 3)
    ret["t2.licensing.decisions"] = rng.randint(40, 900)
    ret["t2.penalty.decisions"] = rng.randint(5, 300)
    ret["t2.coercion.decisions"] = rng.randint(0, 6)
    ret[FEES] = rng.randint(1_000, 900_000)  # 10.00 … 9000.00 万元
    mix = [30, 3, 0.3, 0.3, 0.3, 2, 0.6, 0.6, 1, 0.3, 20, 5, 0.6, 0.6, 1, 0.3, 0.3, 0.6, 4, 0.3, 8]
    for c, (lo, hi) in zip(gf.T3_APPLICANT_COLS, [(25, 70), (4, 15), (0, 2), (0, 2), (1, 4), (1, 6)]):
        new = rng.randint(lo, hi)
        co = rng.randint(0, 2)
        cf = rng.randint(0, min(3, new + co))
        ret[t3("new", c)], ret[t3("carried_over", c)], ret[t3("carried_forward", c)] = new, co, cf
        for r, v in zip(gf.T3_RESULT_ROWS, gf.deal(new + co - cf, mix, rng)):
            ret[t3(r, c)] = v
    for g, _ in gf.T4_GROUPS:
        for r, _ in gf.T4_RESULTS[:4]:
            ret[t4(g, r)] = rng.choice([0, 0, 1, 1, 2, 3])
    gf.complete_totals(ret)
    assert not gf.violations(ret), gf.violations(ret)
    return ret


def base_variant(fmt: str, unit_text: str, **kw) -> gf.Variant:
    v = gf.Variant(fmt=fmt, year=YEAR, layout="one", sheet_names=("Sheet1",), starts=[(0, 0)], gaps=(1, 1),
                   merged=True, title=True, notes=False, unit_id="cell", unit_text=unit_text)
    for k, x in kw.items():
        setattr(v, k, x)
    return v


# ---------------------------------------------------------------------------------------------
# Cells beyond gen_fixtures' three kinds, and an .xlsx writer for them
# ---------------------------------------------------------------------------------------------
# Extra Cell kinds (gen_fixtures.Cell: kind, value, rng, fid):
#   "F"  any formula: value = (formula text with '=', cached value or None for no cached value)
#   "e"  a formula whose cached value is an error: value = (formula, "#REF!")
#   "q"  text with Excel's quote prefix (typed as '12 in Excel)
#   "b"  a boolean
#   "d"  a date (datetime), shown as yyyy/m/d
# A "f" (SUM) cell's cached value is dropped too when the writer is told `uncached=True`.


def F(formula: str, fid: str | None = None, cached=None) -> gf.Cell:
    return gf.Cell("F", (formula, cached), fid=fid)


def write_xlsx(sheets: list[gf.Sheet], *, hidden: tuple[int, ...] = (), uncached: bool = False,
               far_cells: tuple[tuple[int, int, int, str], ...] = ()) -> bytes:
    """An .xlsx as bytes, like gen_fixtures.write_xlsx plus the extra kinds above. Formulas whose
    cached value is None are written without any <v> element (as tools that do not calculate
    write them); `far_cells` are (sheet, row, col, text) written outside the Sheet model."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": gf.doc_date(YEAR), "author": "nianbao fixtures"})
    box = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    quoted = wb.add_format({"border": 1, "quote_prefix": True})
    date = wb.add_format({"border": 1, "num_format": "yyyy/m/d"})
    NO_CACHE = ""  # XlsxWriter writes <v></v>; removed below
    first_visible = next(i for i in range(len(sheets)) if i not in hidden)
    for i, sh in enumerate(sheets):
        ws = wb.add_worksheet(sh.name)
        if i in hidden:
            ws.hide()
        elif i == first_visible:
            ws.activate()
        for r1, c1, r2, c2 in sh.merges:
            ws.merge_range(r1, c1, r2, c2, "", box)
        for (r, c), cell in sorted(sh.cells.items()):
            k = cell.kind
            if k == "s":
                ws.write_string(r, c, cell.value, box)
            elif k == "q":
                ws.write_string(r, c, cell.value, quoted)
            elif k == "n":
                ws.write_number(r, c, float(cell.value), amount if cell.fid == FEES else box)
            elif k == "b":
                ws.write_boolean(r, c, cell.value, box)
            elif k == "d":
                ws.write_datetime(r, c, cell.value, date)
            elif k == "f":
                r1, c1, r2, c2 = cell.rng
                cached = NO_CACHE if uncached else cell.value
                ws.write_formula(r, c, f"=SUM({gf.a1(r1, c1)}:{gf.a1(r2, c2)})", box, cached)
            elif k in ("F", "e"):
                formula, cached = cell.value
                ws.write_formula(r, c, formula, box, NO_CACHE if cached is None else cached)
            else:
                raise ValueError(k)
        for si, r, c, text in far_cells:
            if si == i:
                ws.write_string(r, c, text)
    wb.close()
    data = buf.getvalue()
    if uncached or any(c.kind == "F" and c.value[1] is None for sh in sheets for c in sh.cells.values()):
        data = rewrite_zip(data, lambda name, b: b.replace(b"<v></v>", b"") if name.startswith("xl/worksheets/") else b)
    return data


def rewrite_zip(data: bytes, fn) -> bytes:
    """The zip with each member's bytes passed through fn(name, bytes), same order, same dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            z.writestr(zi, fn(info.filename, src.read(info.filename)))
    return out.getvalue()


def xls_bytes(sheets: list[gf.Sheet], tmp: Path) -> bytes:
    path = tmp / "tmp.xls"
    gf.write_xls(path, sheets, YEAR)
    data = path.read_bytes()
    path.unlink()
    return data


def ods_bytes(sheets: list[gf.Sheet], tmp: Path, far: tuple[int, int, str] | None = None) -> bytes:
    """An .ods as bytes (gen_fixtures.write_ods); `far` = (row, col, text) adds one cell far away
    on the first sheet, written with repeated empty rows and cells (as LibreOffice does)."""
    path = tmp / "tmp.ods"
    gf.write_ods(path, sheets, YEAR)
    data = path.read_bytes()
    path.unlink()
    if far is None:
        return data
    row, col, text = far
    nrows, ncols = sheets[0].dims()

    def patch(name: str, b: bytes) -> bytes:
        if name != "content.xml":
            return b
        s = b.decode("utf-8")
        end = s.index("</table:table>")
        extra = (
            f'<table:table-row table:number-rows-repeated="{row - nrows}">'
            f'<table:table-cell table:number-columns-repeated="{ncols}"/></table:table-row>\n'
            f'<table:table-row><table:table-cell table:number-columns-repeated="{col}"/>'
            f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
            "</table:table-row>\n"
        )
        s = s[:end] + extra + s[end:]
        s = s.replace(f'<table:table-column table:number-columns-repeated="{ncols}"/>',
                      f'<table:table-column table:number-columns-repeated="{col + 1}"/>', 1)
        return s.encode("utf-8")

    assert row > nrows and col >= ncols
    return rewrite_zip(data, patch)


# ---------------------------------------------------------------------------------------------
# Case model
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    file: str  # relative to the folder
    unit: gf.Unit | None
    what: str  # the artefact, for MANIFEST.md
    expect: str  # the expected result, for MANIFEST.md
    values: dict[str, int | None] | None = None  # expected values (None: must come out null)
    roster: bool = True  # whether the unit is on the folder's roster


@dataclass
class Built:
    sheets: list[gf.Sheet]
    where: dict[str, tuple[int, int, int]]

    def at(self, fid: str) -> tuple[gf.Sheet, tuple[int, int]]:
        si, r, c = self.where[fid]
        return self.sheets[si], (r, c)

    def addr(self, fid: str) -> str:
        si, r, c = self.where[fid]
        return f"{self.sheets[si].name}!{gf.a1(r, c)}"

    def set(self, fid: str, cell: gf.Cell) -> str:
        sh, pos = self.at(fid)
        cell.fid = fid
        sh.cells[pos] = cell
        return self.addr(fid)

    def blank(self, fid: str) -> str:
        sh, pos = self.at(fid)
        del sh.cells[pos]
        return self.addr(fid)

    def texts(self):
        for sh in self.sheets:
            for pos, cell in sh.cells.items():
                if cell.kind == "s" and cell.fid is None:
                    yield sh, pos, cell


def build(ret: dict[str, int], v: gf.Variant, seed: str) -> Built:
    sheets, where = gf.build_return(ret, v, random.Random(seed))
    return Built(sheets, where)


def fmt_value(fid: str, v: int | None) -> str:
    if v is None:
        return ""
    return gf.fmt_amount(v) if fid == FEES else str(v)


# ---------------------------------------------------------------------------------------------
# fixtures/messy: returns that must be read
# ---------------------------------------------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")

ENUM_SWAP = {
    "一、本年新收政府信息公开申请数量": "（一）本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量": "（二）上年结转政府信息公开申请数量",
    "三、本年度办理结果": "（三）本年度办理结果",
    "四、结转下年度继续办理": "（四）结转下年度继续办理",
    "（一）予以公开": "一、予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "二、部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开": "三、不予公开",
    "（四）无法提供": "四、无法提供",
    "（五）不予处理": "五、不予处理",
    "（六）其他处理": "六、其他处理",
    "（七）总计": "七、总计",
}


class Messy:
    def __init__(self, out: Path, tmp: Path):
        self.out, self.tmp = out, tmp
        self.cases: list[Case] = []
        self.words = iter(WORDS)
        self.n = 0

    def unit(self) -> gf.Unit:
        self.n += 1
        return make_unit(f"M{self.n:02d}", next(self.words))

    def add(self, file: str, unit: gf.Unit, data: bytes, ret: dict[str, int], what: str, expect: str,
            nulls: tuple[str, ...] = ()) -> None:
        (self.out / file).write_bytes(data)
        values: dict[str, int | None] = dict(ret)
        for f in nulls:
            values[f] = None
        self.cases.append(Case(file, unit, what, expect, values))

    def generate(self) -> None:
        tmp = self.tmp

        # Numbers as text with spaces, U+3000 included (.ods).
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("ods", u.name), u.code)
        pads = [" {} ", "\u3000{}", "{}\u3000", "\u3000 {} \u3000", "{}  ", "  {}", "\u3000\u3000{}"]
        picked = ["t2.normative_docs.in_force", "t2.licensing.decisions", "t3.new.natural_person",
                  "t3.granted.natural_person", "t3.carried_forward.commercial", "t3.new.total",
                  "t4.review.upheld", "t3.not_processed.repeated.natural_person"]
        cells = []
        for i, fid in enumerate(picked):
            cells.append(b.set(fid, gf.Cell("s", pads[i % len(pads)].format(ret[fid]))))
        b.set(FEES, gf.Cell("s", f" {gf.fmt_amount(ret[FEES])}\u3000"))
        self.add("messy-text-spaces.ods", u, ods_bytes(b.sheets, tmp), ret,
                 "numbers stored as text padded with spaces and U+3000 (ideographic space), the fee amount too: "
                 + ", ".join(cells),
                 "ok: every value read as the number, no violation")

        # Thousands separators (.xls).
        u = self.unit()
        ret = made_up_return(u.code)
        ret["t2.licensing.decisions"] = 12345
        ret["t2.penalty.decisions"] = 1204
        ret[FEES] = 123456  # 1,234.56
        b = build(ret, base_variant("xls", u.name), u.code)
        c1 = b.set("t2.licensing.decisions", gf.Cell("s", "12,345"))
        c2 = b.set("t2.penalty.decisions", gf.Cell("s", "1,204"))
        c3 = b.set(FEES, gf.Cell("s", "1,234.56"))
        self.add("messy-thousands-separators.xls", u, xls_bytes(b.sheets, tmp), ret,
                 f'thousands separators in text numbers: {c1} "12,345", {c2} "1,204", {c3} "1,234.56"',
                 "ok: 12345, 1204 and 1234.56")

        # Full-width digits and punctuation (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        ret[FEES] = 1234567  # 12,345.67
        b = build(ret, base_variant("xlsx", u.name), u.code)
        c0 = b.set(FEES, gf.Cell("s", "１２，３４５．６７"))
        fw = []
        for fid in ["t2.licensing.decisions", "t3.new.natural_person", "t3.granted.total", "t4.review.total",
                    "t3.carried_over.natural_person"]:
            fw.append(b.set(fid, gf.Cell("s", f"{ret[fid]:,}".translate(FULLWIDTH))))
        self.add("messy-fullwidth-digits.xlsx", u, write_xlsx(b.sheets), ret,
                 f'full-width digits and punctuation: the fee amount {c0} "１２，３４５．６７", counts '
                 + ", ".join(fw),
                 "ok: 12345.67 and the counts as numbers")

        # Leading apostrophe (.xlsx): literal "'12" text and Excel's quote prefix.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        lit = [b.set(f, gf.Cell("s", f"'{ret[f]}")) for f in
               ["t2.penalty.decisions", "t3.new.commercial", "t3.granted.commercial", "t4.review.total"]]
        qp = [b.set(f, gf.Cell("q", str(ret[f]))) for f in
              ["t2.licensing.decisions", "t3.new.natural_person", "t3.total.natural_person"]]
        self.add("messy-apostrophe-text.xlsx", u, write_xlsx(b.sheets), ret,
                 "numbers typed with a leading apostrophe: literal \"'12\" text in " + ", ".join(lit)
                 + "; text with Excel's quote prefix in " + ", ".join(qp),
                 "ok: the numbers")

        # Blank markers (.xls): "-", "—", "－", "/", "无" in zero cells.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xls", u.name), u.code)
        zeros = [f for f in FIELDS if ret[f] == 0 and f != FEES]
        rng = random.Random(f"{SEED}-blanks")
        chosen = sorted(rng.sample(zeros, 10), key=FIELDS.index)
        markers = ["-", "—", "－", "/", "无"] * 2
        marked = [b.set(f, gf.Cell("s", m)) for f, m in zip(chosen, markers)]
        self.add("messy-blank-markers.xls", u, xls_bytes(b.sheets, tmp), ret,
                 "10 zero cells typed as blank markers: "
                 + ", ".join(f'{a} "{m}"' for a, m in zip(marked, markers)),
                 "ok: those values 0, unit `blanks` 10, one info `value.blank`")

        # A 总计 cell left blank while its parts are not zero (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        assert ret["t3.granted.total"] > 0
        b = build(ret, base_variant("xlsx", u.name), u.code)
        c = b.blank("t3.granted.total")
        self.add("messy-total-blank.xlsx", u, write_xlsx(b.sheets), ret,
                 f"the 总计 of 予以公开 ({c}) left empty while its parts are not 0",
                 f"warnings: `total.blank` on {c}, value {ret['t3.granted.total']} taken from the parts, "
                 "unit `blanks` 1 (info `value.blank`)")

        # Totals as formulas without cached values (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        v = base_variant("xlsx", u.name, formulas=("t3_rows", "t3_total_row", "t4_totals"))
        b = build(ret, v, u.code)
        plus = []
        for g, _ in gf.T4_GROUPS:
            parts = [b.where[t4(g, r)] for r, _ in gf.T4_RESULTS[:4]]
            formula = "=" + "+".join(gf.a1(r, c) for _, r, c in parts)
            plus.append(b.set(t4(g, "total"), F(formula)) + f" `{formula}`")
        self.add("messy-formulas-uncached.xlsx", u, write_xlsx(b.sheets, uncached=True), ret,
                 "every total a formula with no cached value (no <v> element): table 3's 总计 column "
                 f"`=SUM(D…:I…)` ({b.addr('t3.new.total')} …), its 总计 row `=SUM(…)` "
                 f"({b.addr('t3.total.natural_person')} …; the corner {b.addr('t3.total.total')} sums formulas), "
                 "table 4's totals as `+` of cells: " + ", ".join(plus),
                 "ok: the totals evaluated from the formulas, no violation")

        # A formula that is not a plain sum, without cached value (.xlsx): an error on that cell.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        fid = "t3.carried_forward.total"
        _, r, c0 = b.where[t3("carried_forward", "natural_person")]
        rng_ = f"{gf.a1(r, c0)}:{gf.a1(r, c0 + 5)}"
        formula = f"=IF(SUM({rng_})>0,SUM({rng_}),0)"
        c = b.set(fid, F(formula))
        self.add("messy-formula-if-uncached.xlsx", u, write_xlsx(b.sheets), ret,
                 f"{c} (结转下年度继续办理 › 总计) holds `{formula}` with no cached value",
                 f"errors: `value.uncached_formula` on {c}, raw `{formula}`, value null, not in the totals",
                 nulls=(fid,))

        # Label variants.
        for name, fmt, noise, what in [
            ("messy-labels-halfwidth.xls", "xls", ("halfwidth",), "half-width brackets in every label: (一)予以公开, (三)不予公开 …"),
            ("messy-labels-other-shifted.xlsx", "xlsx", ("other_shifted",), "\"3.其他\" in the group column (as in the seed), the （六）其他处理 merge one row short"),
            ("messy-labels-total-no-qi.ods", "ods", ("total_no_qi",), "\"总计\" without （七）"),
            ("messy-labels-t4-space.xlsx", "xlsx", ("t4_space",), "table 4's result headers with a space: \"结果 维持\", \"其他 结果\" …"),
        ]:
            u = self.unit()
            ret = made_up_return(u.code)
            b = build(ret, base_variant(fmt, u.name, noise=noise), u.code)
            data = write_xlsx(b.sheets) if fmt == "xlsx" else xls_bytes(b.sheets, tmp) if fmt == "xls" else ods_bytes(b.sheets, tmp)
            self.add(name, u, data, ret, what, "ok")

        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        for sh, pos, cell in b.texts():
            cell.value = ENUM_SWAP.get(cell.value, cell.value)
            m = re.match(r"^(\d)\.(.*)$", cell.value)
            if m:  # "1.属于国家秘密" → "(1)属于国家秘密" or "1、…"
                cell.value = f"({m.group(1)}){m.group(2)}" if int(m.group(1)) % 2 else f"{m.group(1)}、{m.group(2)}"
        self.add("messy-labels-enumerators.xlsx", u, write_xlsx(b.sheets), ret,
                 "enumerators swapped: （一）本年新收… instead of 一、本年新收…, 一、予以公开 instead of （一）予以公开, "
                 "七、总计, (1)属于国家秘密 / 2、其他法律行政法规禁止公开 …", "ok")

        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("ods", u.name), u.code)
        rng = random.Random(f"{SEED}-labels")
        for sh, pos, cell in b.texts():
            text = cell.value
            if text.startswith("填报单位") or text.startswith(f"{YEAR}年"):
                continue
            if len(text) <= 4:
                text = rng.choice([" ", "\u3000", "  "]).join(text)  # 自 然 人
            else:
                mid = len(text) // 2
                text = text[:mid] + rng.choice(["\n", " \n", "\n\u3000"]) + text[mid:]
                if rng.random() < 0.4:
                    text = rng.choice([" ", "\u3000"]) + text
            cell.value = text
        self.add("messy-labels-linebreaks-spaces.ods", u, ods_bytes(b.sheets, tmp), ret,
                 "every label broken over two lines or spaced out (\"自 然 人\", \"本年新收政府信\\n息公开申请数量\", leading U+3000)", "ok")

        # Tables on three sheets (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name, layout="three", sheet_names=("表二", "表三", "表四"),
                                    starts=[(0, 0), (2, 1), (1, 0)]), u.code)
        self.add("messy-three-sheets.xlsx", u, write_xlsx(b.sheets), ret,
                 "table 二, 三 and 四 each on its own sheet (表二, 表三, 表四), at different offsets", "ok")

        # Tables spread with notes and other content around them (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name, starts=[(3, 2)], gaps=(4, 5), notes=True, date_cell=True), u.code)
        sh = b.sheets[0]
        t3_title = next(p for p, c in sh.cells.items() if c.kind == "s" and c.value == gf.T3_TITLE)
        t4_title = next(p for p, c in sh.cells.items() if c.kind == "s" and c.value == gf.T4_TITLE)
        _, hr, hc = b.where["t3.new.total"]
        sh.text(0, 0, "附件2")
        sh.text(t3_title[0] - 3, 2, "说明：本表依据《中华人民共和国政府信息公开条例》第五十条编制，数据截至2022年12月31日。")
        sh.text(t3_title[0] - 2, 2, "（表二数据由办公室提供）")
        sh.text(t3_title[0] + 1, hc + 2, "备注")
        sh.text(hr, hc + 2, "含网上申请17件")
        sh.text(hr + 2, hc + 2, "已全部答复")
        sh.text(t4_title[0] - 2, 2, "注：表三各列勾稽关系已自查。")
        sh.text(t4_title[0] - 4, 14, "审核人：李某某")
        last = max(r for r, _ in sh.cells)
        sh.text(last + 3, 2, "附：联系方式")
        sh.text(last + 4, 2, "联系人")
        sh.text(last + 4, 3, "电话")
        sh.text(last + 4, 4, "邮箱")
        sh.text(last + 5, 2, "王某某")
        sh.text(last + 5, 3, "021-57920000")
        sh.text(last + 5, 4, "gk@example.cn")
        self.add("messy-spread-notes.xlsx", u, write_xlsx(b.sheets), ret,
                 "the tables start at C4 with wide gaps; notes above and between the tables, a 备注 column right of "
                 "table 3, a signature cell, a contact block below table 4", "ok")

        # A hidden sheet holding an old copy with different values (.xlsx).
        u = self.unit()
        ret = made_up_return(u.code)
        old = made_up_return(u.code + "-old")
        assert old != ret
        b_old = build(old, base_variant("xlsx", u.name, sheet_names=("初稿（勿删）",)), u.code + "-old")
        b = build(ret, base_variant("xlsx", u.name), u.code)
        self.add("messy-hidden-old-copy.xlsx", u, write_xlsx(b_old.sheets + b.sheets, hidden=(0,)), ret,
                 "first sheet `初稿（勿删）` hidden, holding an older full return with other values; the visible "
                 "`Sheet1` holds the real one",
                 "ok: the visible sheet's values")

        # Content and name disagree.
        for name, fmt, what in [
            ("messy-xls-content-named.xlsx", "xls", "an Excel 97–2003 (.xls) workbook saved with an .xlsx name"),
            ("messy-xlsx-content-named.xls", "xlsx", "an .xlsx workbook saved with an .xls name"),
            ("messy-macro-enabled.xlsm", "xlsm", "a macro-enabled workbook (.xlsm content type, no macros)"),
            ("messy-upper-case-ext.XLSX", "xlsx", "an upper-case extension `.XLSX`"),
        ]:
            u = self.unit()
            ret = made_up_return(u.code)
            b = build(ret, base_variant("xls" if fmt == "xls" else "xlsx", u.name), u.code)
            if fmt == "xls":
                data = xls_bytes(b.sheets, tmp)
            else:
                data = write_xlsx(b.sheets)
                if fmt == "xlsm":
                    data = rewrite_zip(data, lambda n, x: x.replace(
                        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml") if n == "[Content_Types].xml" else x)
            self.add(name, u, data, ret, what, "ok")

        # A stray cell far away.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        self.add("messy-stray-far-cell.xlsx", u, write_xlsx(b.sheets, far_cells=((0, 1048575, 16383, "x"),)), ret,
                 "an \"x\" in XFD1048576, the last cell of the sheet (dimension A1:XFD1048576)", "ok")
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("ods", u.name), u.code)
        # calamine's .ods limits: 1,048,576 rows, 16,384 columns, 100,000,000 cells in the used range.
        self.add("messy-stray-far-cell.ods", u, ods_bytes(b.sheets, tmp, far=(ODS_FAR_ROW, ODS_FAR_COL, "x")), ret,
                 f"an \"x\" in {gf.a1(ODS_FAR_ROW, ODS_FAR_COL)}: the last row, and as far right as calamine's "
                 "100,000,000-cell limit on the used range allows", "ok")

        # How the unit is named.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name, unit_id="none"), u.code)
        self.add(f"messy-unit-in-filename-{u.name}.xlsx", u, write_xlsx(b.sheets), ret,
                 "no 填报单位 cell: the unit is named only in the file name", f"ok, unit {u.code}")
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name, unit_id="split"), u.code)
        self.add("messy-unit-next-cell.xlsx", u, write_xlsx(b.sheets), ret,
                 f"`填报单位：` in one cell, `{u.name}` in the (merged) cell after it", f"ok, unit {u.code}")


# The far .ods cell: the last row; the used range A1:… stays under calamine's 100,000,000 cells.
ODS_FAR_ROW = 1_048_575
ODS_FAR_COL = 100_000_000 // 1_048_576 - 1  # 94 → CQ; 95 columns × 1,048,576 rows = 99,614,720 cells


# ---------------------------------------------------------------------------------------------
# fixtures/bad: files that must give exactly their stated result
# ---------------------------------------------------------------------------------------------


class Bad:
    def __init__(self, out: Path, tmp: Path):
        self.out, self.tmp = out, tmp
        self.cases: list[Case] = []
        self.words = iter(WORDS[len(WORDS) - 21:])  # none of the messy units' names
        self.counts: dict[str, int] = {}

    def unit(self, prefix: str = "B") -> gf.Unit:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return make_unit(f"{prefix}{self.counts[prefix]:02d}", next(self.words))

    def add(self, file: str, data: bytes, what: str, expect: str, unit: gf.Unit | None = None,
            values: dict[str, int | None] | None = None, roster: bool = True) -> None:
        path = self.out / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.cases.append(Case(file, unit, what, expect, values, roster))

    def cell_case(self, file: str, fid: str, cell: gf.Cell, rule: str, what: str,
                  ret_edit: dict[str, int] | None = None) -> None:
        u = self.unit()
        ret = made_up_return(u.code)
        for k, x in (ret_edit or {}).items():
            ret[k] = x
        gf.complete_totals(ret)
        assert not gf.violations(ret)
        fmt = file.rsplit(".", 1)[1]
        b = build(ret, base_variant(fmt, u.name), u.code)
        addr = b.set(fid, cell)
        data = (write_xlsx(b.sheets) if fmt == "xlsx" else xls_bytes(b.sheets, self.tmp) if fmt == "xls"
                else ods_bytes(b.sheets, self.tmp))
        values: dict[str, int | None] = dict(ret)
        values[fid] = None
        self.add(file, data, f"{addr} ({fid}): {what}",
                 f"errors: `{rule}` on {addr}, value null, not in the totals; every other value read", u, values)

    def generate(self) -> None:
        # Text and other non-numbers in number cells: an error on the cell, value null.
        self.cell_case("bad-text-approx.xlsx", "t3.new.natural_person", gf.Cell("s", "约10"), "value.not_a_number", '"约10"')
        self.cell_case("bad-text-unit-suffix.xlsx", "t2.licensing.decisions", gf.Cell("s", "12件"), "value.not_a_number", '"12件"')
        self.cell_case("bad-text-yuan.xlsx", FEES, gf.Cell("s", "251000元"), "value.not_a_number",
                       '"251000元" (yuan, not 万元, with the unit typed)')
        self.cell_case("bad-text-sum.xlsx", "t3.granted.natural_person", gf.Cell("s", "10+2"), "value.not_a_number",
                       '"10+2" typed as text')
        self.cell_case("bad-date.xlsx", "t3.unavailable.not_held.natural_person", gf.Cell("d", datetime(2022, 1, 5)),
                       "value.date", '"1-5" typed and turned into the date 2022/1/5 by Excel')
        self.cell_case("bad-boolean.xlsx", "t4.review.upheld", gf.Cell("b", True), "value.boolean", "TRUE")
        self.cell_case("bad-ref-error.xlsx", "t3.total.natural_person", gf.Cell("e", ("=SUM(#REF!)", "#REF!")),
                       "value.excel_error", "`=SUM(#REF!)` with the cached error #REF! (rows deleted under a SUM)")
        self.cell_case("bad-negative.xls", "t3.carried_over.natural_person", gf.Cell("n", -3), "value.negative", "-3")
        self.cell_case("bad-fraction.ods", "t2.penalty.decisions", gf.Cell("n", Decimal("2.5")), "value.fraction",
                       "2.5 in a count")
        self.cell_case("bad-fee-decimals.xlsx", FEES, gf.Cell("n", Decimal("1.005")), "value.decimals",
                       "1.005 in the fee amount (万元, at most 2 decimals)")

        # Template drift.
        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        _, _, col = b.where[t3("new", "research")]
        t3_top = next(r for (r, _), c in b.sheets[0].cells.items() if c.kind == "s" and c.value == gf.T3_TITLE)
        _, t3_bottom, _ = b.where[t3("carried_forward", "research")]
        delete_cells_shift_left(b.sheets[0], col, t3_top, t3_bottom)
        values = {f: (None if ".research" in f else x) for f, x in ret.items()}
        self.add("bad-missing-column-research.xlsx", write_xlsx(b.sheets),
                 f"table 3's 科研机构 column ({gf.col_letters(col)}{t3_top + 2}:{gf.col_letters(col)}{t3_bottom + 1}) "
                 "deleted with 删除单元格 › 右侧单元格左移: table 3's columns right of it moved left",
                 "errors: one `layout.missing_column` naming the 25 `t3.*.research` fields (null); "
                 "every other value read, no balance error", u, values)

        u = self.unit()
        ret = made_up_return(u.code)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        _, row, _ = b.where[t3("withheld.query_matter", "natural_person")]
        delete_row(b.sheets[0], row)
        values = {f: (None if f.startswith("t3.withheld.query_matter.") else x) for f, x in ret.items()}
        self.add("bad-missing-row.xlsx", write_xlsx(b.sheets),
                 f"table 3's row 8.属于行政查询事项 (row {row + 1}) deleted, the rows below moved up",
                 "errors: one `layout.missing_row` naming the 7 `t3.withheld.query_matter.*` fields (null); "
                 "every other value read", u, values)

        u = self.unit()
        ret = made_up_return(u.code)
        extra = {"natural_person": 2, "commercial": 1}
        # The unit's own extra row is counted in its 总计 row and column; the new/carried_forward rows too.
        for c, x in extra.items():
            ret[t3("new", c)] += x
        gf.complete_totals(ret)
        for c, x in extra.items():
            ret[t3("total", c)] += x
        ret[t3("new", "total")] = sum(ret[t3("new", c)] for c in gf.T3_APPLICANT_COLS)
        ret[t3("total", "total")] = sum(ret[t3("total", c)] for c in gf.T3_APPLICANT_COLS)
        b = build(ret, base_variant("xlsx", u.name), u.code)
        _, row, col = b.where[t3("withheld.query_matter", "natural_person")]
        sh = b.sheets[0]
        insert_row(sh, row + 1)
        # The unit added the row inside the （三）不予公开 group: its merged label grows by the row.
        sh.merges = [(r1, c1, r2 + 1, c2) if (c1, r2) == (col - 2, row) else (r1, c1, r2, c2)
                     for r1, c1, r2, c2 in sh.merges]
        sh.text(row + 1, col - 1, "9.涉及商业秘密")
        for j, c in enumerate(gf.T3_COLS):
            cid = c[0]
            x = extra.get(cid, 0) if cid != "total" else sum(extra.values())
            sh.cells[(row + 1, col + j)] = gf.Cell("n", x)
        self.add("bad-unknown-row.xlsx", write_xlsx(b.sheets),
                 f"an extra row `9.涉及商业秘密` inserted in table 3 after 8.属于行政查询事项 (row {row + 2}), "
                 "with values 2 (自然人), 1 (商业企业), 3 (总计) that the unit's 总计 row counts",
                 f"errors: `layout.unknown_row` at {sh.name}!{gf.a1(row + 1, col - 1)}; the 总计 row no longer "
                 "equals the 21 known result rows in 自然人, 商业企业 and 总计 (`t3.result_sum` ×3, off by 2, 1, 3): "
                 "the extra values are reported, not silently dropped", u, dict(ret))

        # Files that are not returns, or cannot be opened: failed, each with its own reason.
        u = self.unit()
        ret = made_up_return(u.code)
        plain = write_xlsx(build(ret, base_variant("xlsx", u.name), u.code).sheets)
        self.add("bad-encrypted.xlsx", encrypt_xlsx(plain, "2022"),
                 "a return protected with a password (\"2022\"): an OLE container with EncryptionInfo and "
                 "EncryptedPackage streams (ECMA-376 agile encryption)",
                 "failed: 文件已加密，请去除密码后重新报送")
        self.add("bad-truncated.xlsx", plain[: len(plain) // 2],
                 f"the first half ({len(plain) // 2} of {len(plain)} bytes) of a real .xlsx (transfer cut off)",
                 "failed: 不是完整的 xlsx/ods 压缩包，文件不完整或已损坏（…）")
        self.add("bad-empty.xlsx", b"", "an empty file (0 bytes)", "failed: 文件为空")
        self.add("bad-csv-renamed.xlsx", csv_return(ret), "a CSV export (GBK, CRLF) of the return renamed .xlsx",
                 "failed: 这是文本文件，不是 Excel 表格（.xlsx/.xls/.ods）")
        self.add("bad-docx-renamed.xlsx", docx_bytes(), "a Word document (.docx: word/document.xml) renamed .xlsx",
                 "failed: 这是 Word 文档，不是 Excel 表格；请用 Excel 或 WPS 表格填报")
        self.add("bad-no-return.xlsx", write_xlsx(other_table()),
                 "a real workbook holding another table (a 政务公开工作台账), none of tables 二/三/四",
                 "failed: 文件中未找到政府信息公开年报统计表（表二、表三、表四均未找到）")
        bomb, declared = zip_bomb()
        self.add("bad-zip-bomb.xlsx", bomb,
                 f"a zip bomb: an .xlsx whose sheet1.xml unpacks to {declared:,} bytes "
                 f"({declared // 1024 // 1024} MiB: zero cells, then a run of '0' digits), {len(bomb):,} bytes on disk",
                 f"failed: 文件解压后过大（声明 {declared // 1024 // 1024} MB），不是年报统计表 — refused from the "
                 "zip directory, before unpacking")

        # Two files for one unit (duplicate/), with its own roster.
        d1, d2 = self.unit("D"), self.unit("D")
        draft, final = made_up_return(d1.code + "-draft"), made_up_return(d1.code + "-final")
        for file, ret, seed, what in [
            (f"duplicate/{d1.name}-初稿.xlsx", draft, "draft", "first draft"),
            (f"duplicate/{d1.name}-终稿.xlsx", final, "final", "final version, other values"),
        ]:
            b = build(ret, base_variant("xlsx", d1.name), d1.code + seed)
            self.add(file, write_xlsx(b.sheets), f"{d1.code}'s {what}",
                     "both listed; unit `duplicate`, not in the totals, exit 1; with `--prefer newest` the file "
                     "with the newer mtime is taken (the other `skipped`)", d1, dict(ret))
        ret = made_up_return(d2.code)
        b = build(ret, base_variant("xlsx", d2.name), d2.code)
        self.add(f"duplicate/{d2.name}.xlsx", write_xlsx(b.sheets), f"{d2.code}'s only return", "ok", d2, dict(ret))
        write_roster(self.out / "duplicate" / "roster.csv", [d1, d2])

        # A unit not on the roster, roster units without returns (roster-gaps/).
        r1, r2, r3, stranger = self.unit("R"), self.unit("R"), self.unit("R"), self.unit("X")
        ret = made_up_return(r1.code)
        b = build(ret, base_variant("xlsx", r1.name), r1.code)
        self.add(f"roster-gaps/{r1.name}.xlsx", write_xlsx(b.sheets), f"{r1.code}'s return", "ok", r1, dict(ret))
        ret = made_up_return(stranger.code)
        b = build(ret, base_variant("xlsx", stranger.name), stranger.code)
        self.add("roster-gaps/外单位报表.xlsx", write_xlsx(b.sheets),
                 f"a return of `{stranger.name}` (named in its 填报单位 cell), which is not on the roster",
                 "unit `unknown` (`unit.unknown` error), not in the totals", stranger, dict(ret), roster=False)
        write_roster(self.out / "roster-gaps" / "roster.csv", [r1, r2, r3])
        self.missing = [r2, r3]


def delete_cells_shift_left(sh: gf.Sheet, col: int, top: int, bottom: int) -> None:
    """Deletes the cells of column `col` in rows top..bottom as Excel's 删除单元格 › 右侧单元格左移
    does: the cells right of them in those rows move left, merges within those rows shrink."""
    cells = {}
    for (r, c), cell in sh.cells.items():
        if top <= r <= bottom:
            if c == col:
                continue
            c = c - 1 if c > col else c
        cells[(r, c)] = cell
    merges = []
    for r1, c1, r2, c2 in sh.merges:
        if not (top <= r1 and r2 <= bottom):
            assert r2 < top or r1 > bottom, "a merge across the deleted range"
            merges.append((r1, c1, r2, c2))
            continue
        if c1 == c2 == col:
            continue
        nc1 = c1 - 1 if c1 > col else c1
        nc2 = c2 - 1 if c2 >= col else c2
        if (r1, nc1) != (r2, nc2):
            merges.append((r1, nc1, r2, nc2))
    assert not any(c.kind == "f" for c in cells.values())
    sh.cells, sh.merges = cells, merges


def delete_row(sh: gf.Sheet, row: int) -> None:
    """Deletes a sheet row: cells below move up, merges spanning it shrink."""
    cells = {}
    for (r, c), cell in sh.cells.items():
        if r == row:
            continue
        cells[(r - 1 if r > row else r, c)] = cell
    merges = []
    for r1, c1, r2, c2 in sh.merges:
        if r1 == r2 == row:
            continue
        nr1 = r1 - 1 if r1 > row else r1
        nr2 = r2 - 1 if r2 >= row else r2
        if (nr1, c1) != (nr2, c2):
            merges.append((nr1, c1, nr2, c2))
    assert not any(c.kind == "f" for c in cells.values())
    sh.cells, sh.merges = cells, merges


def insert_row(sh: gf.Sheet, row: int) -> None:
    """Inserts an empty sheet row before `row`: cells move down, merges spanning it grow."""
    sh.cells = {((r + 1 if r >= row else r), c): cell for (r, c), cell in sh.cells.items()}
    merges = []
    for r1, c1, r2, c2 in sh.merges:
        merges.append((r1 + 1 if r1 >= row else r1, c1, r2 + 1 if r2 >= row else r2, c2))
    sh.merges = merges


def write_roster(path: Path, units: list[gf.Unit]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    gf.write_roster(path, units)


def encrypt_xlsx(plain: bytes, password: str) -> bytes:
    """ECMA-376 agile encryption (what Excel does for 用密码进行加密) by msoffcrypto-tool, with its
    random salts and keys drawn from a seeded RNG and its clock fixed, so the bytes are stable."""
    try:
        import msoffcrypto
    except ImportError:
        sys.exit("gen_bad_fixtures.py: the encrypted case needs msoffcrypto-tool: "
                 ".venv/bin/pip install msoffcrypto-tool==6.1.0")
    from msoffcrypto.format.ooxml import OOXMLFile
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    rng = random.Random(f"{SEED}-encryption")

    class FixedClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(YEAR + 1, 1, 15)

    saved = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = lambda n: bytes(rng.getrandbits(8) for _ in range(n))
    ecma376_encrypted.datetime = FixedClock
    try:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved
    data = out.getvalue()
    # The password opens it again: a real encrypted workbook, not just look-alike streams.
    f = msoffcrypto.OfficeFile(io.BytesIO(data))
    f.load_key(password=password)
    back = io.BytesIO()
    f.decrypt(back)
    assert back.getvalue() == plain
    return data


def csv_return(ret: dict[str, int]) -> bytes:
    lines = ["项目,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计"]
    for rid, label, _ in gf.T3_ROWS:
        lines.append(",".join([label] + [str(ret[t3(rid, c)]) for c, _ in gf.T3_COLS]))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def docx_bytes() -> bytes:
    files = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         "</Types>"),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>'),
        ("word/document.xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
         f"<w:p><w:r><w:t>示范区{YEAR}年政府信息公开工作年度报告</w:t></w:r></w:p>"
         "<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>"
         "<w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>"
         "</w:body></w:document>"),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files:
            zi = zipfile.ZipInfo(name, date_time=gf.doc_date(YEAR).timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode("utf-8"))
    return out.getvalue()


def other_table() -> list[gf.Sheet]:
    sh = gf.Sheet("台账")
    sh.text(0, 0, f"{YEAR}年政务公开重点工作台账")
    for j, h in enumerate(["序号", "工作事项", "责任科室", "完成时限", "完成情况"]):
        sh.text(1, j, h)
    rows = [
        ("1", "更新政府信息公开指南", "办公室", f"{YEAR}年3月", "已完成"),
        ("2", "编制年度报告", "办公室", f"{YEAR + 1}年1月", "已完成"),
        ("3", "开展政务公开培训", "法规科", f"{YEAR}年6月", "已完成"),
        ("4", "规范依申请公开答复文书", "法规科", f"{YEAR}年9月", "推进中"),
    ]
    for i, row in enumerate(rows):
        for j, x in enumerate(row):
            if j == 0:
                sh.cells[(2 + i, 0)] = gf.Cell("n", int(x))
            else:
                sh.text(2 + i, j, x)
    return [sh]


ZIP_BOMB_DECLARED = 320 * 1024 * 1024


def zip_bomb() -> tuple[bytes, int]:
    """A well-formed .xlsx whose one sheet unpacks to ZIP_BOMB_DECLARED bytes: rows of zero cells,
    then one cell holding a run of '0' digits (a number, 0) long enough to reach the size. Runs
    of one byte deflate about 1000:1, so the file stays a few hundred KiB."""
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>').encode()
    head += b"".join(b'<row r="%d">' % r + b"<c><v>0</v></c>" * 16 + b"</row>" for r in range(1, 101))
    head += b'<row r="101"><c r="A101"><v>'
    tail = b"</v></c></row></sheetData></worksheet>"
    zeros = ZIP_BOMB_DECLARED - len(head) - len(tail)
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
    }
    out = io.BytesIO()
    date = gf.doc_date(YEAR).timetuple()[:6]
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, date_time=date)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode())
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=date)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.file_size = ZIP_BOMB_DECLARED
        with z.open(zi, "w") as f:
            f.write(head)
            chunk = b"0" * (1 << 20)
            left = zeros
            while left:
                k = min(left, len(chunk))
                f.write(chunk[:k])
                left -= k
            f.write(tail)
    data = out.getvalue()
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist() if i.filename.endswith("sheet1.xml")) == ZIP_BOMB_DECLARED
    assert len(data) < 1024 * 1024, len(data)
    return data, ZIP_BOMB_DECLARED


# ---------------------------------------------------------------------------------------------
# Outputs: roster, expected values, manifest
# ---------------------------------------------------------------------------------------------


def write_expected(path: Path, cases: list[Case]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "code", *FIELDS])
    for c in cases:
        if c.values is None:
            continue
        w.writerow([c.file, c.unit.code if c.unit else "", *(fmt_value(f, c.values[f]) for f in FIELDS)])
    path.write_text(buf.getvalue(), encoding="utf-8")


def manifest(title: str, intro: list[str], cases: list[Case]) -> str:
    lines = [f"# {title}", "", *intro, "", "| file | unit | case | expected |", "| --- | --- | --- | --- |"]
    for c in cases:
        unit = f"{c.unit.code} {c.unit.name}" if c.unit else "-"
        if c.unit and not c.roster:
            unit += " (not on the roster)"
        lines.append(f"| `{c.file}` | {unit} | {c.what} | {c.expect} |")
    return "\n".join(lines) + "\n"


def clean_dir(d: Path) -> None:
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)


def check_messy(cases: list[Case], out: Path, tmp: Path) -> None:
    """Opens every messy return with python-calamine (by its content, whatever its name): each is
    a real workbook, and its visible sheets hold the return's 填报单位 or table labels."""
    from python_calamine import CalamineWorkbook

    for c in cases:
        path = out / c.file
        data = path.read_bytes()
        if data.startswith(b"PK"):
            ext = "ods" if b"opendocument.spreadsheet" in data[:200] else "xlsx"
        else:
            ext = "xls"
        if "far-cell" in path.name:
            continue  # python-calamine would build the dense range up to the far cell
        probe = tmp / f"probe.{ext}"
        probe.write_bytes(data)
        wb = CalamineWorkbook.from_path(str(probe))
        texts = set()
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                texts |= {gf.norm(x) for x in row if isinstance(x, str)}
        assert "自然人" in texts and any("行政复议" in x for x in texts), (c.file, sorted(texts)[:20])
        probe.unlink()


def check_names(units: list[gf.Unit]) -> None:
    gf.check_unambiguous(units)
    assert len({u.code for u in units}) == len(units)


def generate(check: bool = True) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        clean_dir(OUT_MESSY)
        m = Messy(OUT_MESSY, tmp)
        m.generate()
        units = [c.unit for c in m.cases]
        check_names(units)
        write_roster(OUT_MESSY / "roster.csv", units)
        write_expected(OUT_MESSY / "expected.csv", m.cases)
        (OUT_MESSY / "MANIFEST.md").write_text(manifest(
            "Messy returns: what units really send, all of it readable",
            ["Generated by `scripts/gen_bad_fixtures.py` (do not edit by hand). Each file is one made-up",
             "unit's full return in the official layout, balanced, with one artefact that real units send.",
             "`roster.csv` lists the units; `expected.csv` the values each return was written with (empty:",
             "the value must come out null). Cell addresses are sheet!A1. Tested by `tests/messy.rs` and, in process, `crates/nianbao-read/tests/fixtures.rs`."],
            m.cases), encoding="utf-8")

        clean_dir(OUT_BAD)
        bad = Bad(OUT_BAD, tmp)
        bad.generate()
        named = [c.unit for c in bad.cases if c.unit] + bad.missing
        check_names(list({u.code: u for u in named}.values()) + units)
        write_expected(OUT_BAD / "expected.csv", bad.cases)
        missing = ", ".join(f"{u.code} {u.name}" for u in bad.missing)
        (OUT_BAD / "MANIFEST.md").write_text(manifest(
            "Bad returns: each gives exactly its stated result",
            ["Generated by `scripts/gen_bad_fixtures.py` (do not edit by hand). Top-level files are read one",
             "at a time (`nianbao check FILE`); `duplicate/` and `roster-gaps/` are consolidated as folders",
             "with their own `roster.csv`. `expected.csv` holds the values each return was written with,",
             "empty where the value must come out null. Tested by `tests/messy.rs` and, in process, `crates/nianbao-read/tests/fixtures.rs`.",
             "",
             f"`roster-gaps/roster.csv` also lists {missing}, which sent nothing: both `missing`, and the",
             "summary's coverage reads `1/3 单位`."],
            bad.cases), encoding="utf-8")
        if check:
            check_messy(m.cases, OUT_MESSY, tmp)
    n_m, n_b = len(m.cases), len(bad.cases)
    print(f"wrote {OUT_MESSY.relative_to(ROOT)} ({n_m} returns) and {OUT_BAD.relative_to(ROOT)} ({n_b} files)",
          file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-check", action="store_true", help="do not read the written files back")
    args = ap.parse_args()
    generate(check=not args.no_check)


if __name__ == "__main__":
    main()
