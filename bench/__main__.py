"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same run.
`python -m bench intake|board|webhooks|casework|embedded` runs one."""

import sys

from bench import board, casework, embedded, intake, webhooks

BENCHMARKS = {
    "intake": intake,
    "board": board,
    "webhooks": webhooks,
    "casework": casework,
    "embedded": embedded,
}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    for name in chosen:
        module = BENCHMARKS[name]
        module.report(module.run())


if __name__ == "__main__":
    main()
