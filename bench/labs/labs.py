#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/labs/labs.py - the arithmetic and the table of bench/labs/run-labs.sh.

    labs.py row --lab L --seed S --threads 1,2,4,8 --sweep DIR (--cpython-sweep DIR | --cpython-log TSV)
                [--note TEXT]...
        one JSON line for a lab and seed: the sweep's recommendation (from DIR/results.json),
        the real CPython copier's durable MB/s per thread count (median, min, max, runs), its
        best count, and the share of that best the recommended count gets.
    labs.py table ROWS.jsonl [--goal 0.95]
        the Markdown table of every row, and how many reached the goal.

The CPython numbers come from a sweep of the `cpython` strategy (its cells) or, with a binary
that has none, from the log run-labs.sh writes (header: round, contender, threads, copied_s,
durable_s, bytes) of tests/helpers/shutil_copy.py runs.
"""
import argparse
import csv
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def summarise(values):
    return {
        "runs": len(values),
        "median_mb_s": statistics.median(values) if values else None,
        "min_mb_s": min(values) if values else None,
        "max_mb_s": max(values) if values else None,
    }


def cells_from_sweep(results, strategy):
    """{threads: statistics} of one strategy's cells in a results.json (the tool's own)."""
    out = {}
    for c in results.get("cells", []):
        if c.get("strategy") == strategy and c.get("jobs", 1) == 1:
            out[int(c["threads"])] = {k: c.get(k) for k in
                                      ("runs", "median_mb_s", "min_mb_s", "max_mb_s")}
    return out


def cells_from_log(path):
    """{threads: statistics} of the durable MB/s in run-labs.sh's log of shutil_copy.py runs."""
    runs = {}
    with open(path) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            runs.setdefault(int(r["threads"]), []).append(
                int(r["bytes"]) / float(r["durable_s"]) / 1e6)
    return {n: summarise(v) for n, v in runs.items()}


def row(a):
    notes = list(a.note or [])
    threads = [int(t) for t in a.threads.split(",")]
    rec = {"threads": None, "confidence": None, "mb_s": None, "reason": None, "strategy": None}
    try:
        sweep = load(a.sweep + "/results.json")
        rec.update({k: sweep.get("recommendation", {}).get(k) for k in rec})
        notes += [f"sweep: {w}" for w in sweep.get("warnings", [])]
    except (OSError, ValueError) as e:
        notes.append(f"no sweep results: {e}")
    try:
        if a.cpython_sweep:
            cells = cells_from_sweep(load(a.cpython_sweep + "/results.json"), "cpython")
            source = "cpython strategy"
        else:
            cells = cells_from_log(a.cpython_log)
            source = "shutil_copy.py"
    except (OSError, ValueError, KeyError) as e:
        cells, source = {}, None
        notes.append(f"no cpython results: {e}")
    cpython = {str(n): cells.get(n, summarise([])) for n in threads}
    measured = {n: c["median_mb_s"] for n, c in cpython.items() if c["median_mb_s"]}
    best = max(measured, key=measured.get) if measured else None
    share = None
    if best and rec["threads"] is not None and str(rec["threads"]) in measured:
        share = measured[str(rec["threads"])] / measured[best]
    elif rec["threads"] is not None:
        notes.append(f"cpython has no median at the recommended {rec['threads']} threads")
    print(json.dumps({
        "lab": a.lab, "seed": a.seed, "copier": a.copier, "recommendation": rec,
        "cpython_source": source,
        "cpython": cpython, "best_threads": int(best) if best else None, "share": share,
        "notes": notes,
    }))


def fmt_cell(c):
    if c["median_mb_s"] is None:
        return "–"
    return f"{c['median_mb_s']:.0f} [{c['min_mb_s']:.0f}–{c['max_mb_s']:.0f}]"


def apart(r):
    """Whether CPython's own runs tell its best count from the recommended one: "yes" when
    every run at the best count was faster than every run at the recommended count, "no" when
    their [min-max] ranges overlap (the share then rests on the copier's own noise), "-" when
    they are the same count or one is missing."""
    rec, best = r["recommendation"]["threads"], r["best_threads"]
    if rec is None or best is None or rec == best:
        return "–"
    a, b = r["cpython"].get(str(best)), r["cpython"].get(str(rec))
    if not a or not b or a["min_mb_s"] is None or b["max_mb_s"] is None:
        return "–"
    return "yes" if a["min_mb_s"] > b["max_mb_s"] else "no"


def table(a):
    rows = [json.loads(line) for line in open(a.rows) if line.strip()]
    if not rows:
        sys.exit("labs.py: no rows in " + a.rows)
    threads = sorted({int(n) for r in rows for n in r["cpython"]})
    print("| lab | seed | copier | recommended (confidence) | "
          + " | ".join(f"cpython {n} thr MB/s" for n in threads)
          + " | best | share | pass | best apart |")
    print("|---|---|---|---|" + "---:|" * len(threads) + "---|---:|---|---|")
    passed = 0
    for r in rows:
        rec = r["recommendation"]
        share = r["share"]
        ok = share is not None and share >= a.goal
        passed += ok
        print(f"| {r['lab']} | {r['seed']} | {r.get('copier') or rec.get('strategy') or 'shutil'} | "
              f"{rec['threads'] if rec['threads'] is not None else '–'} ({rec['confidence'] or '–'}) | "
              + " | ".join(fmt_cell(r["cpython"].get(str(n), {"median_mb_s": None})) for n in threads)
              + f" | {r['best_threads'] or '–'} | "
              + (f"{100 * share:.1f} %" if share is not None else "–")
              + f" | {'pass' if ok else 'FAIL'} | {apart(r)} |")
    print()
    print(f"{passed} of {len(rows)} lab runs reach {100 * a.goal:.0f} % of the real copier's best "
          "(durable MB/s of CPython's shutil.copyfile in a ThreadPoolExecutor: median [min–max]).")
    print("\"best apart\": whether every CPython run at its best count beat every one at the "
          "recommended count; \"no\" means the two overlap, so the share rests on the copier's "
          "own spread.")
    notes = [(r["lab"], r["seed"], n) for r in rows for n in r["notes"]]
    if notes:
        print()
        for lab, seed, n in notes:
            print(f"- {lab}, seed {seed}: {n}")
    sys.exit(0 if passed == len(rows) else 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("row")
    r.add_argument("--lab", required=True)
    r.add_argument("--seed", required=True, type=int)
    r.add_argument("--threads", required=True)
    r.add_argument("--sweep", required=True)
    r.add_argument("--copier", default="shutil",
                   help="the strategy the sweep measured and recommended from")
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--cpython-sweep")
    g.add_argument("--cpython-log")
    r.add_argument("--note", action="append")
    t = sub.add_parser("table")
    t.add_argument("rows")
    t.add_argument("--goal", type=float, default=0.95)
    a = p.parse_args()
    row(a) if a.cmd == "row" else table(a)


if __name__ == "__main__":
    main()
