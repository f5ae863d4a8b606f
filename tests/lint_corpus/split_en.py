#!/usr/bin/env python3
"""Recompute the sealed split of the wild corpus files: 35% of each file's ids,
chosen with random.Random(20261207).sample(sorted(ids), k=round(0.35 * len(ids))),
written sorted, one a line, to sealed/<file-stem>.ids.

    python3 tests/lint_corpus/split_en.py [FILE.txt ...]   (default: wild_en, wild_mixed, wild_other)
"""
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT = ["wild_en.txt", "wild_mixed.txt", "wild_other.txt"]


def ids_of(path):
    return [line[3:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("id:")]


def main(names):
    for name in names or DEFAULT:
        path = HERE / name
        if not path.exists():
            continue
        ids = ids_of(path)
        sealed = sorted(random.Random(20261207).sample(sorted(ids), k=round(0.35 * len(ids))))
        out = HERE / "sealed" / (path.stem + ".ids")
        out.parent.mkdir(exist_ok=True)
        out.write_text("".join(i + "\n" for i in sealed), encoding="utf-8")
        print(f"{out.relative_to(HERE)}: {len(sealed)} of {len(ids)}")


if __name__ == "__main__":
    main(sys.argv[1:])
