#!/usr/bin/env python3
"""Writes the hand-made nasty inputs of tests/crashers/ (and tests/crashers/open/) from the
committed fixtures. Deterministic: running it again rewrites the same bytes.

    python3 crates/nianbao-read/tests/crashers/make_handmade.py

Files the fuzzer found are not made here: they are copied from fuzz/artifacts/ as found.
See README.md beside this script for what each file is and what it once did.
"""
import io
import os
import re
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures", "jinshan-2022")
OLE = bytes.fromhex("d0cf11e0a1b11ae1")
FIXED_TIME = (2022, 1, 1, 0, 0, 0)


def utf16(s):
    return s.encode("utf-16-le")


def write(name, data, open_bug=False):
    path = os.path.join(HERE, name)  # all fixed: none is kept apart any more
    with open(path, "wb") as f:
        f.write(data)


def zip_of(members):
    """members: [(name, bytes, stored?)] -> zip bytes with fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, stored in members:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


# ---- ODS built around a content.xml ---------------------------------------------------------

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(content_xml):
    return zip_of(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", True),
            ("META-INF/manifest.xml", MANIFEST.encode(), False),
            ("content.xml", content_xml.encode(), False),
        ]
    )


def esc(s):
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def text_cell(s):
    return f'<table:table-cell office:value-type="string"><text:p>{esc(s)}</text:p></table:table-cell>'


def num_cell(v):
    return f'<table:table-cell office:value-type="float" office:value="{v}"/>'


def formula_cell(f):
    """A formula with no cached result (as some generators write them)."""
    return f'<table:table-cell table:formula="of:={esc(f)}"/>'


def row(cells):
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


T4_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def t4_sheet(value_cells, extra_rows=()):
    """Table 4 only: anchor 行政复议, 15 result headers, then the value row given."""
    rows = [row([text_cell("行政复议")]), row([text_cell(t) for t in T4_RESULTS * 3]), row(value_cells)]
    rows.extend(extra_rows)
    return ODS_HEAD + '<table:table table:name="表四">' + "".join(rows) + "</table:table>" + ODS_TAIL


def ones(n):
    return [num_cell(1) for _ in range(n)]


# ---- inputs that must be read without a panic (tests/crashers/) ----------------------------

write("empty.bin", b"")
write("zip-magic-only.xlsx", b"PK\x03\x04")
write("zip-truncated-header.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"xl/workbook.xml")
# An end-of-central-directory record claiming 65535 entries at a far offset.
write(
    "zip-eocd-lies.xlsx",
    b"PK\x03\x04xl/workbook.xml" + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, 0x7FFFFFFF, 0x7FFFFFFF, 0),
)
write("ole-magic-only.xls", OLE + utf16("Workbook"))
# A 512-byte OLE header whose fields are all 0xFF (sector shift, FAT length, chain starts).
write("ole-header-garbage.xls", OLE + b"\xff" * 504 + utf16("Workbook") + bytes(range(256)) * 4)
write("ole-encrypted.xls", OLE + b"\x00" * 504 + utf16("EncryptedPackage"))
write("xls-truncated.xls", fixture("附件2.xls")[:2048])
write("text-disguised.xlsx", "填报单位：测试,自然人\n1,2\n".encode())

# A real xlsx whose central directory declares 4 GiB for one member (the zip-bomb check).
good = bytearray(fixture("统计表.xlsx"))
cd = good.find(b"PK\x01\x02")
while cd != -1:
    struct.pack_into("<I", good, cd + 24, 0xFFFFFFF0)  # uncompressed size
    cd = good.find(b"PK\x01\x02", cd + 4)
write("zip-declared-4gib.xlsx", bytes(good))

# Formula cells without cached values: overlong, cyclic, referring off the sheet.
write(
    "ods-formula-oddities.ods",
    ods(
        t4_sheet(
            [
                formula_cell("SUM([.A3:.O3])"),  # includes itself
                formula_cell("[.C3]+[.B3]"),  # cycle of two
                formula_cell("SUM([.A1:.XFD1048576])"),  # too large a range
                formula_cell("[.ZZZZ9]"),
                formula_cell("[.A4294967296]"),
                formula_cell("'nosuch'.A1"),
                formula_cell("SUM("),
                formula_cell(")))"),
                formula_cell("-" * 1000 + "1"),
                formula_cell("SUM(" + ",".join(["[.P3]"] * 3000) + ")"),
            ]
            + ones(4)
            + [num_cell(1)],
        )
    ),
)

# ---- inputs that still crash, hang or exhaust memory (tests/crashers/open/) ---------------

# formula.rs: `sign * x` with x = i64::MIN (debug: overflow panic; release: wraps).
write(
    "formula-negate-i64-min.ods",
    ods(t4_sheet([formula_cell("-[.A6]")] + ones(14), [row([]), row([]), row([formula_cell("0-9223372036854775807-1")])])),
    open_bug=True,
)

# formula.rs: values from formulas skip the checks cells get (negative, above MAX_VALUE).
write(
    "formula-out-of-range.ods",
    ods(t4_sheet([formula_cell("9223372036854775807"), formula_cell("[.C3]-[.D3]"), num_cell(1), num_cell(5)] + ones(11))),
    open_bug=True,
)

# formula.rs: SUM(SUM(…)) nested 30,000 deep: recursion per level and a scan of the rest per
# level (quadratic); overflows a 2 MiB thread stack (SIGSEGV, not catchable).
n = 30000
write(
    "formula-nested-sum.ods",
    ods(t4_sheet([formula_cell("SUM(" * n + "[.B3]" + ")" * n)] + ones(14))),
    open_bug=True,
)

# formula.rs: the 10,000-cell budget counts cells, not formula text: a 400 KB formula visited
# 9,000 times per value cell is billions of character steps (effectively a hang).
long_terms = "+".join(["1"] * 200_000)
refs = "+".join(["[.A6]"] * 9000)
write(
    "formula-budget-text.ods",
    ods(t4_sheet([formula_cell(refs)] * 15, [row([]), row([]), row([formula_cell(long_terms)])])),
    open_bug=True,
)

# calamine ods.rs read_table: end of content.xml inside <table:table> is never noticed
# (Event::Eof falls into `Ok(_) => ()`): an endless loop. Passes since .ods is read by our own
# streaming reader (src/ods.rs) instead of calamine.
write(
    "ods-unclosed-table.ods",
    ods(ODS_HEAD + '<table:table table:name="表四"><table:table-column/>'),
)

# calamine ods.rs get_range: an empty row repeated between two far-apart cells is expanded to
# a dense range of up to calamine's MAX_CELLS (100 million) cells: 6.2 GB RSS for 867 bytes.
# Passes since src/ods.rs keeps only the cells that hold something.
wide = row([text_cell("自然人"), '<table:table-cell table:number-columns-repeated="16382"/>', num_cell(1)])
write(
    "ods-dense-expansion.ods",
    ods(
        ODS_HEAD
        + '<table:table table:name="表三">'
        + wide
        + '<table:table-row table:number-rows-repeated="6000"><table:table-cell/></table:table-row>'
        + row([num_cell(1)])
        + "</table:table>"
        + ODS_TAIL
    ),
)

# calamine xls.rs: two cells at (0,0)-ish and (65535, 65535) make Range::from_sparse allocate
# 65536 × 65536 cells (~137 GB): the allocation fails and the process aborts.
xls = bytearray(fixture("附件2.xls"))
last = xls.rfind(b"\xfd\x00\x0a\x00")  # LABELSST: row u16, col u16, ixfe u16, isst u32
struct.pack_into("<HH", xls, last + 4, 0xFFFF, 0xFFFF)
write("xls-far-cell.xls", bytes(xls), open_bug=True)

# calamine xls.rs: a DIMENSIONS record of 2^32 rows × 255 columns makes `cells.reserve` ask
# for ~44 TB: allocation failure, abort.
xls = bytearray(fixture("附件2.xls"))
dim = xls.find(b"\x00\x02\x0e\x00")
struct.pack_into("<IIHH", xls, dim + 4, 0, 0xFFFFFFFF, 0, 0xFF)
write("xls-huge-dimensions.xls", bytes(xls), open_bug=True)

# calamine cfb.rs get_chain: the directory's sector chain is followed with no cycle check and
# no length limit, so a FAT entry pointing back at itself grows the chain until memory runs out
# (the fuzzer's first find; it gets there by shifting sectors).
xls = bytearray(fixture("附件2.xls"))
shift = struct.unpack_from("<H", xls, 30)[0]
size = 1 << shift
dir_start = struct.unpack_from("<I", xls, 48)[0]
first_fat = struct.unpack_from("<I", xls, 76)[0]
struct.pack_into("<I", xls, 512 + first_fat * size + dir_start * 4, dir_start)
write("xls-fat-cycle.xls", bytes(xls), open_bug=True)

# nianbao-read ods.rs (our own streaming reader): MAX_CELLS counts cells, not bytes. One cell of
# 1 MiB text repeated across 16,384 columns and 1,000 rows is cloned up to MAX_CELLS times: the
# 2 KB file asks for terabytes.
big = "年" * (300 * 1024)  # ~0.9 MB of UTF-8, under read_text's 1 MiB cap
write(
    "ods-repeated-big-text.ods",
    ods(
        ODS_HEAD
        + '<table:table table:name="表三"><table:table-row table:number-rows-repeated="1000">'
        + '<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
        + f"<text:p>{big}</text:p></table:table-cell></table:table-row></table:table>"
        + ODS_TAIL
    ),
    open_bug=True,
)

# nianbao-read load.rs load_xlsx (ours): each cell showing a shared string gets its own copy
# (`DataRef::SharedString(s) => (*s).to_string()`) and only cells are counted: one ~0.9 MB
# shared string shown in 5,000 cells is ~4.5 GB from a ~30 KB file.
with zipfile.ZipFile(os.path.join(FIXTURES, "统计表.xlsx")) as src:
    members = [(i.filename, src.read(i.filename)) for i in src.infolist()]
sst = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    f"<si><t>{big}</t></si></sst>"
)
sheet = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 5001))
    + "</sheetData></worksheet>"
)
replaced = {"xl/sharedStrings.xml": sst.encode(), "xl/worksheets/sheet1.xml": sheet.encode()}
write(
    "xlsx-shared-big-text.xlsx",
    zip_of([(name, replaced.get(name, data), False) for name, data in members]),
    open_bug=True,
)

# calamine 0.38 xlsx (`read_shared_strings`, `read_formula_record`): room reserved as declared.
# `uniqueCount` of 10^14 (2.4 PB) or a shared formula's `si` of 10^11 fails to allocate and
# aborts the whole process. A CDATA section in the sheet makes the lean reader leave both to
# calamine.
with zipfile.ZipFile(os.path.join(FIXTURES, "统计表.xlsx")) as src:
    members = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    sheet = src.read("xl/worksheets/sheet1.xml").replace(b"<sheetData>", b"<sheetData><![CDATA[x]]>", 1)
    sst = src.read("xl/sharedStrings.xml")
sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="100000000000000"', sst, count=1)
write(
    "xlsx-unique-count-abort.xlsx",
    zip_of([
        (name, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst}.get(name, data), False)
        for name, data in members
    ]),
)
shared = sheet.replace(
    b"</sheetData>",
    b'<row r="900"><c r="A900"><f t="shared" ref="A900:A901" si="100000000000">1+1</f><v>2</v></c></row>'
    b"</sheetData>",
    1,
)
write(
    "xlsx-shared-formula-index-abort.xlsx",
    zip_of([(name, {"xl/worksheets/sheet1.xml": shared}.get(name, data), False) for name, data in members]),
)

# calamine xls.rs: every sheet is read in `Xls::new`, each as a dense range over its cells'
# bounding box, all held at once. Three sheets, each with its last LABELSST moved to
# (65535, 255), within the format's bounds one by one: 16 KB took 2.1 GB and 1.5 s (and more
# sheets, more gigabytes). Refused by xls_guard's bound on all sheets together.
xls = bytearray(fixture("U28-区退役军人事务局.xls"))


def offsets(pattern):
    found, i = [], xls.find(pattern)
    while i >= 0:
        found.append(i)
        i = xls.find(pattern, i + 1)
    return found


worksheets = [i for i in offsets(b"\x09\x08\x10\x00") if xls[i + 6 : i + 8] == b"\x10\x00"]
labels = offsets(b"\xfd\x00\x0a\x00")
for start, end in zip(worksheets, worksheets[1:] + [len(xls)]):
    inside = [i for i in labels if start < i < end]
    struct.pack_into("<HH", xls, inside[-1] + 4, 0xFFFF, 0x00FF)
write("xls-sheets-far-corners.xls", bytes(xls))

