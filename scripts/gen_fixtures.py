#!/usr/bin/env python3
"""Generate the Jinshan fixtures: 42 units' returns whose sum is the district report.

Run from the repository root with the project venv:

    .venv/bin/python scripts/gen_fixtures.py            # writes fixtures/jinshan-2022 and -2021
    .venv/bin/python scripts/gen_fixtures.py --no-check # skip reading the files back

The seed's three statistical tables (fixtures/seed/jinshan-2022-report.txt) are parsed, checked
for balance and split among the district's 42 units so that every unit's return balances every
rule of fixtures/seed/return-format.md and the 42 returns add up to each of the seed's 200 values.
Each unit's return is written as .xlsx, .xls or .ods in the official layout with a deterministic
mix of layout variants and artefacts (listed in fixtures/jinshan-2022/MANIFEST.md). The output is
byte-identical from run to run: fixed RNG seeds, fixed document dates and zip timestamps.

The functions here are also used by scripts/bench.py to make synthetic returns.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
SEED_REPORT = ROOT / "fixtures" / "seed" / "jinshan-2022-report.txt"
OUT_2022 = ROOT / "fixtures" / "jinshan-2022"
OUT_2021 = ROOT / "fixtures" / "jinshan-2021"

SEED = 20230115


def doc_date(year: int) -> datetime:
    """The fixed creation date of a year's returns (they are filed in January of the next year)."""
    return datetime(year + 1, 1, 15)

# ---------------------------------------------------------------------------------------------
# The format (mirrors crates/nianbao-format/src/lib.rs: same ids, same official labels)
# ---------------------------------------------------------------------------------------------

DOC_COLS = [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")]
DEC_COLS = [("decisions", "本年处理决定数量")]
FEE_COLS = [("amount", "本年收费金额（单位：万元）")]

T2_TITLE = "二、主动公开政府信息情况"
T3_TITLE = "三、收到和处理政府信息公开申请情况"
T4_TITLE = "四、政府信息公开行政复议、行政诉讼情况"

# (block heading, columns, rows)
T2_BLOCKS = [
    ("第二十条第（一）项", DOC_COLS, [("regulations", "规章"), ("normative_docs", "行政规范性文件")]),
    ("第二十条第（五）项", DEC_COLS, [("licensing", "行政许可")]),
    ("第二十条第（六）项", DEC_COLS, [("penalty", "行政处罚"), ("coercion", "行政强制")]),
    ("第二十条第（八）项", FEE_COLS, [("fees", "行政事业性收费")]),
]
T2_CONTENT_HEADER = "信息内容"
FEES = "t2.fees.amount"

T3_COLS = [
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
]
T3_APPLICANT_COLS = [c for c, _ in T3_COLS[:6]]
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_BAND = "申请人情况"
T3_ORG_BAND = "法人或其他组织"
T3_RESULTS = "三、本年度办理结果"

# (id, official label, key for matching the seed's label)
T3_ROWS = [
    ("new", "一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量", "上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开", "予以公开"),
    ("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("withheld.state_secret", "1.属于国家秘密", "属于国家秘密"),
    ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", "其他法律行政法规禁止公开"),
    ("withheld.three_securities", "3.危及“三安全一稳定”", "危及三安全一稳定"),
    ("withheld.third_party", "4.保护第三方合法权益", "保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息", "属于三类内部事务信息"),
    ("withheld.process_info", "6.属于四类过程性信息", "属于四类过程性信息"),
    ("withheld.enforcement_file", "7.属于行政执法案卷", "属于行政执法案卷"),
    ("withheld.query_matter", "8.属于行政查询事项", "属于行政查询事项"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息", "本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作", "没有现成信息需要另行制作"),
    ("unavailable.still_unclear", "3.补正后申请内容仍不明确", "补正后申请内容仍不明确"),
    ("not_processed.petition", "1.信访举报投诉类申请", "信访举报投诉类申请"),
    ("not_processed.repeated", "2.重复申请", "重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物", "要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请", "无正当理由大量反复申请"),
    ("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", "要求行政机关确认或重新出具已获取信息"),
    ("other.no_supplement", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "申请人无正当理由逾期不补正"),
    ("other.fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "申请人逾期未按收费通知要求缴纳费用"),
    ("other.other", "3.其他", "其他"),
    ("total", "（七）总计", "总计"),
    ("carried_forward", "四、结转下年度继续办理", "结转下年度继续办理"),
]
T3_ROW_IDS = [r for r, _, _ in T3_ROWS]
T3_RESULT_ROWS = T3_ROW_IDS[2:23]  # granted … other.other (21 rows)
assert len(T3_RESULT_ROWS) == 21
# Sub-groups of the results: (label, first row index, last row index) within T3_ROWS.
T3_SUBGROUPS = [
    ("（三）不予公开", 4, 11),
    ("（四）无法提供", 12, 14),
    ("（五）不予处理", 15, 19),
    ("（六）其他处理", 20, 22),
]

T4_GROUPS = [("review", "行政复议"), ("suit_direct", "未经复议直接起诉"), ("suit_after_review", "复议后起诉")]
T4_SUIT_BAND = "行政诉讼"
T4_RESULTS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计")]


def t2_fields() -> list[str]:
    return [f"t2.{rid}.{cid}" for _, cols, rows in T2_BLOCKS for rid, _ in rows for cid, _ in cols]


def t3_fields() -> list[str]:
    return [f"t3.{r}.{c}" for r in T3_ROW_IDS for c, _ in T3_COLS]


def t4_fields() -> list[str]:
    return [f"t4.{g}.{r}" for g, _ in T4_GROUPS for r, _ in T4_RESULTS]


FIELDS = t2_fields() + t3_fields() + t4_fields()
assert len(FIELDS) == 200 and len(set(FIELDS)) == 200


def t3(r: str, c: str) -> str:
    return f"t3.{r}.{c}"


def t4(g: str, r: str) -> str:
    return f"t4.{g}.{r}"


def fmt_amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def parse_amount(text: str) -> int:
    d = Decimal(text)
    cents = d * 100
    assert cents == cents.to_integral_value(), text
    return int(cents)


# ---------------------------------------------------------------------------------------------
# Balance rules
# ---------------------------------------------------------------------------------------------


def violations(ret: dict[str, int]) -> list[str]:
    """Every rule of the spec that the return breaks (an empty list for a balanced return)."""
    out = []
    for f in FIELDS:
        if ret[f] < 0:
            out.append(f"{f} < 0")
    for c, _ in T3_COLS:
        lhs = ret[t3("new", c)] + ret[t3("carried_over", c)]
        rhs = ret[t3("total", c)] + ret[t3("carried_forward", c)]
        if lhs != rhs:
            out.append(f"official rule, column {c}: {lhs} != {rhs}")
        s = sum(ret[t3(r, c)] for r in T3_RESULT_ROWS)
        if s != ret[t3("total", c)]:
            out.append(f"rule 1, column {c}: sum {s} != total {ret[t3('total', c)]}")
    for r in T3_ROW_IDS:
        s = sum(ret[t3(r, c)] for c in T3_APPLICANT_COLS)
        if s != ret[t3(r, "total")]:
            out.append(f"rule 2, row {r}: sum {s} != total {ret[t3(r, 'total')]}")
    for g, _ in T4_GROUPS:
        s = sum(ret[t4(g, r)] for r, _ in T4_RESULTS[:4])
        if s != ret[t4(g, "total")]:
            out.append(f"rule 3, group {g}: sum {s} != total {ret[t4(g, 'total')]}")
    return out


def complete_totals(ret: dict[str, int]) -> None:
    """Fills the total row, the total column and table 4's totals from the other values."""
    for r in T3_ROW_IDS:
        if r != "total":
            ret[t3(r, "total")] = sum(ret[t3(r, c)] for c in T3_APPLICANT_COLS)
    for c, _ in T3_COLS:
        ret[t3("total", c)] = sum(ret[t3(r, c)] for r in T3_RESULT_ROWS)
    for g, _ in T4_GROUPS:
        ret[t4(g, "total")] = sum(ret[t4(g, r)] for r, _ in T4_RESULTS[:4])


def empty_return() -> dict[str, int]:
    return {f: 0 for f in FIELDS}


# ---------------------------------------------------------------------------------------------
# The seed
# ---------------------------------------------------------------------------------------------

_NUM = re.compile(r"^\d+(\.\d+)?$")
_FOLD = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)})


def norm(s: str) -> str:
    s = s.translate(_FOLD)
    return re.sub(r"[\s\"“”]", "", s)


def parse_seed(path: Path = SEED_REPORT) -> dict[str, int]:
    """The district totals: the seed's tables 二, 三 and 四 as a return."""
    lines = path.read_text(encoding="utf-8").splitlines()

    def section(title: str, next_title: str) -> list[str]:
        start = lines.index(title)
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(next_title))
        return lines[start + 1 : end]

    ret = empty_return()
    seen = set()
    # Table 2: a row label in the first column, then its values.
    t2_rows = {label: (rid, cols) for _, cols, rows in T2_BLOCKS for rid, label in rows}
    for line in section(T2_TITLE, "三、"):
        cells = line.split("\t")
        label = cells[0].strip()
        if label not in t2_rows:
            continue
        rid, cols = t2_rows[label]
        nums = [x.strip() for x in cells[1:] if x.strip()]
        assert len(nums) == len(cols), line
        for (cid, _), v in zip(cols, nums):
            fid = f"t2.{rid}.{cid}"
            ret[fid] = parse_amount(v) if fid == FEES else int(v)
            seen.add(fid)
    # Table 3: the rows with numbers, in order; the last 7 numbers of a row are its values (the
    # rows have varying numbers of leading tabs, the 总计 row lacks （七）, "3.其他" is shifted).
    t3_lines = []
    for line in section(T3_TITLE, "四、政府信息公开行政复议"):
        cells = [x.strip() for x in line.split("\t")]
        nums = [x for x in cells if _NUM.match(x)]
        if len(nums) >= 7:
            label = norm("".join(x for x in cells if x and not _NUM.match(x)))
            t3_lines.append((label, [int(x) for x in nums[-7:]]))
    assert len(t3_lines) == 25, f"seed table 3 has {len(t3_lines)} rows with values"
    for (rid, _, key), (label, nums) in zip(T3_ROWS, t3_lines):
        assert key in label, (rid, key, label)
        for (cid, _), v in zip(T3_COLS, nums):
            ret[t3(rid, cid)] = v
            seen.add(t3(rid, cid))
    # Table 4: the one row of 15 numbers.
    rows4 = []
    for line in section(T4_TITLE, "五、"):
        cells = [x.strip() for x in line.split("\t")]
        if cells and all(_NUM.match(x) for x in cells) and len(cells) == 15:
            rows4.append([int(x) for x in cells])
    assert len(rows4) == 1, rows4
    for f, v in zip(t4_fields(), rows4[0]):
        ret[f] = v
        seen.add(f)
    assert seen == set(FIELDS), set(FIELDS) - seen
    bad = violations(ret)
    assert not bad, f"the seed does not balance: {bad}"
    return ret


# ---------------------------------------------------------------------------------------------
# The units
# ---------------------------------------------------------------------------------------------


@dataclass
class Unit:
    code: str
    name: str
    aliases: list[str]
    kind: str  # town | department
    short: str  # the 区… form, used for file names and weights

    def all_names(self) -> list[str]:
        return [self.name] + self.aliases


TOWNS = ["朱泾镇", "枫泾镇", "张堰镇", "亭林镇", "吕巷镇", "廊下镇", "金山卫镇", "漕泾镇", "山阳镇"]

# (区… form, extra abbreviations)
DEPARTMENTS = [
    ("区发展和改革委员会", ["区发改委", "发改委"]),
    ("区经济委员会", ["区经委", "经委"]),
    ("区教育局", []),
    ("区科学技术委员会", ["区科委", "科委"]),
    ("区民政局", []),
    ("区司法局", []),
    ("区财政局", []),
    ("区人力资源和社会保障局", ["区人社局", "人社局"]),
    ("区规划和自然资源局", ["区规划资源局", "规划资源局"]),
    ("区生态环境局", []),
    ("区建设和管理委员会", ["区建管委", "建管委"]),
    ("区交通委员会", ["区交通委", "交通委"]),
    ("区农业农村委员会", ["区农业农村委", "农业农村委"]),
    ("区水务局", []),
    ("区文化和旅游局", ["区文旅局", "文旅局"]),
    ("区卫生健康委员会", ["区卫健委", "卫健委"]),
    ("区退役军人事务局", ["退役军人局"]),
    ("区应急管理局", ["区应急局", "应急局"]),
    ("区审计局", []),
    ("区国有资产监督管理委员会", ["区国资委", "国资委"]),
    ("区市场监督管理局", ["区市场监管局", "市场监管局"]),
    ("区统计局", []),
    ("区医疗保障局", ["区医保局", "医保局"]),
    ("区绿化和市容管理局", ["区绿化市容局", "绿化市容局"]),
    ("区房屋管理局", ["区房管局", "房管局"]),
    ("区体育局", []),
    ("区民防办公室", ["区民防办", "民防办"]),
    ("区商务委员会", ["区商务委", "商务委"]),
    ("区政府办公室", ["区府办", "金山区人民政府办公室", "上海市金山区人民政府办公室"]),  # no bare 政府办公室
    ("区城市管理行政执法局", ["区城管执法局", "城管执法局"]),
    ("区信访办公室", ["区信访办", "信访办"]),
]


def make_units() -> list[Unit]:
    units = [
        Unit("U01", "石化街道", ["石化", "金山区石化街道", "石化街道办事处", "上海市金山区石化街道办事处"], "town", "石化街道")
    ]
    for i, town in enumerate(TOWNS):
        stem = town[:-1]
        units.append(
            Unit(f"U{i + 2:02d}", town, [stem, f"金山区{town}", f"{town}人民政府", f"上海市金山区{town}人民政府"], "town", town)
        )
    units.append(Unit("U11", "金山工业区", ["工业区", "金山工业区管委会", "上海金山工业区管理委员会"], "town", "金山工业区"))
    for i, (short, extra) in enumerate(DEPARTMENTS):
        bare = short[1:]  # 教育局
        aliases = [short, *extra]
        if short == "区政府办公室":
            pass  # 政府办公室 alone would also name a town government's office
        else:
            aliases += [bare, f"上海市金山{short}"]
        units.append(Unit(f"U{i + 12:02d}", f"金山{short}", list(dict.fromkeys(aliases)), "department", short))
    assert len(units) == 42
    check_unambiguous(units)
    return units


def check_unambiguous(units: list[Unit]) -> None:
    """No name or alias of a unit may occur inside another unit's name or alias."""
    for a in units:
        for b in units:
            if a is b:
                continue
            for x in a.all_names():
                for y in b.all_names():
                    assert x not in y, f"alias {x!r} of {a.code} occurs in {y!r} of {b.code}"


def units_named_in(text: str, units: list[Unit]) -> set[str]:
    return {u.code for u in units if any(x in text for x in u.all_names())}


def write_roster(path: Path, units: list[Unit]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name", "aliases", "kind"])
    for u in units:
        w.writerow([u.code, u.name, ";".join(u.aliases), u.kind])
    path.write_text(buf.getvalue(), encoding="utf-8")


# Relative weights for dealing the district totals (by the unit's 区… form); absent means 0.
W_APPLICATIONS = {
    "区规划和自然资源局": 30, "区房屋管理局": 24, "区政府办公室": 8, "区建设和管理委员会": 9,
    "区市场监督管理局": 8, "区生态环境局": 5, "区交通委员会": 4, "区人力资源和社会保障局": 4,
    "区教育局": 4, "区城市管理行政执法局": 4, "区卫生健康委员会": 3, "区农业农村委员会": 3,
    "区民政局": 2, "区水务局": 2, "区绿化和市容管理局": 2, "区发展和改革委员会": 2, "区财政局": 2,
    "区经济委员会": 1, "区商务委员会": 1, "区应急管理局": 1, "区司法局": 1, "区文化和旅游局": 1,
    "区医疗保障局": 1, "区退役军人事务局": 1,
    "朱泾镇": 5, "枫泾镇": 4, "张堰镇": 3, "亭林镇": 4, "吕巷镇": 2, "廊下镇": 1, "金山卫镇": 4,
    "漕泾镇": 3, "山阳镇": 5, "石化街道": 3, "金山工业区": 2,
}
W_NORMATIVE = {
    "区政府办公室": 20, "区规划和自然资源局": 8, "区房屋管理局": 6, "区人力资源和社会保障局": 6,
    "区民政局": 5, "区教育局": 5, "区卫生健康委员会": 4, "区发展和改革委员会": 4, "区财政局": 4,
    "区农业农村委员会": 4, "区建设和管理委员会": 3, "区经济委员会": 3, "区医疗保障局": 2,
    "区交通委员会": 2, "区科学技术委员会": 2,
}
W_LICENSING = {
    "区市场监督管理局": 40, "区规划和自然资源局": 10, "区建设和管理委员会": 8, "区卫生健康委员会": 7,
    "区交通委员会": 5, "区生态环境局": 3, "区教育局": 2, "区文化和旅游局": 2, "区农业农村委员会": 3,
    "区水务局": 2, "区绿化和市容管理局": 3, "区民政局": 1, "区人力资源和社会保障局": 2,
    "区房屋管理局": 2, "区商务委员会": 1, "区应急管理局": 1, "区民防办公室": 1, "区体育局": 0.3,
    "区城市管理行政执法局": 1,
}
W_PENALTY = {
    "区城市管理行政执法局": 20, "区市场监督管理局": 12, "区生态环境局": 5, "区交通委员会": 8,
    "区卫生健康委员会": 4, "区规划和自然资源局": 2, "区应急管理局": 3, "区文化和旅游局": 1,
    "区农业农村委员会": 1, "区水务局": 1, "区绿化和市容管理局": 2, "区人力资源和社会保障局": 1,
    "区建设和管理委员会": 2, "区房屋管理局": 1, "区医疗保障局": 0.5,
    "朱泾镇": 2, "枫泾镇": 2, "张堰镇": 1, "亭林镇": 2, "吕巷镇": 1, "廊下镇": 1, "金山卫镇": 2,
    "漕泾镇": 1, "山阳镇": 2, "石化街道": 2, "金山工业区": 1,
}
W_COERCION = {
    "区城市管理行政执法局": 6, "区市场监督管理局": 4, "区生态环境局": 2, "区卫生健康委员会": 1,
    "区交通委员会": 1, "山阳镇": 1, "朱泾镇": 1,
}
W_FEES = {
    "区规划和自然资源局": 20, "区房屋管理局": 12, "区民防办公室": 10, "区教育局": 8,
    "区绿化和市容管理局": 6, "区卫生健康委员会": 4, "区交通委员会": 4, "区市场监督管理局": 3,
    "区建设和管理委员会": 4, "区水务局": 3, "区生态环境局": 2, "区人力资源和社会保障局": 1,
    "区民政局": 1, "区司法局": 1, "区体育局": 0.5,
}


def weights(units: list[Unit], table: dict[str, float]) -> list[float]:
    return [float(table.get(u.short, 0)) for u in units]


def split_int(total: int, ws: list[float], rng: random.Random, jitter: float = 0.6) -> list[int]:
    """A random split of `total` into integers, roughly in proportion to `ws` (0 weight gets 0)."""
    w = [x * rng.uniform(1 - jitter, 1 + jitter) if x > 0 else 0.0 for x in ws]
    s = sum(w)
    if total == 0:
        return [0] * len(w)
    assert s > 0
    raw = [total * x / s for x in w]
    base = [int(x) for x in raw]
    rest = total - sum(base)
    order = sorted(range(len(w)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    assert sum(base) == total
    return base


def deal(n: int, ws: list[float], rng: random.Random) -> list[int]:
    """Deals `n` single items to units with probabilities `ws`."""
    out = [0] * len(ws)
    idx = list(range(len(ws)))
    for _ in range(n):
        out[rng.choices(idx, ws)[0]] += 1
    return out


def deal_district(district: dict[str, int], units: list[Unit], rng: random.Random) -> list[dict[str, int]]:
    """Splits the district totals into one balanced return per unit."""
    n = len(units)
    rets = [empty_return() for _ in units]

    # Table 2. Normative documents: in_force first; then issued ≤ in_force per unit (this year's
    # documents are in force), so last year's in_force = in_force − issued + repealed ≥ 0.
    for rid in ("regulations", "normative_docs"):
        w = weights(units, W_NORMATIVE)
        in_force = split_int(district[f"t2.{rid}.in_force"], w, rng)
        issued = [0] * n
        for _ in range(district[f"t2.{rid}.issued"]):
            cand = [i for i in range(n) if in_force[i] > issued[i]]
            i = rng.choices(cand, [in_force[j] - issued[j] for j in cand])[0]
            issued[i] += 1
        holders = [i for i in range(n) if in_force[i] > 0]
        repealed = [0] * n
        for _ in range(district[f"t2.{rid}.repealed"]):
            repealed[rng.choice(holders)] += 1
        for i in range(n):
            rets[i][f"t2.{rid}.in_force"] = in_force[i]
            rets[i][f"t2.{rid}.issued"] = issued[i]
            rets[i][f"t2.{rid}.repealed"] = repealed[i]
    for rid, table in (("licensing", W_LICENSING), ("penalty", W_PENALTY), ("coercion", W_COERCION)):
        fid = f"t2.{rid}.decisions"
        for i, v in enumerate(split_int(district[fid], weights(units, table), rng)):
            rets[i][fid] = v
    for i, v in enumerate(split_int(district[FEES], weights(units, W_FEES), rng)):
        rets[i][FEES] = v

    # Table 3: per column, the applications (one per result, one per carried-forward case), of
    # which exactly `new` are new and `carried_over` carried over, dealt one by one to units.
    w = weights(units, W_APPLICATIONS)
    idx = list(range(n))
    for c in T3_APPLICANT_COLS:
        items = [r for r in T3_RESULT_ROWS for _ in range(district[t3(r, c)])]
        items += ["carried_forward"] * district[t3("carried_forward", c)]
        n_new, n_co = district[t3("new", c)], district[t3("carried_over", c)]
        assert len(items) == n_new + n_co
        rng.shuffle(items)
        carried = set(rng.sample(range(len(items)), n_co))
        for k, outcome in enumerate(items):
            i = rng.choices(idx, w)[0]
            rets[i][t3(outcome, c)] += 1
            rets[i][t3("carried_over" if k in carried else "new", c)] += 1

    # Table 4: each case to a department that receives applications.
    deps = [i for i in range(n) if units[i].kind == "department" and w[i] > 0]
    for g, _ in T4_GROUPS:
        for r, _ in T4_RESULTS[:4]:
            for _ in range(district[t4(g, r)]):
                rets[rng.choices(deps, [w[i] for i in deps])[0]][t4(g, r)] += 1

    for ret in rets:
        complete_totals(ret)
        assert not violations(ret), violations(ret)
    for f in FIELDS:
        assert sum(r[f] for r in rets) == district[f], f
    return rets


def make_previous_year(rets: list[dict[str, int]], rng: random.Random) -> list[dict[str, int]]:
    """Each unit's 2021 return, consistent with 2022 across years, balanced, values made up."""
    # Outcome mix per column, from the 2022 district column (natural persons' for empty columns).
    district = {f: sum(r[f] for r in rets) for f in FIELDS}

    def mix(c: str) -> list[float]:
        m = [district[t3(r, c)] for r in T3_RESULT_ROWS]
        if sum(m) == 0:
            m = [district[t3(r, "natural_person")] for r in T3_RESULT_ROWS]
        return [x + 0.15 for x in m]  # a little of everything

    out = []
    for cur in rets:
        prev = empty_return()
        for rid in ("regulations", "normative_docs"):
            in_force = cur[f"t2.{rid}.in_force"] - cur[f"t2.{rid}.issued"] + cur[f"t2.{rid}.repealed"]
            assert in_force >= 0
            issued = min(in_force, int(in_force * rng.uniform(0, 0.35)))
            repealed = rng.randint(0, 2) if in_force > 3 else 0
            prev[f"t2.{rid}.in_force"] = in_force
            prev[f"t2.{rid}.issued"] = issued
            prev[f"t2.{rid}.repealed"] = repealed
        for rid in ("licensing", "penalty", "coercion"):
            fid = f"t2.{rid}.decisions"
            prev[fid] = round(cur[fid] * rng.uniform(0.75, 1.2))
        prev[FEES] = round(cur[FEES] * rng.uniform(0.8, 1.2))
        active = cur[t3("total", "total")] + cur[t3("carried_forward", "total")] > 0
        for c in T3_APPLICANT_COLS:
            cf = cur[t3("carried_over", c)]  # rule 5: last year's carried_forward
            new = round(cur[t3("new", c)] * rng.uniform(0.6, 1.3))
            if active and c == "natural_person" and new == 0 and rng.random() < 0.5:
                new = rng.randint(1, 3)
            co = 0
            if new > 4 and rng.random() < 0.3:
                co = rng.randint(1, 2)
            new = max(new, cf - co)
            prev[t3("new", c)] = new
            prev[t3("carried_over", c)] = co
            prev[t3("carried_forward", c)] = cf
            for r, v in zip(T3_RESULT_ROWS, deal(new + co - cf, mix(c), rng)):
                prev[t3(r, c)] = v
        out.append(prev)
    # Table 4: a few made-up cases at departments that get many applications.
    busy = sorted(range(len(rets)), key=lambda i: -rets[i][t3("new", "total")])[:6]
    for g, r, k in (("review", "upheld", 2), ("review", "corrected", 1), ("review", "other", 1),
                    ("suit_direct", "upheld", 1), ("suit_after_review", "other", 1)):
        for _ in range(k):
            out[rng.choice(busy)][t4(g, r)] += 1
    for prev, cur in zip(out, rets):
        complete_totals(prev)
        assert not violations(prev), violations(prev)
        for c in T3_APPLICANT_COLS + ["total"]:
            assert prev[t3("carried_forward", c)] == cur[t3("carried_over", c)]
        for rid in ("regulations", "normative_docs"):
            assert cur[f"t2.{rid}.in_force"] == (
                prev[f"t2.{rid}.in_force"] + cur[f"t2.{rid}.issued"] - cur[f"t2.{rid}.repealed"]
            )
    return out


def synthetic_return(rng: random.Random) -> dict[str, int]:
    """A made-up balanced return (for benchmarks): a unit of random size."""
    ret = empty_return()
    size = rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 15, 40])
    in_force = rng.randint(0, 3 * size)
    ret["t2.normative_docs.in_force"] = in_force
    ret["t2.normative_docs.issued"] = rng.randint(0, in_force)
    ret["t2.normative_docs.repealed"] = rng.randint(0, 2)
    for rid, scale in (("licensing", 400), ("penalty", 120), ("coercion", 3)):
        ret[f"t2.{rid}.decisions"] = rng.randint(0, scale * size) if rng.random() < 0.6 else 0
    if rng.random() < 0.35:
        ret[FEES] = rng.randint(0, 2_000_000)
    m = [30, 3, 0.2, 0.2, 0.2, 2, 0.5, 0.5, 1, 0.2, 20, 5, 0.5, 0.5, 1, 0.2, 0.2, 0.5, 4, 0.2, 8]
    for c, share in zip(T3_APPLICANT_COLS, (1.0, 0.35, 0.02, 0.02, 0.03, 0.15)):
        new = int(rng.expovariate(1.0) * size * 6 * share)
        co = rng.randint(0, 2) if size and rng.random() < 0.2 else 0
        cf = rng.randint(0, min(2, new + co)) if rng.random() < 0.3 else 0
        ret[t3("new", c)], ret[t3("carried_over", c)], ret[t3("carried_forward", c)] = new, co, cf
        for r, v in zip(T3_RESULT_ROWS, deal(new + co - cf, m, rng)):
            ret[t3(r, c)] = v
    if size >= 5 and rng.random() < 0.3:
        for g, _ in T4_GROUPS:
            for r, _ in T4_RESULTS[:4]:
                ret[t4(g, r)] = rng.choice([0, 0, 0, 1])
    complete_totals(ret)
    assert not violations(ret)
    return ret


# ---------------------------------------------------------------------------------------------
# The sheet model: cells and merges, written by three back ends
# ---------------------------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "s" text, "n" number (int, or Decimal for the fee amount), "f" SUM formula
    value: object
    rng: tuple[int, int, int, int] | None = None  # formula range (r1, c1, r2, c2)
    fid: str | None = None  # the field this cell holds, if any


@dataclass(eq=False)
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def text(self, r: int, c: int, s: str) -> None:
        self.cells[(r, c)] = Cell("s", s)

    def dims(self) -> tuple[int, int]:
        pts = list(self.cells) + [(m[2], m[3]) for m in self.merges]
        if not pts:
            return 0, 0
        return max(p[0] for p in pts) + 1, max(p[1] for p in pts) + 1


def col_letters(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(r: int, c: int) -> str:
    return f"{col_letters(c)}{r + 1}"


# ---------------------------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------------------------

NOISE_FLAGS = ["halfwidth", "spaces", "linebreak", "total_no_qi", "other_shifted", "t4_space"]
TEXT_STYLES = ["plain", "thousands", "fullwidth", "spaces"]
FORMULA_KINDS = ["t3_rows", "t3_total_row", "t4_totals"]


@dataclass
class Variant:
    fmt: str  # xlsx | xls | ods
    layout: str = "one"  # one sheet | three sheets
    sheet_names: tuple[str, ...] = ("Sheet1",)
    extra_sheets: bool = False
    starts: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    gaps: tuple[int, int] = (1, 1)
    merged: bool = True
    title: bool = False
    notes: bool = False
    unit_id: str = "cell"  # cell | split | none
    unit_text: str = ""
    date_cell: bool = False
    noise: tuple[str, ...] = ()
    text_styles: tuple[str, ...] = ()
    text_share: float = 0.0
    blank_zeros: bool = False
    formulas: tuple[str, ...] = ()
    fees_text: bool = False
    year: int = 2022
    filename: str = ""


def describe(v: Variant) -> dict[str, str]:
    starts = " ".join(f"{r},{c}" for r, c in v.starts)
    sheets = "1 sheet" if v.layout == "one" else "3 sheets " + "/".join(v.sheet_names)
    if v.extra_sheets:
        sheets += " +empty sheets"
    extras = [x for x, on in (("title", v.title), ("notes", v.notes), ("date", v.date_cell)) if on]
    unit = {"cell": "`填报单位：X`", "split": "`填报单位：` + X", "none": "file name only"}[v.unit_id]
    nums = []
    if v.text_styles:
        nums.append("text " + "/".join(v.text_styles) + f" ({int(v.text_share * 100)}%)")
    if v.fees_text:
        nums.append("fees as text")
    return {
        "sheets": sheets,
        "start": starts,
        "merged": "merged" if v.merged else "unmerged",
        "extras": ", ".join(extras) or "-",
        "unit": unit + (f" `{v.unit_text}`" if v.unit_id != "none" else ""),
        "noise": ", ".join(v.noise) or "-",
        "numbers": "; ".join(nums) or "numeric",
        "formulas": ", ".join(v.formulas) or "-",
        "blanks": "zeros blank" if v.blank_zeros else "-",
    }


def balanced_flags(n: int, share: float, rng: random.Random) -> list[bool]:
    k = max(1, round(n * share)) if share > 0 else 0
    flags = [True] * k + [False] * (n - k)
    rng.shuffle(flags)
    return flags


THREE_SHEET_NAMES = [("表二", "表三", "表四"), ("主动公开", "依申请公开", "复议诉讼"), ("表2", "表3", "表4"),
                     ("主动公开情况", "收到和处理申请情况", "行政复议诉讼情况")]

GENERIC_NAMES = ["附件2", "统计表", "新建 Microsoft Excel 工作表", "年报统计表（终稿）", "2022年度报告统计表", "附件-统计表格"]


def file_name(u: Unit, pattern: int, year: int, ext: str) -> str:
    patterns = [
        f"{u.code}_{u.short}_{year}年政务公开年报统计表",
        f"{u.name}{year}年报",
        f"{u.name}",
        f"{year}年{u.aliases[0]}政府信息公开工作年度报告统计表",
        f"{u.aliases[-1]}-政府信息公开年报（{year}）",
        f"{u.code}-{u.aliases[0]}",
    ]
    return f"{patterns[pattern]}.{ext}"


def plan_variants(units: list[Unit], rets: list[dict[str, int]], rng: random.Random, year: int = 2022) -> list[Variant]:
    """One variant per unit: 20 .xlsx, 12 .xls, 10 .ods, features balanced within each format."""
    fmts = ["xlsx"] * 20 + ["xls"] * 12 + ["ods"] * 10
    rng.shuffle(fmts)
    variants = [Variant(fmt=f, year=year) for f in fmts]
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fmts):
        groups.setdefault(f, []).append(i)

    def assign(attr_share: list[tuple[str, float]], only: tuple[str, ...] = ("xlsx", "xls", "ods")):
        for f in only:
            ids = groups[f]
            for attr, share in attr_share:
                for i, on in zip(ids, balanced_flags(len(ids), share, rng)):
                    yield i, attr, on

    for i, attr, on in assign([("three", 0.45), ("merged", 0.6), ("title", 0.5), ("notes", 0.4),
                               ("blank_zeros", 0.35), ("text", 0.4), ("date_cell", 0.3),
                               ("extra_sheets", 0.15)]):
        v = variants[i]
        if attr == "three":
            v.layout = "three" if on else "one"
        elif attr == "text":
            if on:
                k = rng.randint(1, 3)
                v.text_styles = tuple(sorted(rng.sample(TEXT_STYLES, k), key=TEXT_STYLES.index))
                v.text_share = rng.choice([0.2, 0.35, 0.6])
        else:
            setattr(v, attr, on)
    for i, attr, on in assign([("formulas", 0.55)], only=("xlsx", "ods")):
        if on:
            k = rng.randint(1, 3)
            variants[i].formulas = tuple(sorted(rng.sample(FORMULA_KINDS, k), key=FORMULA_KINDS.index))
    for flag in NOISE_FLAGS:
        for i, _, on in assign([(flag, 0.3)]):
            if on:
                variants[i].noise += (flag,)
    # How the unit is named: spread evenly over the formats.
    modes = ["cell", "split", "none"]
    for f, ids in groups.items():
        order = ids[:]
        rng.shuffle(order)
        for k, i in enumerate(order):
            variants[i].unit_id = modes[k % 3]

    generic = GENERIC_NAMES[:]
    rng.shuffle(generic)
    for v, u in zip(variants, units):
        if v.layout == "three":
            v.sheet_names = rng.choice(THREE_SHEET_NAMES)
            v.starts = [(rng.randint(0, 6), rng.randint(0, 3)) for _ in range(3)]
        else:
            v.sheet_names = (rng.choice(["Sheet1", "统计表", "年报统计表", f"{year}年"]),)
            v.starts = [(rng.randint(0, 6), rng.randint(0, 3))]
        v.gaps = (rng.randint(1, 3), rng.randint(1, 3))
        if u.short == "区教育局":  # return-format.md's example of a unit cell
            v.unit_text = "上海市金山区教育局"
        else:
            v.unit_text = rng.choice(u.all_names())
        ret = rets[units.index(u)]
        v.fees_text = ret[FEES] > 0 and rng.random() < 0.3
        if v.text_styles and "thousands" not in v.text_styles and max(ret[f] for f in FIELDS if f != FEES) >= 1000:
            v.text_styles = tuple(sorted(v.text_styles + ("thousands",), key=TEXT_STYLES.index))
        if v.unit_id != "none" and generic and rng.random() < 0.25:
            v.filename = f"{generic.pop()}.{v.fmt}"
        else:
            v.filename = file_name(u, rng.randrange(6), year, v.fmt)
    return variants


def random_variant(rng: random.Random, fmt: str, unit_text: str, year: int = 2022) -> Variant:
    """A single random variant (for benchmarks)."""
    v = Variant(fmt=fmt, year=year, unit_text=unit_text)
    v.layout = "three" if rng.random() < 0.45 else "one"
    v.sheet_names = rng.choice(THREE_SHEET_NAMES) if v.layout == "three" else ("Sheet1",)
    v.starts = [(rng.randint(0, 6), rng.randint(0, 3)) for _ in range(3 if v.layout == "three" else 1)]
    v.gaps = (rng.randint(1, 3), rng.randint(1, 3))
    v.merged = rng.random() < 0.6
    v.title = rng.random() < 0.5
    v.notes = rng.random() < 0.4
    v.unit_id = rng.choice(["cell", "split", "none"])
    v.noise = tuple(f for f in NOISE_FLAGS if rng.random() < 0.3)
    if rng.random() < 0.4:
        v.text_styles = tuple(sorted(rng.sample(TEXT_STYLES, rng.randint(1, 3)), key=TEXT_STYLES.index))
        v.text_share = rng.choice([0.2, 0.35, 0.6])
    v.blank_zeros = rng.random() < 0.35
    if fmt != "xls" and rng.random() < 0.55:
        v.formulas = tuple(f for f in FORMULA_KINDS if rng.random() < 0.6) or ("t3_rows",)
    v.fees_text = rng.random() < 0.2
    return v


# ---------------------------------------------------------------------------------------------
# Building a return's sheets
# ---------------------------------------------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def text_number(v: int, style: str, rng: random.Random) -> str:
    if style == "thousands":
        return f"{v:,}"
    if style == "fullwidth":
        return str(v).translate(FULLWIDTH)
    if style == "spaces":
        return rng.choice([f" {v} ", f"{v} ", f"  {v}", f" {v}"])
    return str(v)


class Builder:
    def __init__(self, ret: dict[str, int], v: Variant, rng: random.Random):
        self.ret, self.v, self.rng = ret, v, rng
        self.sheets: list[Sheet] = []
        self.where: dict[str, tuple[int, int, int]] = {}

    # Labels, with the variant's noise.
    def label(self, text: str, long_ok: bool = True) -> str:
        v, rng = self.v, self.rng
        if "halfwidth" in v.noise:
            text = text.replace("（", "(").replace("）", ")")
        if "linebreak" in v.noise and long_ok and len(text) >= 14 and rng.random() < 0.7:
            mid = len(text) // 2
            cut = next((i + 1 for i in range(mid, len(text) - 2) if text[i] in "，、,"), mid)
            text = text[:cut] + "\n" + text[cut:]
        if "spaces" in v.noise and rng.random() < 0.35:
            m = re.match(r"^([（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|\d\.)", text)
            how = rng.randrange(3)
            if how == 0 and m:
                text = text[: m.end()] + " " + text[m.end():]
            elif how == 1:
                text = rng.choice([" ", "  ", "\u3000"]) + text
            else:
                text = text + rng.choice([" ", "  "])
        return text

    def merge(self, sh: Sheet, r1: int, c1: int, r2: int, c2: int, text: str | None) -> None:
        if text is not None:
            sh.text(r1, c1, text)
        if self.v.merged and (r1, c1) != (r2, c2):
            sh.merges.append((r1, c1, r2, c2))

    def value(self, sh: Sheet, r: int, c: int, fid: str) -> None:
        self.where[fid] = (self.sheets.index(sh), r, c)
        v = self.ret[fid]
        sh.cells[(r, c)] = Cell("n", Decimal(v) / 100 if fid == FEES else v, fid=fid)

    def formula(self, sh: Sheet, r: int, c: int, fid: str, rng_: tuple[int, int, int, int]) -> None:
        self.where[fid] = (self.sheets.index(sh), r, c)
        sh.cells[(r, c)] = Cell("f", self.ret[fid], rng=rng_, fid=fid)

    def new_sheet(self, name: str) -> Sheet:
        sh = Sheet(name)
        self.sheets.append(sh)
        return sh

    # Header rows above the tables.
    def heads(self, sh: Sheet, r: int, c: int) -> int:
        v = self.v
        if v.title:
            self.merge(sh, r, c, r, c + 9, f"{v.year}年政府信息公开工作年度报告统计表")
            r += 1
        if v.unit_id == "cell":
            self.merge(sh, r, c, r, c + 3, f"填报单位：{v.unit_text}")
        elif v.unit_id == "split":
            sh.text(r, c, "填报单位：")
            self.merge(sh, r, c + 1, r, c + 3, v.unit_text)
        if v.date_cell:
            self.merge(sh, r, c + 6, r, c + 8, f"填报日期：{v.year + 1}年1月{self.rng.randint(5, 20)}日")
        if v.unit_id != "none" or v.date_cell:
            r += 1
        return r + (1 if v.title or v.unit_id != "none" or v.date_cell else 0)

    def notes(self, sh: Sheet, r: int, c: int) -> None:
        y = self.v.year
        sh.text(r + 1, c, f"注：统计期限为{y}年1月1日至{y}年12月31日。")
        sh.text(r + 2, c, "填表人：王某某")
        sh.text(r + 2, c + 4, "联系电话：021-57921234")

    def table2(self, sh: Sheet, r: int, c: int) -> int:
        sh.text(r, c, self.label(T2_TITLE, False))
        r += 1
        for block, cols, rows in T2_BLOCKS:
            self.merge(sh, r, c, r, c + 3, self.label(block))
            r += 1
            sh.text(r, c, self.label(T2_CONTENT_HEADER))
            if len(cols) == 3:
                for j, (_, cl) in enumerate(cols):
                    sh.text(r, c + 1 + j, self.label(cl))
            else:
                self.merge(sh, r, c + 1, r, c + 3, self.label(cols[0][1]))
            r += 1
            for rid, rl in rows:
                sh.text(r, c, self.label(rl))
                if len(cols) == 3:
                    for j, (cid, _) in enumerate(cols):
                        self.value(sh, r, c + 1 + j, f"t2.{rid}.{cid}")
                else:
                    self.value(sh, r, c + 1, f"t2.{rid}.{cols[0][0]}")
                    self.merge(sh, r, c + 1, r, c + 3, None)
                r += 1
        return r

    def table3(self, sh: Sheet, r: int, c: int) -> int:
        v = self.v
        sh.text(r, c, self.label(T3_TITLE, False))
        h = r + 1
        self.merge(sh, h, c, h + 2, c + 2, self.label(T3_CORNER))
        self.merge(sh, h, c + 3, h, c + 9, self.label(T3_BAND))
        self.merge(sh, h + 1, c + 3, h + 2, c + 3, self.label(T3_COLS[0][1]))
        self.merge(sh, h + 1, c + 4, h + 1, c + 8, self.label(T3_ORG_BAND))
        self.merge(sh, h + 1, c + 9, h + 2, c + 9, self.label(T3_COLS[6][1]))
        for j in range(1, 6):
            sh.text(h + 2, c + 3 + j, self.label(T3_COLS[j][1]))
        b = h + 3
        shifted = "other_shifted" in v.noise
        for i, (rid, lab, _) in enumerate(T3_ROWS):
            if rid in ("new", "carried_over", "carried_forward"):
                self.merge(sh, b + i, c, b + i, c + 2, self.label(lab))
            elif rid in ("granted", "partly_granted"):
                self.merge(sh, b + i, c + 1, b + i, c + 2, self.label(lab))
            elif rid == "total":
                text = "总计" if "total_no_qi" in v.noise else lab
                self.merge(sh, b + i, c + 1, b + i, c + 2, self.label(text))
            elif rid == "other.other" and shifted:
                sh.text(b + i, c + 1, self.label(lab))
            else:
                sh.text(b + i, c + 2, self.label(lab))
        self.merge(sh, b + 2, c, b + 23, c, self.label(T3_RESULTS))
        for lab, first, last in T3_SUBGROUPS:
            if shifted and last == 22:
                last = 21
            self.merge(sh, b + first, c + 1, b + last, c + 1, self.label(lab))
        for i, rid in enumerate(T3_ROW_IDS):
            for j, (cid, _) in enumerate(T3_COLS):
                fid = t3(rid, cid)
                if cid == "total" and "t3_rows" in v.formulas:
                    self.formula(sh, b + i, c + 3 + j, fid, (b + i, c + 3, b + i, c + 8))
                elif rid == "total" and "t3_total_row" in v.formulas:
                    self.formula(sh, b + i, c + 3 + j, fid, (b + 2, c + 3 + j, b + 22, c + 3 + j))
                else:
                    self.value(sh, b + i, c + 3 + j, fid)
        return b + 25

    def table4(self, sh: Sheet, r: int, c: int) -> int:
        v = self.v

        def res(label: str) -> str:
            if "t4_space" in v.noise and len(label) == 4:
                label = label[:2] + " " + label[2:]
            return self.label(label)

        sh.text(r, c, self.label(T4_TITLE, False))
        h = r + 1
        self.merge(sh, h, c, h, c + 4, self.label(T4_GROUPS[0][1]))
        self.merge(sh, h, c + 5, h, c + 14, self.label(T4_SUIT_BAND))
        for k, (_, rl) in enumerate(T4_RESULTS):
            self.merge(sh, h + 1, c + k, h + 2, c + k, res(rl))
        self.merge(sh, h + 1, c + 5, h + 1, c + 9, self.label(T4_GROUPS[1][1]))
        self.merge(sh, h + 1, c + 10, h + 1, c + 14, self.label(T4_GROUPS[2][1]))
        for g in (1, 2):
            for k, (_, rl) in enumerate(T4_RESULTS):
                sh.text(h + 2, c + 5 * g + k, res(rl))
        for g, (gid, _) in enumerate(T4_GROUPS):
            for k, (rid, _) in enumerate(T4_RESULTS):
                cc = c + 5 * g + k
                if rid == "total" and "t4_totals" in v.formulas:
                    self.formula(sh, h + 3, cc, t4(gid, rid), (h + 3, c + 5 * g, h + 3, c + 5 * g + 3))
                else:
                    self.value(sh, h + 3, cc, t4(gid, rid))
        return h + 4

    def build(self) -> list[Sheet]:
        v = self.v
        if v.layout == "one":
            sh = self.new_sheet(v.sheet_names[0])
            r, c = v.starts[0]
            r = self.heads(sh, r, c)
            r = self.table2(sh, r, c) + v.gaps[0]
            r = self.table3(sh, r, c) + v.gaps[1]
            r = self.table4(sh, r, c)
            if v.notes:
                self.notes(sh, r, c)
        else:
            for k, (name, (r, c)) in enumerate(zip(v.sheet_names, v.starts)):
                sh = self.new_sheet(name)
                if k == 0:
                    r = self.heads(sh, r, c)
                r = (self.table2, self.table3, self.table4)[k](sh, r, c)
                if k == 2 and v.notes:
                    self.notes(sh, r, c)
        if v.extra_sheets:
            self.new_sheet("Sheet2")
            self.new_sheet("Sheet3")
        self.finish()
        return self.sheets

    def finish(self) -> None:
        """Blank zeros, numbers as text (never in a cell a formula sums: the cached total would
        then not be what a spreadsheet computes), the fee amount as text."""
        v, rng = self.v, self.rng
        for sh in self.sheets:
            summed = set()
            for cell in sh.cells.values():
                if cell.kind == "f":
                    r1, c1, r2, c2 = cell.rng
                    summed |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
            for pos in sorted(sh.cells):
                cell = sh.cells[pos]
                if cell.kind != "n":
                    continue
                if cell.fid == FEES:
                    if cell.value == 0 and v.blank_zeros:
                        del sh.cells[pos]
                    elif v.fees_text:
                        text = rng.choice([f"{cell.value:,.2f}", f"{cell.value:.2f}"])
                        sh.cells[pos] = Cell("s", text, fid=cell.fid)
                    continue
                if cell.value == 0 and v.blank_zeros:
                    del sh.cells[pos]
                elif v.text_styles and pos not in summed and rng.random() < v.text_share:
                    style = rng.choice(v.text_styles)
                    if cell.value >= 1000 and "thousands" in v.text_styles:
                        style = "thousands"  # "50,757": the separator is the point of the style
                    sh.cells[pos] = Cell("s", text_number(cell.value, style, rng), fid=cell.fid)


def build_return(ret: dict[str, int], v: Variant, rng: random.Random) -> tuple[list[Sheet], dict]:
    b = Builder(ret, v, rng)
    sheets = b.build()
    return sheets, b.where


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: list[Sheet], year: int) -> None:
    import xlsxwriter

    # in_memory: the zip entries get XlsxWriter's fixed 1980-01-01 timestamp (no temp files).
    wb = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": doc_date(year), "author": "nianbao fixtures"})
    box = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        for r1, c1, r2, c2 in sh.merges:
            ws.merge_range(r1, c1, r2, c2, "", box)
        for (r, c), cell in sorted(sh.cells.items()):
            if cell.kind == "s":
                ws.write_string(r, c, cell.value, box)
            elif cell.kind == "n":
                ws.write_number(r, c, float(cell.value), amount if cell.fid == FEES else box)
            else:
                r1, c1, r2, c2 = cell.rng
                ws.write_formula(r, c, f"=SUM({a1(r1, c1)}:{a1(r2, c2)})", box, cell.value)
    wb.close()


def write_xls(path: Path, sheets: list[Sheet], year: int) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    box = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin; align: wrap on, vert centre")
    amount = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="#,##0.00")
    for sh in sheets:
        ws = wb.add_sheet(sh.name)
        assert not any(c.kind == "f" for c in sh.cells.values()), "no formulas in .xls (xlwt has no cached values)"
        done = set()
        for r1, c1, r2, c2 in sh.merges:
            cell = sh.cells.get((r1, c1))
            val = "" if cell is None else (float(cell.value) if cell.kind == "n" else cell.value)
            ws.write_merge(r1, r2, c1, c2, val, box)
            done.add((r1, c1))
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in done:
                continue
            if cell.kind == "n":
                ws.write(r, c, float(cell.value) if cell.fid == FEES else cell.value, amount if cell.fid == FEES else box)
            else:
                ws.write(r, c, cell.value, box)
    wb.save(str(path))


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">\n'
    ' <manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>\n'
    ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
    "</manifest:manifest>\n"
)


def ods_paragraphs(text: str) -> str:
    """Text as ODF paragraphs: one <text:p> per line; spaces that XML would collapse as <text:s>."""
    out = []
    for line in text.split("\n"):
        parts = []
        for m in re.finditer(r" +|[^ ]+", line):
            tok = m.group()
            if tok[0] != " ":
                parts.append(escape(tok))
            elif len(tok) == 1 and 0 < m.start() and m.end() < len(line):
                parts.append(" ")
            else:
                parts.append("<text:s/>" if len(tok) == 1 else f'<text:s text:c="{len(tok)}"/>')
        out.append(f"<text:p>{''.join(parts)}</text:p>")
    return "".join(out)


def ods_number(v) -> str:
    return str(v)  # int, or Decimal with two places ("703.95")


def ods_cell(cell: Cell, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span:
        attrs += f' table:number-columns-spanned="{span[1]}" table:number-rows-spanned="{span[0]}"'
    if cell.kind == "s":
        return f'<table:table-cell{attrs} office:value-type="string">{ods_paragraphs(cell.value)}</table:table-cell>'
    shown = f"{cell.value:.2f}" if cell.fid == FEES else str(cell.value)
    if cell.kind == "f":
        r1, c1, r2, c2 = cell.rng
        attrs += f' table:formula="of:=SUM([.{a1(r1, c1)}:.{a1(r2, c2)}])"'
    return (
        f'<table:table-cell{attrs} office:value-type="float" office:value="{ods_number(cell.value)}">'
        f"<text:p>{shown}</text:p></table:table-cell>"
    )


def ods_table(sh: Sheet) -> str:
    nrows, ncols = sh.dims()
    nrows, ncols = max(nrows, 1), max(ncols, 1)
    spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sh.merges}
    covered = set()
    for r1, c1, r2, c2 in sh.merges:
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    out = [f"<table:table table:name={quoteattr(sh.name)}>",
           f'<table:table-column table:number-columns-repeated="{ncols}"/>']
    empty_rows = 0

    def flush_rows():
        nonlocal empty_rows
        if empty_rows:
            rep = f' table:number-rows-repeated="{empty_rows}"' if empty_rows > 1 else ""
            out.append(f'<table:table-row{rep}><table:table-cell table:number-columns-repeated="{ncols}"/></table:table-row>')
            empty_rows = 0

    for r in range(nrows):
        if not any((r, c) in sh.cells or (r, c) in covered or (r, c) in spans for c in range(ncols)):
            empty_rows += 1
            continue
        flush_rows()
        row = []
        blanks = 0
        for c in range(ncols):
            cell = sh.cells.get((r, c))
            if (r, c) in covered:
                piece = "<table:covered-table-cell/>"
            elif cell is not None:
                piece = ods_cell(cell, spans.get((r, c)))
            elif (r, c) in spans:
                rs, cs = spans[(r, c)]
                piece = f'<table:table-cell table:number-columns-spanned="{cs}" table:number-rows-spanned="{rs}"/>'
            else:
                blanks += 1
                continue
            if blanks:
                row.append(f'<table:table-cell table:number-columns-repeated="{blanks}"/>' if blanks > 1 else "<table:table-cell/>")
                blanks = 0
            row.append(piece)
        if blanks:
            row.append(f'<table:table-cell table:number-columns-repeated="{blanks}"/>' if blanks > 1 else "<table:table-cell/>")
        out.append("<table:table-row>" + "".join(row) + "</table:table-row>")
    flush_rows()
    out.append("</table:table>")
    return "\n".join(out)


def write_ods(path: Path, sheets: list[Sheet], year: int) -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content {ODS_NS} office:version="1.2">\n'
        "<office:body>\n<office:spreadsheet>\n"
        + "\n".join(ods_table(sh) for sh in sheets)
        + "\n</office:spreadsheet>\n</office:body>\n</office:document-content>\n"
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data, how in (
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", ODS_MANIFEST.encode(), zipfile.ZIP_DEFLATED),
            ("content.xml", content.encode("utf-8"), zipfile.ZIP_DEFLATED),
        ):
            zi = zipfile.ZipInfo(name, date_time=doc_date(year).timetuple()[:6])
            zi.compress_type = how
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}


def write_return(path: Path, ret: dict[str, int], v: Variant, rng: random.Random) -> tuple[list[Sheet], dict]:
    sheets, where = build_return(ret, v, rng)
    WRITERS[v.fmt](path, sheets, v.year)
    return sheets, where


# ---------------------------------------------------------------------------------------------
# Reading back (a check of the writers, not a reader of returns)
# ---------------------------------------------------------------------------------------------


def read_grid(path: Path) -> list[tuple[str, dict, set]]:
    """[(sheet name, {(r, c): (kind, value, formula)}, {merges})] of a written file."""
    ext = path.suffix[1:]
    out = []
    if ext == "xlsx":
        import openpyxl

        wv = openpyxl.load_workbook(path, data_only=True)
        wf = openpyxl.load_workbook(path, data_only=False)
        for ws in wv.worksheets:
            fs = wf[ws.title]
            cells = {}
            for row in ws.iter_rows():
                for x in row:
                    if x.value is None or x.value == "":
                        continue
                    f = fs.cell(x.row, x.column).value
                    formula = f if isinstance(f, str) and f.startswith("=") else None
                    kind = "s" if isinstance(x.value, str) else "n"
                    cells[(x.row - 1, x.column - 1)] = (kind, x.value, formula)
            merges = {(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges}
            out.append((ws.title, cells, merges))
    elif ext == "xls":
        import xlrd

        wb = xlrd.open_workbook(str(path), formatting_info=True)
        for ws in wb.sheets():
            cells = {}
            for r in range(ws.nrows):
                for c in range(ws.ncols):
                    x = ws.cell(r, c)
                    if x.ctype == xlrd.XL_CELL_TEXT and x.value != "":
                        cells[(r, c)] = ("s", x.value, None)
                    elif x.ctype == xlrd.XL_CELL_NUMBER:
                        cells[(r, c)] = ("n", x.value, None)
            merges = {(a, c, b - 1, d - 1) for a, b, c, d in ws.merged_cells}
            out.append((ws.name, cells, merges))
    else:
        import xml.etree.ElementTree as ET

        ns = {
            "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
            "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
            "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        }
        T = "{%s}" % ns["table"]
        O = "{%s}" % ns["office"]
        X = "{%s}" % ns["text"]
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert names[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
            root = ET.fromstring(z.read("content.xml"))

        def para_text(p) -> str:
            s = p.text or ""
            for ch in p:
                if ch.tag == X + "s":
                    s += " " * int(ch.get(X + "c", "1"))
                s += ch.tail or ""
            return s

        for tbl in root.iter(T + "table"):
            cells, merges = {}, set()
            r = 0
            for row in tbl.findall(T + "table-row"):
                rrep = int(row.get(T + "number-rows-repeated", "1"))
                c = 0
                for x in row:
                    rep = int(x.get(T + "number-columns-repeated", "1"))
                    if x.tag == T + "table-cell":
                        cs = int(x.get(T + "number-columns-spanned", "1"))
                        rs = int(x.get(T + "number-rows-spanned", "1"))
                        if cs > 1 or rs > 1:
                            merges.add((r, c, r + rs - 1, c + cs - 1))
                        vt = x.get(O + "value-type")
                        formula = x.get(T + "formula")
                        if vt == "float":
                            cells[(r, c)] = ("n", x.get(O + "value"), formula)
                        elif vt == "string":
                            cells[(r, c)] = ("s", "\n".join(para_text(p) for p in x.findall(X + "p")), None)
                    c += rep
                r += rrep
            out.append((tbl.get(T + "name"), cells, merges))
    return out


def cell_number(kind: str, value, is_fee: bool) -> int:
    if kind == "n":
        d = Decimal(str(value))
    else:
        d = Decimal(norm(str(value)).replace(",", ""))
    return int(d * 100) if is_fee else int(d)


def check_file(path: Path, sheets: list[Sheet], where: dict, ret: dict[str, int]) -> None:
    """The written file holds exactly the model's cells and merges, and each field's value."""
    grid = read_grid(path)
    assert [g[0] for g in grid] == [s.name for s in sheets], (path, [g[0] for g in grid])
    for si, ((name, cells, merges), sh) in enumerate(zip(grid, sheets)):
        fields_at = {f: w for f, w in where.items() if w[0] == si}
        assert merges == set(sh.merges), (path, name, merges ^ set(sh.merges))
        assert set(cells) == set(sh.cells), (path, name, set(cells) ^ set(sh.cells))
        for pos, cell in sh.cells.items():
            kind, val, formula = cells[pos]
            if cell.kind == "s":
                assert (kind, val) == ("s", cell.value), (path, name, pos, val, cell.value)
            else:
                assert kind == "n" and Decimal(str(val)) == Decimal(str(cell.value)), (path, name, pos, val, cell.value)
                if cell.kind == "f":
                    r1, c1, r2, c2 = cell.rng
                    assert formula is not None and a1(r1, c1) in formula and a1(r2, c2) in formula, (path, pos, formula)
                    summed = sum(ret[f] for f in fields_at
                                 if r1 <= fields_at[f][1] <= r2 and c1 <= fields_at[f][2] <= c2)
                    assert summed == cell.value, (path, pos, summed, cell.value)
                else:
                    assert formula is None
    for fid in FIELDS:
        si, r, c = where[fid]
        got = grid[si][1].get((r, c))
        v = 0 if got is None else cell_number(got[0], got[1], fid == FEES)
        assert v == ret[fid], (path, fid, v, ret[fid])
    check_with_calamine(path, sheets)


def check_with_calamine(path: Path, sheets: list[Sheet]) -> None:
    """The same cells as read by calamine (python-calamine), the library the Rust reader uses."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == [s.name for s in sheets], (path, wb.sheet_names)
    for i, sh in enumerate(sheets):
        rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
        for (r, c), cell in sh.cells.items():
            got = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            if cell.kind == "s":
                assert got == cell.value, (path, sh.name, a1(r, c), got, cell.value)
            else:
                assert isinstance(got, (int, float)) and Decimal(str(got)) == Decimal(str(cell.value)), (
                    path, sh.name, a1(r, c), got, cell.value)


# ---------------------------------------------------------------------------------------------
# The fixture sets
# ---------------------------------------------------------------------------------------------


def write_expected(path: Path, units: list[Unit], rets: list[dict[str, int]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", *FIELDS])
    for u, ret in zip(units, rets):
        w.writerow([u.code, *(fmt_amount(ret[f]) if f == FEES else ret[f] for f in FIELDS)])
    path.write_text(buf.getvalue(), encoding="utf-8")


def clean_dir(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for p in d.iterdir():
        if p.is_file() and p.suffix in (".xlsx", ".xls", ".ods", ".csv", ".md"):
            p.unlink()


def check_names(units: list[Unit], variants: list[Variant], sheets_by_unit: list[list[Sheet]]) -> None:
    """Each file names its unit (file name or unit cell) and no other unit anywhere."""
    names = [v.filename for v in variants]
    assert len(set(names)) == len(names), "file names must be unique"
    for u, v, sheets in zip(units, variants, sheets_by_unit):
        texts = [c.value for sh in sheets for c in sh.cells.values() if c.kind == "s"]
        stem = v.filename.rsplit(".", 1)[0]
        named = units_named_in(stem, units) | units_named_in("\n".join(texts), units)
        assert named == {u.code}, (v.filename, named)
        if v.unit_id == "none":
            assert units_named_in(stem, units) == {u.code}, v.filename


def manifest_2022(units: list[Unit], variants: list[Variant], rets: list[dict[str, int]]) -> str:
    lines = [
        "# Jinshan 2022 fixtures",
        "",
        "Generated by `scripts/gen_fixtures.py` (do not edit by hand; run",
        "`.venv/bin/python scripts/gen_fixtures.py` from the repository root). The 42 units' returns",
        "add up exactly to the district report's tables 二/三/四 (`../seed/jinshan-2022-report.txt`);",
        "every return balances every rule of `../seed/return-format.md`. `expected.csv` holds the",
        "values dealt to each unit (blank cells count as 0 there), `roster.csv` the units.",
        "",
        "Variant keys: *start* is the zero-based (row, col) where each sheet's content begins;",
        "*noise*: `halfwidth` (half-width brackets), `spaces` (extra spaces in some labels),",
        "`linebreak` (line breaks inside long labels), `total_no_qi` (`总计` without `（七）`),",
        "`other_shifted` (`3.其他` in the group column, as in the seed), `t4_space` (`结果 维持`);",
        "*numbers*: counts stored as text in a share of the cells not summed by a formula",
        "(`plain` \"12\", `thousands` \"50,757\", `fullwidth` \"１２\", `spaces` \" 12 \");",
        "*formulas*: SUM formulas with cached values for table 3's 总计 column (`t3_rows`),",
        "its 总计 row (`t3_total_row`) and table 4's totals (`t4_totals`); *blanks*: zero counts",
        "(and a zero fee amount) left as empty cells.",
        "",
        "| file | unit | format | sheets | start | merged | extras | unit named by | noise | numbers | formulas | blanks |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for u, v in zip(units, variants):
        d = describe(v)
        lines.append(
            f"| `{v.filename}` | {u.code} {u.name} | .{v.fmt} | {d['sheets']} | {d['start']} | {d['merged']} | "
            f"{d['extras']} | {d['unit']} | {d['noise']} | {d['numbers']} | {d['formulas']} | {d['blanks']} |"
        )
    counts = {f: sum(v.fmt == f for v in variants) for f in ("xlsx", "xls", "ods")}
    lines += ["", f"Formats: {counts['xlsx']} .xlsx, {counts['xls']} .xls, {counts['ods']} .ods.", ""]
    district = {f: sum(r[f] for r in rets) for f in FIELDS}
    lines += [
        "District totals (checked equal to the seed): "
        f"t3.new.total {district['t3.new.total']}, t3.total.total {district['t3.total.total']}, "
        f"t3.carried_forward.total {district['t3.carried_forward.total']}, "
        f"t2.licensing.decisions {district['t2.licensing.decisions']}, t2.fees.amount {fmt_amount(district[FEES])}.",
        "",
    ]
    return "\n".join(lines)


def manifest_2021(units: list[Unit], variants: list[Variant]) -> str:
    lines = [
        "# Jinshan 2021 fixtures (previous year, for the cross-year rules)",
        "",
        "Generated by `scripts/gen_fixtures.py`. The same 42 units' 2021 returns, each balanced, all",
        "plain .xlsx on one sheet with merged headers and a `填报单位：` cell. Consistent with",
        "`../jinshan-2022/`: per unit and column, 2021's `t3.carried_forward` = 2022's",
        "`t3.carried_over` (district total 7), and per unit 2021's `t2.<row>.in_force` = 2022's",
        "`in_force − issued + repealed`. The other values are made up (the 2021 district totals are",
        "not published). `expected.csv` holds each unit's values.",
        "",
        "| file | unit |",
        "| --- | --- |",
    ]
    lines += [f"| `{v.filename}` | {u.code} {u.name} |" for u, v in zip(units, variants)]
    return "\n".join(lines) + "\n"


def generate(check: bool = True) -> None:
    units = make_units()
    district = parse_seed()
    rng = random.Random(SEED)
    rets = deal_district(district, units, rng)
    prev = make_previous_year(rets, random.Random(SEED + 1))

    # 2022
    clean_dir(OUT_2022)
    variants = plan_variants(units, rets, random.Random(SEED + 2))
    built = []
    for u, v, ret in zip(units, variants, rets):
        sheets, where = write_return(OUT_2022 / v.filename, ret, v, random.Random(f"{SEED}-2022-{u.code}"))
        built.append((sheets, where))
    check_names(units, variants, [b[0] for b in built])
    write_roster(OUT_2022 / "roster.csv", units)
    write_expected(OUT_2022 / "expected.csv", units, rets)
    (OUT_2022 / "MANIFEST.md").write_text(manifest_2022(units, variants, rets), encoding="utf-8")

    # 2021
    clean_dir(OUT_2021)
    variants21 = []
    built21 = []
    for u, ret in zip(units, prev):
        v = Variant(fmt="xlsx", year=2021, unit_id="cell", unit_text=u.name, title=True,
                    sheet_names=("Sheet1",), filename=f"{u.code}_{u.name}_2021年报统计表.xlsx")
        variants21.append(v)
        sheets, where = write_return(OUT_2021 / v.filename, ret, v, random.Random(f"{SEED}-2021-{u.code}"))
        built21.append((sheets, where))
    check_names(units, variants21, [b[0] for b in built21])
    write_roster(OUT_2021 / "roster.csv", units)
    write_expected(OUT_2021 / "expected.csv", units, prev)
    (OUT_2021 / "MANIFEST.md").write_text(manifest_2021(units, variants21), encoding="utf-8")

    if check:
        for out, vs, rs, bs in ((OUT_2022, variants, rets, built), (OUT_2021, variants21, prev, built21)):
            for v, ret, (sheets, where) in zip(vs, rs, bs):
                check_file(out / v.filename, sheets, where, ret)
        print(f"checked {len(variants) + len(variants21)} files read back", file=sys.stderr)
    print(f"wrote {OUT_2022.relative_to(ROOT)} ({len(variants)} returns) and "
          f"{OUT_2021.relative_to(ROOT)} ({len(variants21)} returns)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-check", action="store_true", help="do not read the written files back")
    args = ap.parse_args()
    generate(check=not args.no_check)


if __name__ == "__main__":
    main()
