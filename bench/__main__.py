"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same run, and
`bench/results.json` (one row per figure). `python -m bench intake|board|webhooks|casework|embedded|importing`
runs some; their rows replace the same rows of the file."""

import datetime as dt
import sys
import time

from bench import board, casework, embedded, importing, intake, results, webhooks

BENCHMARKS = {
    "intake": intake,
    "webhooks": webhooks,
    "embedded": embedded,
    "board": board,
    "importing": importing,
    "casework": casework,
}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    rows, began, took = [], time.monotonic(), {}
    for name in chosen:
        module = BENCHMARKS[name]
        started = time.monotonic()
        measured = module.run()
        took[name] = time.monotonic() - started
        module.report(measured)
        rows += module.rows(measured)
        results.write(rows)  # after each benchmark: a later failure keeps what was measured
    print(f"\n{'figure':<26} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    for row in rows:
        baseline = f"{row.baseline:10.1f}" if row.baseline is not None else f"{'—':>10}"
        ratio = f"{row.ratio:7.2f}" if row.ratio is not None else f"{'—':>7}"
        print(
            f"{row.name:<26} {row.value:10.1f} {baseline} {ratio}  {row.target}: "
            f"{'met' if row.met else 'NOT MET'}   ({row.unit})"
        )
    took_line = ", ".join(f"{name} {_minutes(seconds)}" for name, seconds in took.items())
    took_line += f"; {_minutes(time.monotonic() - began)} in all"
    print(f"took {took_line} (the budget is 25 min on 2 cores)")
    print(f"written to {results.RESULTS.relative_to(results.RESULTS.parents[1])}")
    if set(chosen) == set(BENCHMARKS):  # the README shows a whole run only
        results.update_readme(dt.date.today().isoformat(), f"took {took_line}")
        print("and to the README's Performance section")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


if __name__ == "__main__":
    main()
