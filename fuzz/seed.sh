#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (gitignored) from the committed fixtures. Idempotent: libFuzzer
# names corpus files by content hash, and so does this script, so running it again adds nothing.
set -euo pipefail
cd "$(dirname "$0")"
FIXTURES=../fixtures/jinshan-2022
mkdir -p corpus/read_bytes corpus/zipped_xml corpus/lean_xlsx corpus/parse_text corpus/from_grids corpus/published

# read_bytes: the workbooks as they are (.xls is not compressed, so its records mutate well).
for f in "$FIXTURES"/*.xlsx "$FIXTURES"/*.xls "$FIXTURES"/*.ods; do
    cp "$f" "corpus/read_bytes/seed-$(sha1sum "$f" | cut -c1-16)"
done

# zipped_xml: first byte picks the member (see fuzz/src/lib.rs ZIPPED_MEMBERS), the rest is it.
python3 - "$FIXTURES" corpus/zipped_xml <<'PY'
import glob, hashlib, os, sys, zipfile
fixtures, out = sys.argv[1], sys.argv[2]
members = {0: "content.xml", 1: "xl/worksheets/sheet1.xml", 2: "xl/sharedStrings.xml", 3: "xl/workbook.xml"}
for path in sorted(glob.glob(os.path.join(fixtures, "*.ods")) + glob.glob(os.path.join(fixtures, "*.xlsx"))):
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for pick, member in members.items():
            if member in names:
                data = bytes([pick]) + z.read(member)
                with open(os.path.join(out, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
                    f.write(data)
PY

# lean_xlsx: first byte picks the part (see fuzz/src/lib.rs LEAN_MEMBERS), the rest is it.
python3 - "$FIXTURES" corpus/lean_xlsx <<'PY'
import glob, hashlib, os, sys, zipfile
fixtures, out = sys.argv[1], sys.argv[2]
members = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml",
           "xl/_rels/workbook.xml.rels", "_rels/.rels"]
for path in sorted(glob.glob(os.path.join(fixtures, "*.xlsx"))):
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for pick, member in enumerate(members):
            if member in names:
                data = bytes([pick]) + z.read(member)
                with open(os.path.join(out, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
                    f.write(data)
PY

# parse_text: what units type into value cells.
i=0
for s in "12" " 12 " "１２" "50,757" "５０，７５７" "'12" "12.0" "1,234.50" "１２，３４５．６７" "-" "—" "无" \
    "约10" "12件" "10+2" "12,34" "-3" "2.5" "1.005" "99999999999999999999" "1e3" "0.5" "."; do
    printf '%s' "$s" > "corpus/parse_text/seed-$i"
    i=$((i + 1))
done
# published: first byte picks the form (0 page, 1 text, 2 word/document.xml), the rest is it.
python3 - ../fixtures corpus/published <<'PY'
import hashlib, os, sys, zipfile
fixtures, out = sys.argv[1], sys.argv[2]
seeds = [
    (0, open(os.path.join(fixtures, "published/jinshan-2022.html"), "rb").read()),
    (1, open(os.path.join(fixtures, "seed/jinshan-2022-report.txt"), "rb").read()),
    (2, zipfile.ZipFile(os.path.join(fixtures, "published/jinshan-2022.docx")).read("word/document.xml")),
]
for pick, body in seeds:
    data = bytes([pick]) + body
    with open(os.path.join(out, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
PY
echo "corpus: $(ls corpus/read_bytes | wc -l) read_bytes, $(ls corpus/zipped_xml | wc -l) zipped_xml, $(ls corpus/parse_text | wc -l) parse_text"
