#!/usr/bin/env python3
"""Headless enrichment throughput against the demo server over real HTTP, vs the ideal and the prototype.

For parallel 5, 16 and 64: 1,000 generated rows through the three LinkedIn integrations
(`linkedin_profile`, `linkedin_post_activity`, `linkedin_claude_mentions`) against
`leadgrid demo-server --latency-ms 200`, rate limits off, no cache or journal.
Ideal = parallel / latency calls per second (every request slot always busy).
The Python prototype (official SDK, same mock latency) made 3 sequential calls per row on a
new connection each: 8 rows/s at parallel 5, 24.5 rows/s at parallel 16.

Usage: scripts/bench_run.py [--rows 1000] [--latency-ms 200] [--parallel 5,16,64]
"""
import argparse, json, os, re, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTOTYPE_ROWS_PER_S = {5: 8.0, 16: 24.5}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--parallel", default="5,16,64")
    args = ap.parse_args()
    leadgrid = os.path.join(ROOT, "target/release/leadgrid")
    if not os.path.exists(leadgrid):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="lgbench-")
    data = os.path.join(tmp, "leads.csv")
    subprocess.run([leadgrid, "gen", "--rows", str(args.rows), "--out", data], check=True)
    config = os.path.join(tmp, "config.toml")
    with open(config, "w") as f:
        f.write("[rate_limits]\ndatagen = 0\nheyreach = 0\n")

    print(f"{args.rows} rows × 3 LinkedIn integrations, demo server at {args.latency_ms} ms, rate limits off")
    print(f"{'parallel':>8} {'rows/s':>8} {'calls/s':>8} {'ideal':>7} {'ratio':>6} {'calls/row':>9} {'peak':>5} {'vs prototype':>13}")
    for parallel in [int(p) for p in args.parallel.split(",")]:
        server = subprocess.Popen([leadgrid, "demo-server", "--port", "0", "--latency-ms", str(args.latency_ms)],
                                  stderr=subprocess.PIPE, text=True)
        line = server.stderr.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        env = dict(os.environ, DATAGEN_BASE_URL=base, DATAGEN_API_KEY="demo", LEADGRID_CONFIG=config)
        out = subprocess.run([leadgrid, "run", data, "--no-store", "--json", "--parallel", str(parallel),
                              "-o", os.path.join(tmp, f"out-{parallel}.csv"),
                              "-i", "linkedin_profile,linkedin_post_activity,linkedin_claude_mentions"],
                             env=env, capture_output=True, text=True)
        stats = json.load(urllib.request.urlopen(base + "/stats/summary"))
        server.terminate()
        server.wait()
        if out.returncode not in (0, 2):
            sys.exit(out.stderr)
        summary = json.loads(out.stdout)
        secs = summary["elapsed_secs"]
        calls = summary["calls_made"]
        ideal = parallel / (args.latency_ms / 1000)
        rows_s = args.rows / secs
        proto = PROTOTYPE_ROWS_PER_S.get(parallel)
        vs = f"{rows_s / proto:.1f}×" if proto else "-"
        print(f"{parallel:>8} {rows_s:>8.1f} {calls / secs:>8.1f} {ideal:>7.0f} {calls / secs / ideal:>6.2f} "
              f"{calls / args.rows:>9.2f} {stats['peak_in_flight']:>5} {vs:>13}")


if __name__ == "__main__":
    main()
