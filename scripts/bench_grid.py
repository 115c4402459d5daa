#!/usr/bin/env python3
"""Side-by-side grid benchmark: leadgrid vs csvlens (and VisiData if installed) in tmux.

Measures, on a generated lead list, for each tool in a 200x50 tmux pane (warm cache):
  - first screen: spawn -> first data row visible
  - last row: 'G' pressed -> last row number visible
  - peak RSS (VmHWM) after reaching the last row
  - (leadgrid only) save of the unchanged file: Ctrl-s -> "saved" message

Usage: scripts/bench_grid.py [--rows 1000000] [--csvlens PATH] [--runs 3]
Builds target/release/leadgrid if missing; generates lead-list/generated/leads-<rows>.csv.
csvlens: `cargo install csvlens --version 0.15.1 --root .bench-tools` (the script does it when --install-csvlens is given).
"""
import argparse, os, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SESSION = "lgbench"


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def capture():
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True).stdout


def wait(pred, timeout=60.0, step=0.002):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        screen = capture()
        if pred(screen):
            return time.perf_counter()
        time.sleep(step)
    raise TimeoutError("screen never matched:\n" + capture())


def pane_pid():
    return int(sh("tmux", "display", "-p", "-t", SESSION, "#{pane_pid}").strip())


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(cmd, first_row_text, last_row_text, save=False, ready_text=None):
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    t0 = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", "exec " + cmd], check=True)
    t_first = wait(lambda s: first_row_text in s)
    pid = pane_pid()
    if ready_text:
        # A tool whose G only reaches the rows counted so far gets G once its count is final.
        wait(lambda s: ready_text in s)
    t1 = time.perf_counter()  # G is pressed as soon as the tool can reach the last row
    subprocess.run(["tmux", "send-keys", "-t", SESSION, "G"], check=True)
    t_last = wait(lambda s: re.search(r"(^|\s)" + re.escape(last_row_text) + r"(\s|$)", s) is not None)
    result = {"first_ms": (t_first - t0) * 1000, "last_s": t_last - t1, "open_to_last_s": t_last - t0,
              "rss_mib": peak_rss_mib(pid)}
    if save:
        t2 = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", SESSION, "C-s"], check=True)
        t_saved = wait(lambda s: "saved " in s)
        result["save_s"] = t_saved - t2
        result["rss_mib"] = peak_rss_mib(pid)
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--csvlens", default=os.path.join(ROOT, ".bench-tools/bin/csvlens"))
    ap.add_argument("--install-csvlens", action="store_true")
    args = ap.parse_args()

    if shutil.which("tmux") is None:
        sys.exit("tmux is required (apt-get install tmux)")
    leadgrid = os.path.join(ROOT, "target/release/leadgrid")
    if not os.path.exists(leadgrid):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    if args.install_csvlens and not os.path.exists(args.csvlens):
        subprocess.run(["cargo", "install", "csvlens", "--version", "0.15.1", "--root", os.path.join(ROOT, ".bench-tools")], check=True)

    data = os.path.join(ROOT, f"lead-list/generated/leads-{args.rows}.csv")
    if not os.path.exists(data):
        os.makedirs(os.path.dirname(data), exist_ok=True)
        subprocess.run([leadgrid, "gen", "--rows", str(args.rows), "--out", data], check=True)
    size_mb = os.path.getsize(data) / 1e6
    subprocess.run(["cat", data], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    with open(data, newline="") as f:
        f.readline()
        first_name = f.readline().split(",")[0]

    # leadgrid follows G to the last row while it is still indexing; csvlens's G stops at the
    # rows counted so far, so it gets G once its status shows the full count.
    tools = {"leadgrid": (f"{leadgrid} {data}", True, None)}
    if os.path.exists(args.csvlens):
        tools["csvlens"] = (f"{args.csvlens} {data}", False, f"/{args.rows},")
    results = {}
    for name, (cmd, save, ready) in tools.items():
        runs = [measure(cmd, first_name, str(args.rows), save=save, ready_text=ready) for _ in range(args.runs)]
        results[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}

    print(f"file: {data} ({args.rows} rows, {size_mb:.0f} MB); median of {args.runs} runs; 200x50 tmux pane")
    print(f"{'tool':<10} {'first screen':>13} {'last row after G':>17} {'open→last row':>14} {'peak RSS':>10} {'save':>8}")
    for name, r in results.items():
        save = f"{r['save_s']:.2f} s" if "save_s" in r else "-"
        print(f"{name:<10} {r['first_ms']:>10.0f} ms {r['last_s']:>15.2f} s {r['open_to_last_s']:>12.2f} s "
              f"{r['rss_mib']:>6.1f} MiB {save:>8}")
    if "csvlens" in results:
        lg, cl = results["leadgrid"], results["csvlens"]
        print(f"ratios leadgrid/csvlens: first screen {lg['first_ms']/cl['first_ms']:.2f}, "
              f"open→last row {lg['open_to_last_s']/cl['open_to_last_s']:.2f}, RSS {lg['rss_mib']/cl['rss_mib']:.2f}")
    goals = results["leadgrid"]
    print(f"goals: first screen < 100 ms: {goals['first_ms'] < 100}; last row < 0.5 s from opening: {goals['open_to_last_s'] < 0.5}; "
          f"RSS < 64 MiB: {goals['rss_mib'] < 64}; save < 1 s: {goals.get('save_s', 99) < 1}")


if __name__ == "__main__":
    main()
