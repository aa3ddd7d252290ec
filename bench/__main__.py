"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same run."""

from bench import intake


def main() -> None:
    intake.report(intake.run())


if __name__ == "__main__":
    main()
