#!/usr/bin/env python3
"""Benchmark `nianbao consolidate` on folders of N synthetic returns.

    .venv/bin/python scripts/bench.py --bin target/release/nianbao --sizes 42,1000,5000

For each N, N balanced returns of made-up units (unique names, mostly .xlsx, about 15 % .xls and
15 % .ods, with the layout variants and artefacts of scripts/gen_fixtures.py) are generated into
a folder, then `BIN consolidate DIR --out OUT/out.xlsx --json OUT/report.json` is run and timed
(exit status 0 or 1 both count as a completed run). Prints a Markdown table: N, wall seconds,
returns per second, the child's peak RSS (from `/usr/bin/time -f %M`, else from getrusage in a
fresh subprocess).

Generated folders are kept under --cache-dir (reused by later runs with the same N and seed);
without it they go to a temporary folder that is removed at the end. Each folder also holds a
roster.csv beside (not inside) the returns folder; pass it with e.g.
`--extra-args "--roster {roster}"` if the command wants one.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_fixtures as gf  # noqa: E402

GEN_VERSION = 1  # bump when the generated files change, to invalidate cached folders
FORMATS = [("xlsx", 0.70), ("xls", 0.15), ("ods", 0.15)]


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


def run_once(cmd: list[str], outdir: Path) -> tuple[int, float, float | None]:
    """Runs cmd; returns (exit status, wall seconds, peak RSS MiB or None)."""
    log_out = open(outdir / "stdout.log", "wb")
    log_err = open(outdir / "stderr.log", "wb")
    rss_file = outdir / "maxrss.txt"
    if os.path.exists("/usr/bin/time"):
        full = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd]
    else:
        # A fresh interpreter whose only child is the command: RUSAGE_CHILDREN is then its peak.
        probe = (
            "import resource, subprocess, sys\n"
            "rc = subprocess.run(sys.argv[2:]).returncode\n"
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
            "sys.exit(rc)\n"
        )
        full = [sys.executable, "-c", probe, str(rss_file), *cmd]
    t0 = time.perf_counter()
    rc = subprocess.run(full, stdout=log_out, stderr=log_err, stdin=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    log_out.close()
    log_err.close()
    rss = None
    try:
        lines = [x for x in rss_file.read_text().split() if x.strip().isdigit()]
        rss = int(lines[-1]) / 1024 if lines else None  # KiB → MiB (both sources report KiB on Linux)
    except OSError:
        pass
    return rc, wall, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the nianbao binary, e.g. target/release/nianbao")
    ap.add_argument("--baseline", help="another nianbao binary run alternately on the same files "
                    "(e.g. an earlier commit's); the table gives each median and their ratio")
    ap.add_argument("--sizes", default="42,1000,5000", help="comma-separated numbers of returns")
    ap.add_argument("--cache-dir", type=Path, help="keep generated folders here and reuse them")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic returns")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the median wall time is shown)")
    ap.add_argument("--jobs", type=int, default=1, help="processes used to generate the returns")
    ap.add_argument("--extra-args", default="", help="more arguments for the command; {roster} is replaced")
    ap.add_argument("--generate-only", action="store_true", help="only generate the folders")
    ap.add_argument("--incremental", default="", help="comma-separated sizes at which to time "
                    "`nianbao run` on a workspace: cold (empty cache) and the re-run after one "
                    "return changed")
    args = ap.parse_args()

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    binaries = [("nianbao", str(Path(args.bin).resolve()))]
    if args.baseline:
        binaries.append(("baseline", str(Path(args.baseline).resolve())))
    for _, b in binaries:
        if not args.generate_only and not os.access(b, os.X_OK):
            sys.exit(f"not an executable: {b}")

    tmp = None
    root = args.cache_dir
    if root is None:
        tmp = tempfile.mkdtemp(prefix="nianbao-bench-")
        root = Path(tmp)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in sizes:
            returns = generate(n, args.seed, root, args.jobs)
            if args.generate_only:
                continue
            walls = {label: [] for label, _ in binaries}
            rsss = {label: [] for label, _ in binaries}
            rcs = {label: [] for label, _ in binaries}
            # Alternate the binaries run by run, so that the machine's noise falls on both alike.
            for k in range(args.repeat):
                for label, binary in binaries:
                    outdir = Path(tempfile.mkdtemp(prefix=f"nianbao-bench-out-{n}-"))
                    extra = [x.replace("{roster}", str(returns.parent / "roster.csv"))
                             for x in shlex.split(args.extra_args)]
                    cmd = [binary, "consolidate", str(returns), "--out", str(outdir / "out.xlsx"),
                           "--json", str(outdir / "report.json"), *extra]
                    rc, wall, rss = run_once(cmd, outdir)
                    rcs[label].append(rc)
                    if rc not in (0, 1):
                        err = (outdir / "stderr.log").read_text(errors="replace")[-2000:]
                        print(f"N={n} {label}: run {k + 1} exited with {rc}; stderr tail:\n{err}",
                              file=sys.stderr)
                    else:
                        walls[label].append(wall)
                        if rss is not None:
                            rsss[label].append(rss)
                    print(f"N={n} {label}: run {k + 1}: exit {rc}, {wall:.2f} s, peak RSS "
                          f"{'?' if rss is None else f'{rss:.1f} MiB'}", file=sys.stderr)
                    shutil.rmtree(outdir, ignore_errors=True)
            base = statistics.median(walls["baseline"]) if walls.get("baseline") else None
            for label, _ in binaries:
                if walls[label]:
                    w = statistics.median(walls[label])
                    ratio = f"{w / base:.2f}" if base else "-"
                    rows.append((n, label, f"{w:.3f}", f"{n / w:.0f}",
                                 f"{max(rsss[label]):.1f}" if rsss[label] else "?", ratio,
                                 ",".join(map(str, rcs[label]))))
                else:
                    rows.append((n, label, "failed", "-", "-", "-", ",".join(map(str, rcs[label]))))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    inc_rows = []
    for n in [int(x) for x in args.incremental.split(",") if x.strip()]:
        inc_rows.extend(incremental(binaries[0][1], n, args, root))
    if inc_rows:
        print("| N | nianbao run | median wall s | files read fresh | × cold |")
        print("| ---: | --- | ---: | ---: | ---: |")
        for r in inc_rows:
            print("| " + " | ".join(map(str, r)) + " |")
        print()
    if rows:
        print("| N | binary | median wall s | returns/s | peak RSS MiB | × baseline | exit |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
        for r in rows:
            print("| " + " | ".join(map(str, r)) + " |")


def incremental(binary: str, n: int, args, root: Path) -> list[tuple]:
    """`nianbao run` on a workspace of N returns: cold (cache and state removed) and the re-run
    after one return changed (one file taken away and put back, alternately), medians."""
    import json
    returns = generate(n, args.seed, root, args.jobs)
    tmp = Path(tempfile.mkdtemp(prefix=f"nianbao-bench-ws-{n}-"))
    try:
        ws = tmp / "ws"
        subprocess.run([binary, "init", str(ws), "--year", "2022", "--roster",
                        str(returns.parent / "roster.csv")], check=True, stdout=subprocess.DEVNULL)
        copy = tmp / "returns"
        shutil.copytree(returns, copy)
        toml = ws / "nianbao.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('returns = "returns"', f'returns = "{copy}"'),
                        encoding="utf-8")
        one = sorted(copy.iterdir())[0]
        aside = tmp / one.name
        state = ws / ".nianbao"
        cold, warm, fresh = [], [], []
        for k in range(args.repeat):
            shutil.rmtree(state / "cache", ignore_errors=True)
            (state / "state.json").unlink(missing_ok=True)
            _, wall, _ = run_once([binary, "run", str(ws), "-q"], tmp)
            cold.append(wall)
            if k % 2 == 0:
                one.rename(aside)
            else:
                aside.rename(one)
            _, wall, _ = run_once([binary, "run", str(ws), "-q"], tmp)
            warm.append(wall)
            last = (state / "runs.jsonl").read_text(encoding="utf-8").strip().splitlines()[-1]
            fresh.append(json.loads(last)["read_fresh"])
            print(f"N={n} run: cold {cold[-1]:.2f} s, re-run {warm[-1]:.2f} s", file=sys.stderr)
        c, w = statistics.median(cold), statistics.median(warm)
        return [(n, "cold", f"{c:.3f}", n, "1.00"),
                (n, "one return changed", f"{w:.3f}", max(fresh), f"{w / c:.2f}")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
