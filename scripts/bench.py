#!/usr/bin/env python3
"""Benchmark `nianbao consolidate` against the bare calamine read and the Python an office would write.

    .venv/bin/python scripts/bench.py --bin target/release/nianbao \
        --bare-read target/release/bare-read --sizes 42,2000,10000 --repeat 3 \
        --cache-dir .bench --results bench/results.md

For each N, N balanced returns of made-up units (unique names, mostly .xlsx, about 15 % .xls and
15 % .ods, with the layout variants and artefacts of scripts/gen_fixtures.py) are generated into
a folder (kept under --cache-dir and reused by later runs with the same N and seed; without it a
temporary folder, removed at the end). On that folder, run by run in turn, REPEAT times each:

- `nianbao`: `BIN consolidate DIR --out OUT/out.xlsx --json OUT/report.json` (exit 0 or 1 both
  count as a completed run: 1 only says some return breaks a rule);
- `baseline` (with --baseline): another nianbao build, the same command;
- `bare-read` (with --bare-read): `crates/nianbao-bench`'s floor, every cell of every file read
  by calamine in parallel and nothing else;
- at the sizes of --peers-at (default 2000), the two peer programs of scripts/peers/:
  `pandas+openpyxl` and `calamine+polars` (one Python process each, file after file), which
  find the tables by label, sum the unit × field frame and write an xlsx of totals and rows.
  Their totals are checked against nianbao's report.json.

Each run is one child process under GNU time: wall time from `time.perf_counter` around spawn and
`os.wait4`; CPU = user + system time from the rusage `os.wait4` returns (every thread; GNU time's
own share is about a millisecond); peak RSS = the child's own `ru_maxrss` as GNU time reports it
(`-f %M`; a small Python go-between where /usr/bin/time is missing). The table gives medians of
wall and CPU, the largest peak RSS, returns per second (N ÷ median wall), and the ratios of the
medians to bare-read's and to nianbao's. A run during which a compiler (cargo, rustc) was running
on the machine is marked, since it makes the numbers noisy.

`--incremental N` also times `nianbao run` on a workspace of N returns: cold (cache and state
removed) and the re-run after one return changed. `--results FILE` writes the tables as Markdown
with the date, the machine (nproc, CPU model, memory) and the commit, for the README to quote.
Each generated folder also holds a roster.csv beside (not inside) the returns folder; pass it
with e.g. `--extra-args "--roster {roster}"` if the command wants one.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_fixtures as gf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PEERS = {
    "pandas+openpyxl": ROOT / "scripts" / "peers" / "pandas_openpyxl.py",
    "calamine+polars": ROOT / "scripts" / "peers" / "calamine_polars.py",
}
GEN_VERSION = 1  # bump when the generated files change, to invalidate cached folders
FORMATS = [("xlsx", 0.70), ("xls", 0.15), ("ods", 0.15)]
COMPILERS = {"cargo", "rustc", "cc", "ld", "rust-lld", "cc1", "lld"}


def unit_name(i: int) -> str:
    # Fixed width: no name is a substring of another.
    return f"合成测试单位{i:05d}"


def generate_one(args: tuple[int, int, str]) -> None:
    i, seed, folder = args
    rng = random.Random(f"bench-{seed}-{i}")
    fmt = rng.choices([f for f, _ in FORMATS], [w for _, w in FORMATS])[0]
    name = unit_name(i)
    v = gf.random_variant(rng, fmt, name)
    v.filename = rng.choice([f"{name}.{fmt}", f"{i:05d}_{name}_2022年报.{fmt}", f"2022年{name}政务公开年报统计表.{fmt}"])
    ret = gf.synthetic_return(rng)
    gf.write_return(Path(folder) / v.filename, ret, v, rng)


def generate(n: int, seed: int, root: Path, jobs: int) -> Path:
    """Returns the folder holding N returns (roster.csv beside it), generating it if needed."""
    base = root / f"n{n}-seed{seed}-v{GEN_VERSION}"
    returns = base / "returns"
    stamp = base / ".complete"
    if stamp.exists():
        print(f"N={n}: reusing {returns}", file=sys.stderr)
        return returns
    if base.exists():
        shutil.rmtree(base)
    returns.mkdir(parents=True)
    t0 = time.perf_counter()
    work = [(i, seed, str(returns)) for i in range(1, n + 1)]
    if jobs > 1:
        import multiprocessing

        with multiprocessing.Pool(jobs) as pool:
            for _ in pool.imap_unordered(generate_one, work, chunksize=16):
                pass
    else:
        for w in work:
            generate_one(w)
    with open(base / "roster.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["code", "name", "aliases", "kind"])
        for i in range(1, n + 1):
            wr.writerow([f"S{i:05d}", unit_name(i), "", "department"])
    stamp.write_text(f"{n}\n", encoding="utf-8")
    print(f"N={n}: generated {n} returns in {time.perf_counter() - t0:.1f} s into {returns}", file=sys.stderr)
    return returns


# ---------------------------------------------------------------------------------------------
# Running and measuring one child
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    rc: int
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss: float  # peak resident set of the child, MiB
    noisy: bool  # a compiler ran on the machine during the run


def compilers_running() -> bool:
    """Whether a compiler or linker process is running on the machine (it makes timings noisy)."""
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/comm", encoding="utf-8") as f:
                if f.read().strip() in COMPILERS:
                    return True
        except OSError:
            continue
    return False


# Runs the command as its only child and writes the child's peak RSS (KiB) and CPU seconds to
# argv[1]: where GNU time is missing. (Without a small go-between, the peak RSS that the kernel
# reports for a child includes the memory of the process that forked it: bench.py's own.)
PROBE = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, st, ru = os.wait4(p.pid, 0)\n"
    "p.returncode = 0\n"
    "open(sys.argv[1], 'w').write(f'{ru.ru_maxrss} {ru.ru_utime + ru.ru_stime}')\n"
    "sys.exit(os.waitstatus_to_exitcode(st) % 256)\n"
)
GNU_TIME = "/usr/bin/time"


def run_once(cmd: list[str], outdir: Path) -> Run:
    """Runs cmd (stdout and stderr to outdir/stdout.log, stderr.log) and measures it.

    The command runs under GNU time (`/usr/bin/time -f %M`, else the PROBE above), so that its
    peak RSS is its own; wall time and CPU come from `os.wait4` on that go-between, whose rusage
    includes its child's (GNU time's own share is about a millisecond)."""
    noisy = compilers_running()
    probe_file = outdir / "rusage.txt"
    if os.path.exists(GNU_TIME):
        full = [GNU_TIME, "-f", "%M", "-o", str(probe_file), *cmd]
    else:
        full = [sys.executable, "-c", PROBE, str(probe_file), *cmd]
    with open(outdir / "stdout.log", "wb") as out, open(outdir / "stderr.log", "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    noisy = noisy or compilers_running()
    cpu = ru.ru_utime + ru.ru_stime
    rss = float("nan")
    try:
        # GNU time writes "Command exited with non-zero status N" before the figures.
        nums = [x for x in probe_file.read_text().split() if re.fullmatch(r"[0-9.]+", x)]
        if full[0] == GNU_TIME:
            rss = int(nums[-1]) / 1024  # KiB → MiB
        else:
            rss, cpu = int(nums[0]) / 1024, float(nums[1])
    except (OSError, ValueError, IndexError):
        pass
    return Run(p.returncode, wall, cpu, rss, noisy)


@dataclass
class Program:
    label: str
    argv: list[str]  # DIR, OUT, ROSTER are replaced
    ok_codes: tuple[int, ...] = (0,)
    runs: list[Run] = field(default_factory=list)
    totals: list[tuple[int, int]] = field(default_factory=list)  # (t3.new.total, fee cents) seen


def command(prog: Program, returns: Path, outdir: Path) -> list[str]:
    subst = {"DIR": str(returns), "OUT": str(outdir), "ROSTER": str(returns.parent / "roster.csv")}
    return [re.sub(r"\{(DIR|OUT|ROSTER)\}", lambda m: subst[m.group(1)], a) for a in prog.argv]


def totals_of(prog: Program, outdir: Path) -> tuple[int, int] | None:
    """(t3.new.total, t2.fees.amount in hundredths) as the program reported them."""
    try:
        if prog.label in PEERS:
            m = re.search(r"t3\.new\.total (\d+), t2\.fees\.amount (\d+)",
                          (outdir / "stdout.log").read_text(encoding="utf-8"))
            return (int(m.group(1)), int(m.group(2))) if m else None
        if prog.label in ("nianbao", "baseline"):
            rep = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
            t = rep["totals"]
            return int(t["t3.new.total"]), gf.parse_amount(str(t[gf.FEES]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "-"


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------


def bench_size(n: int, returns: Path, programs: list[Program], repeat: int) -> list[Program]:
    """Runs every program REPEAT times, alternating, on the folder of N returns."""
    # Alternate the programs run by run, so that the machine's noise falls on all alike.
    for k in range(repeat):
        for prog in programs:
            outdir = Path(tempfile.mkdtemp(prefix=f"nianbao-bench-out-{n}-"))
            try:
                r = run_once(command(prog, returns, outdir), outdir)
                prog.runs.append(r)
                if r.rc not in prog.ok_codes:
                    err = (outdir / "stderr.log").read_text(errors="replace")[-2000:]
                    print(f"N={n} {prog.label}: run {k + 1} exited with {r.rc}; stderr tail:\n{err}", file=sys.stderr)
                else:
                    t = totals_of(prog, outdir)
                    if t is not None:
                        prog.totals.append(t)
                print(f"N={n} {prog.label}: run {k + 1}: exit {r.rc}, wall {r.wall:.2f} s, CPU {r.cpu:.2f} s, "
                      f"peak RSS {r.rss:.1f} MiB{' (a compiler was running)' if r.noisy else ''}", file=sys.stderr)
            finally:
                shutil.rmtree(outdir, ignore_errors=True)
    return programs


def size_rows(n: int, programs: list[Program]) -> tuple[list[tuple], list[str]]:
    """The table's rows for one N, and notes (failed runs, totals that disagree)."""
    good = {p.label: [r for r in p.runs if r.rc in p.ok_codes] for p in programs}
    med = {lab: (median([r.wall for r in rs]), median([r.cpu for r in rs])) for lab, rs in good.items() if rs}
    bare = med.get("bare-read")
    nb = med.get("nianbao")
    rows, notes = [], []
    for p in programs:
        rs = good[p.label]
        codes = ",".join(str(r.rc) for r in p.runs)
        noisy = sum(r.noisy for r in p.runs)
        if not rs:
            rows.append((n, p.label, "failed", "-", "-", "-", "-", "-", "-", "-", "-", codes))
            continue
        w, c = med[p.label]
        rows.append((
            n, p.label, f"{w:.3f}", f"{n / w:,.0f}", f"{c:.3f}", f"{c / w:.2f}",
            f"{max(r.rss for r in rs):.1f}",
            ratio(w, bare and bare[0]), ratio(c, bare and bare[1]),
            ratio(w, nb and nb[0]), ratio(c, nb and nb[1]),
            codes + (f" ({noisy} noisy)" if noisy else ""),
        ))
        if len(rs) < len(p.runs):
            notes.append(f"N={n} {p.label}: {len(p.runs) - len(rs)} of {len(p.runs)} runs failed (exit {codes}).")
    ref = next((p.totals[0] for p in programs if p.label == "nianbao" and p.totals), None)
    for p in programs:
        if p.label in ("nianbao", "bare-read") or not p.totals or ref is None:
            continue
        if any(t != ref for t in p.totals):
            notes.append(f"N={n} {p.label}: totals {p.totals[0]} differ from nianbao's {ref} "
                         "(t3.new.total, t2.fees.amount in hundredths).")
        elif p.label in PEERS:
            notes.append(f"N={n} {p.label}: same totals as nianbao (t3.new.total {ref[0]}, "
                         f"t2.fees.amount {gf.fmt_amount(ref[1])}).")
    return rows, notes


MAIN_HEADER = ("| N | program | median wall s | returns/s | median CPU s | cores used | peak RSS MiB "
               "| wall ÷ bare-read | CPU ÷ bare-read | wall ÷ nianbao | CPU ÷ nianbao | exit |\n"
               "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
INC_HEADER = ("| N | nianbao run | median wall s | median CPU s | peak RSS MiB | files read fresh | × cold |\n"
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: |")


def composition(returns: Path) -> str:
    """The formats and size of a generated folder, e.g. "1,403 .xlsx, 297 .xls, 300 .ods; 16.2 MB"."""
    counts: dict[str, int] = {}
    size = 0
    for p in returns.iterdir():
        counts[p.suffix] = counts.get(p.suffix, 0) + 1
        size += p.stat().st_size
    fmts = ", ".join(f"{counts[s]:,} {s}" for s in (".xlsx", ".xls", ".ods") if s in counts)
    return f"{fmts}; {size / 1e6:.1f} MB"


def table(header: str, rows: list[tuple]) -> str:
    return "\n".join([header] + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the nianbao binary, e.g. target/release/nianbao")
    ap.add_argument("--baseline", help="another nianbao binary run alternately on the same files "
                    "(e.g. an earlier commit's); its ratios to nianbao are in the table")
    ap.add_argument("--bare-read", help="the bare-read binary (cargo build --release -p nianbao-bench), "
                    "the floor the ratios are taken to")
    ap.add_argument("--sizes", default="42,2000,10000", help="comma-separated numbers of returns")
    ap.add_argument("--peers-at", default="2000", help="comma-separated sizes at which the Python peers "
                    "(scripts/peers/) run too; empty for none")
    ap.add_argument("--python", default=sys.executable, help="the interpreter of the peers (the venv's)")
    ap.add_argument("--cache-dir", type=Path, help="keep generated folders here and reuse them")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic returns")
    ap.add_argument("--repeat", type=int, default=1, help="runs per program and size (medians are shown)")
    ap.add_argument("--jobs", type=int, default=1, help="processes used to generate the returns")
    ap.add_argument("--extra-args", default="", help="more arguments for nianbao; {roster} is replaced")
    ap.add_argument("--generate-only", action="store_true", help="only generate the folders")
    ap.add_argument("--incremental", default="", help="comma-separated sizes at which to time "
                    "`nianbao run` on a workspace: cold (empty cache) and the re-run after one "
                    "return changed")
    ap.add_argument("--results", type=Path, help="also write the tables, with the date, machine and "
                    "commit, to this Markdown file (e.g. bench/results.md)")
    args = ap.parse_args()

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    peers_at = {int(x) for x in args.peers_at.split(",") if x.strip()}
    extra = shlex.split(args.extra_args.replace("{roster}", "{ROSTER}"))

    def nianbao(label: str, binary: str) -> Program:
        return Program(label, [binary, "consolidate", "{DIR}", "--out", "{OUT}/out.xlsx",
                               "--json", "{OUT}/report.json", *extra], ok_codes=(0, 1))

    binaries = [("nianbao", str(Path(args.bin).resolve()))]
    if args.baseline:
        binaries.append(("baseline", str(Path(args.baseline).resolve())))
    if args.bare_read:
        binaries.append(("bare-read", str(Path(args.bare_read).resolve())))
    for _, b in binaries:
        if not args.generate_only and not os.access(b, os.X_OK):
            sys.exit(f"not an executable: {b}")
    if peers_at & set(sizes) and not args.generate_only:
        missing = [m for m in ("pandas", "openpyxl", "xlrd", "odf", "polars", "python_calamine", "xlsxwriter")
                   if subprocess.run([args.python, "-c", f"import {m}"], capture_output=True).returncode]
        if missing:
            sys.exit(f"the peers need {', '.join(missing)} in {args.python}: "
                     "pip install -r scripts/requirements.txt (make bench does)")

    tmp = None
    root = args.cache_dir
    if root is None:
        tmp = tempfile.mkdtemp(prefix="nianbao-bench-")
        root = Path(tmp)
    root.mkdir(parents=True, exist_ok=True)
    rows, notes = [], []
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        for n in sizes:
            returns = generate(n, args.seed, root, args.jobs)
            if args.generate_only:
                continue
            programs = []
            for label, b in binaries:
                programs.append(nianbao(label, b) if label != "bare-read" else Program(label, [b, "{DIR}"]))
            if n in peers_at:
                for label, script in PEERS.items():
                    programs.append(Program(label, [args.python, str(script), "{DIR}", "--out", "{OUT}/totals.xlsx"]))
            r, nt = size_rows(n, bench_size(n, returns, programs, args.repeat))
            rows.extend(r)
            notes.append(f"N={n}: {composition(returns)}.")
            notes.extend(nt)
        inc_rows = []
        if not args.generate_only:
            for n in [int(x) for x in args.incremental.split(",") if x.strip()]:
                inc_rows.extend(incremental(binaries[0][1], n, args, root))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.generate_only:
        return
    text = ""
    if rows:
        text += table(MAIN_HEADER, rows) + "\n"
    if inc_rows:
        text += "\n" + table(INC_HEADER, inc_rows) + "\n"
    if notes:
        text += "\n" + "\n".join(f"- {x}" for x in notes) + "\n"
    print(text, end="")
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(results_md(text, args, started, binaries), encoding="utf-8")
        print(f"wrote {args.results}", file=sys.stderr)


def incremental(binary: str, n: int, args, root: Path) -> list[tuple]:
    """`nianbao run` on a workspace of N returns: cold (cache and state removed) and the re-run
    after one return changed (one file taken away and put back, alternately), medians."""
    returns = generate(n, args.seed, root, args.jobs)
    tmp = Path(tempfile.mkdtemp(prefix=f"nianbao-bench-ws-{n}-"))
    try:
        ws = tmp / "ws"
        subprocess.run([binary, "init", str(ws), "--year", "2022", "--roster",
                        str(returns.parent / "roster.csv")], check=True, stdout=subprocess.DEVNULL)
        copy = tmp / "returns"
        shutil.copytree(returns, copy)
        # In a nightly folder the returns arrived hours before the run: let them settle, so that
        # `run` records their stamps (it trusts a stamp only for a file untouched for 3 s).
        time.sleep(3.5)
        toml = ws / "nianbao.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('returns = "returns"', f'returns = "{copy}"'),
                        encoding="utf-8")
        one = sorted(copy.iterdir())[0]
        aside = tmp / one.name
        state = ws / ".nianbao"
        cold, warm, fresh, idle = [], [], [], []
        for k in range(args.repeat):
            shutil.rmtree(state / "cache", ignore_errors=True)
            (state / "state.json").unlink(missing_ok=True)
            cold.append(run_once([binary, "run", str(ws), "-q"], tmp))
            if k % 2 == 0:
                one.rename(aside)
            else:
                aside.rename(one)
            warm.append(run_once([binary, "run", str(ws), "-q"], tmp))
            last = (state / "runs.jsonl").read_text(encoding="utf-8").strip().splitlines()[-1]
            fresh.append(json.loads(last)["read_fresh"])
            # The floor of any re-run: nothing changed, so nothing is read or written.
            idle.append(run_once([binary, "run", str(ws), "-q"], tmp))
            print(f"N={n} run: cold {cold[-1].wall:.2f} s, re-run {warm[-1].wall:.2f} s", file=sys.stderr)
        floor = write_floor([ws / "out" / "汇总.xlsx", ws / "out" / "report.json"], max(args.repeat, 5))
        c, w = median([r.wall for r in cold]), median([r.wall for r in warm])
        return [(n, "cold", f"{c:.3f}", f"{median([r.cpu for r in cold]):.3f}", f"{max(r.rss for r in cold):.1f}",
                 n, "1.00"),
                (n, "one return changed", f"{w:.3f}", f"{median([r.cpu for r in warm]):.3f}",
                 f"{max(r.rss for r in warm):.1f}", max(fresh), f"{w / c:.2f}"),
                (n, "nothing changed (nothing written)", f"{median([r.wall for r in idle]):.3f}",
                 f"{median([r.cpu for r in idle]):.3f}", f"{max(r.rss for r in idle):.1f}", 0,
                 f"{median([r.wall for r in idle]) / c:.2f}"),
                (n, "its outputs' bytes alone, written durably (the floor of any run that writes)",
                 f"{floor:.3f}", "", "", 0, f"{floor / c:.2f}")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_floor(outputs: list[Path], repeat: int) -> float:
    """The median time to write the bytes of `outputs` as a run writes them: each to a temporary
    beside it, synced, renamed (here over a scratch name, not the output), the folder synced."""
    data = [(p, p.read_bytes()) for p in outputs]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for p, b in data:
            tmp, done = p.with_name(f".floor-{p.name}.tmp"), p.with_name(f".floor-{p.name}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                view = memoryview(b)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, done)
        dfd = os.open(outputs[0].parent, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
        times.append(time.perf_counter() - t)
    for p, _ in data:
        p.with_name(f".floor-{p.name}").unlink(missing_ok=True)
    return median(times)


# ---------------------------------------------------------------------------------------------
# bench/results.md
# ---------------------------------------------------------------------------------------------


def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> str:
    model = "?"
    mem = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {sh(['nproc']) or '?'}), {model}, {mem} memory, {platform.system()} {platform.release()}"


def results_md(text: str, args, started: datetime.datetime, binaries: list[tuple[str, str]]) -> str:
    commit = sh(["git", "rev-parse", "--short", "HEAD"]) or "?"
    if sh(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    versions = sh([args.python, "-c", "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
                   "('pandas', 'openpyxl', 'xlrd', 'odfpy', 'polars', 'python-calamine', 'XlsxWriter')))"])
    sizes = ", ".join(f"{Path(b).name} {os.path.getsize(b) / 1e6:.1f} MB" for _, b in binaries)
    cmd = " ".join(shlex.quote(a) for a in ["scripts/bench.py", *sys.argv[1:]])
    return f"""# Benchmark results

Written by `scripts/bench.py` (`make bench`); do not edit by hand.

- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}
- Machine: {machine()}
- Commit: {commit}
- Command: `{cmd}`
- Binaries: {sizes}; {sh(['rustc', '--version']) or 'rustc ?'}
- Python peers: Python {sh([args.python, '-c', 'import platform; print(platform.python_version())'])}, {versions or '?'}

{text}
How each number is measured: every run is one child process on a folder of N synthetic returns
(scripts/bench.py's generator: about 70 % .xlsx, 15 % .xls, 15 % .ods, the layout variants of
scripts/gen_fixtures.py), the programs run in turn, {args.repeat} times each. *wall* is the time from
spawning the child (under GNU time) to `os.wait4` returning (median); *CPU* is user + system time
from the rusage of `os.wait4` (median; every thread counted), so *cores used* = CPU ÷ wall; *peak
RSS* is the child's own `ru_maxrss` from GNU time's `%M` (the largest of the runs); *returns/s* =
N ÷ median wall; the ratios divide medians. *nianbao* is `nianbao consolidate DIR --out … --json …` (reads, checks every rule,
writes the workbook and the JSON report; .xlsx through its own lean reader, which gives the grids
calamine gives, .xls through calamine, .ods through its own reader); *bare-read* (`crates/nianbao-bench`) only opens every
file with calamine in parallel and visits every non-empty cell; the peers (scripts/peers/) are
one Python process reading file after file, finding the tables by label, summing a unit × field
frame and writing an xlsx, without rules. "noisy" counts runs during which a compiler was running.
*nianbao run*: a workspace whose returns were copied in and left to settle 3.5 s (in a nightly
folder they arrived hours before); *cold* with the cache and state removed, *one return changed*
the next run after one file was taken away or put back, *nothing changed* the run after that
(every file's stamp unchanged: nothing read, hashed or written); *its outputs' bytes alone*: the
workbook's and the JSON report's bytes written as a run writes them (a temporary each, synced,
renamed, the folder synced), by the benchmark itself — what no run that writes its outputs can
go below on this machine.
"""


if __name__ == "__main__":
    main()
