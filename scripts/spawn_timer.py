#!/usr/bin/env python3
"""Time whole processes side by side: `spawn_timer.py RUNS GOAL 'cmd A ...' 'cmd B ...'`.

Each round starts A then B (posix_spawn, output to /dev/null) and records each wall time, so both see the same
machine state; a noisy neighbour or a frequency change hits both. Prints per-command median, p10 and p90 and
the ratio of medians B / A against GOAL (how many times faster A must be). A must exit 0 (a benchmark of a
failing run measures nothing); B's status is ignored (pdfsig exits non-zero for an untrusted signer).
"""
import os
import shlex
import statistics
import sys
import time


def run_once(argv):
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status = os.waitpid(pid, 0)
        return time.perf_counter_ns() - start, os.waitstatus_to_exitcode(status)
    finally:
        os.close(devnull)


def main():
    runs, goal = int(sys.argv[1]), float(sys.argv[2])
    ours, theirs = shlex.split(sys.argv[3]), shlex.split(sys.argv[4])
    times = ([], [])
    for _ in range(runs):
        elapsed, code = run_once(ours)
        if code != 0:
            sys.exit(f"{ours[0]} exited {code}: nothing to measure")
        times[0].append(elapsed)
        times[1].append(run_once(theirs)[0])
    medians = []
    for argv, t in zip((ours, theirs), times):
        t.sort()
        m = statistics.median(t)
        medians.append(m)
        print(f"  {os.path.basename(argv[0]):8} median {m / 1e6:6.2f} ms   p10 {t[len(t) // 10] / 1e6:6.2f}"
              f"   p90 {t[len(t) * 9 // 10] / 1e6:6.2f}   ({runs} runs, alternating)")
    ratio = medians[1] / medians[0]
    verdict = "met" if ratio >= goal else "NOT met"
    print(f"  {os.path.basename(ours[0])} is {ratio:.1f}x faster than {os.path.basename(theirs[0])} "
          f"(goal >= {goal:g}x: {verdict})")


if __name__ == "__main__":
    main()
