#!/usr/bin/env python3
"""Recompute the sealed split of the lint corpus files named on the command line
(default: wild_zh_hans.txt and wild_zh_hant.txt beside this script).

For each file, 35% of its ids are chosen with
random.Random(20261207).sample(sorted(ids), k=round(0.35 * len(ids)))
and written, sorted, one per line, to sealed/<file stem>.ids.
"""
import pathlib
import random
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent


def split(path: pathlib.Path) -> pathlib.Path:
    ids = re.findall(r"^id:\s*(\S+)\s*$", path.read_text(encoding="utf-8"), re.M)
    if len(ids) != len(set(ids)):
        raise SystemExit(f"{path}: duplicate ids")
    chosen = random.Random(20261207).sample(sorted(ids), k=round(0.35 * len(ids)))
    out = HERE / "sealed" / (path.stem + ".ids")
    out.parent.mkdir(exist_ok=True)
    out.write_text("".join(i + "\n" for i in sorted(chosen)), encoding="utf-8")
    return out


def main(argv):
    files = [pathlib.Path(a) for a in argv] or [HERE / "wild_zh_hans.txt", HERE / "wild_zh_hant.txt"]
    for f in files:
        if f.exists():
            out = split(f)
            print(f"{out}: {len(out.read_text().split())} ids")


if __name__ == "__main__":
    main(sys.argv[1:])
