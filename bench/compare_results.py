"""Merges Loom's benchmark suites into one report: GFLOP/s, percent of the measured FMA peak, Loom/oneDNN ratios
and AOT compile times; stores it as bench/results/<cpu>.json and checks the ratios against the stored run.

Called by bench/run_benchmarks.sh; see there for the options. Exit status 1 means a regression: a Loom/oneDNN
ratio fell by more than the threshold (a fraction of the stored ratio).
"""

import argparse
import json
import pathlib
import re
import sys


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def rounds(paths):
    """{round: {benchmark name without /real_time: {gflops, ms}}} from Google Benchmark JSON files named
    round<k>.<group>.<suite>.json (run_benchmarks.sh); a file named otherwise is round 1."""
    result = {}
    for path in paths:
        m = re.match(r"round(\d+)\.", pathlib.Path(path).name)
        rows = result.setdefault(int(m.group(1)) if m else 1, {})
        for b in json.load(open(path))["benchmarks"]:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            name = re.sub(r"/real_time(_median)?$", "", b["run_name"])
            gflops = b.get("GFLOP/s", 0.0)
            rows[name] = {"gflops": gflops / 1e9 if gflops > 1e6 else gflops,
                          "ms": b["real_time"] if b.get("time_unit") == "ms" else None}
    return result


def medians(by_round):
    """{benchmark: {gflops, ms}}: each the median over the rounds."""
    names = sorted({name for rows in by_round.values() for name in rows})
    result = {}
    for name in names:
        runs = [rows[name] for rows in by_round.values() if name in rows]
        ms = [run["ms"] for run in runs if run["ms"] is not None]
        result[name] = {"gflops": median([run["gflops"] for run in runs]), "ms": median(ms) if ms else None}
    return result


def ratios(rows):
    """Loom/oneDNN throughput for each cell, shape and kind: forward against oneDNN's training forward (both keep
    what backward needs) and against its inference forward, training against forward + backward."""
    result = {}
    for name, row in rows.items():
        m = re.match(r"loom_(lstm|gru|rnn)_(forward|training)/(.+)", name)
        if not m:
            continue
        cell, kind, shape = m.groups()
        pairs = [(kind, f"onednn_{cell}_{kind}/{shape}")]
        if kind == "forward":
            pairs.append(("forward_vs_inference", f"onednn_{cell}_inference/{shape}"))
        for label, baseline in pairs:
            if baseline in rows and rows[baseline]["gflops"] > 0:
                result[f"{cell}_{label}/{shape}"] = row["gflops"] / rows[baseline]["gflops"]
    return result


def paired_ratios(by_round):
    """The median over the rounds of each round's own Loom/oneDNN ratio (runs seconds apart)."""
    per_round = [ratios(rows) for rows in by_round.values()]
    names = sorted({name for r in per_round for name in r})
    return {name: median([r[name] for r in per_round if name in r]) for name in names}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--threshold", type=float, default=0.15)
    parser.add_argument("--update", type=int, default=0)
    parser.add_argument("--compile-times")
    parser.add_argument("--stored", required=True)
    parser.add_argument("suites", nargs="+")
    args = parser.parse_args()

    by_round = rounds(args.suites)
    rows = medians(by_round)
    peak = rows.get(f"fma_peak/threads:{args.threads}", {}).get("gflops") or rows.get("fma_peak/threads:1", {}).get("gflops")
    print(f"{'benchmark':52} {'ms':>9} {'GFLOP/s':>9} {'% peak':>7}")
    for name in sorted(rows):
        row = rows[name]
        share = f"{100 * row['gflops'] / peak:6.1f}%" if peak and not name.startswith("fma_peak") else ""
        ms = f"{row['ms']:9.2f}" if row["ms"] is not None else " " * 9
        print(f"{name:52} {ms} {row['gflops']:9.1f} {share:>7}")
    if peak:
        print(f"FMA peak with {args.threads} threads: {peak:.0f} GFLOP/s")

    current = paired_ratios(by_round)
    if current:
        print(f"\n{'Loom / oneDNN (throughput, median of ' + str(len(by_round)) + ' paired rounds)':52} {'ratio':>9}")
        for name in sorted(current):
            print(f"{name:52} {current[name]:9.2f}")

    compile_times = {}
    if args.compile_times and pathlib.Path(args.compile_times).exists():
        for line in open(args.compile_times):
            model, seconds = line.split("\t")
            compile_times[model] = float(seconds)
        if compile_times:
            slowest = max(compile_times, key=compile_times.get)
            print(f"\nAOT compile time of {len(compile_times)} models: median "
                  f"{sorted(compile_times.values())[len(compile_times) // 2]:.1f} s, slowest {slowest} "
                  f"{compile_times[slowest]:.1f} s")

    stored_path = pathlib.Path(args.stored)
    regressions = []
    if stored_path.exists() and not args.update:
        stored = json.load(open(stored_path)).get("ratios", {})
        for name, ratio in sorted(current.items()):
            before = stored.get(name)
            if before and ratio < before * (1 - args.threshold):
                regressions.append(f"{name}: {before:.2f} -> {ratio:.2f}")
        print(f"\ncompared {len(set(stored) & set(current))} ratios with {stored_path} "
              f"(threshold {100 * args.threshold:.0f}%)")
    if not stored_path.exists() or args.update:
        stored_path.parent.mkdir(parents=True, exist_ok=True)
        json.dump({"cpu": args.cpu, "threads": args.threads, "rounds": len(by_round), "fma_peak_gflops": peak, "ratios": current,
                   "benchmarks": rows, "compile_seconds": compile_times}, open(stored_path, "w"), indent=1)
        print(f"stored this run as the reference in {stored_path}")
    if regressions:
        print("REGRESSION: Loom/oneDNN ratios fell by more than the threshold:\n  " + "\n  ".join(regressions))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
