"""``python -m auditor_lab.generator OUT_DIR --n 30 --seed 1 [--formats txt,html,docx,pdf] [--layouts …] [--pairs]``"""
from __future__ import annotations

import argparse

from .corpus import generate_corpus
from .layout import LAYOUTS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m auditor_lab.generator", description="生成合成年报语料（含 gold 文件）")
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default="txt", help="txt,html,docx,pdf (repeat one to weight it)")
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--pairs", action="store_true", help="consecutive-year pairs of one agency")
    ap.add_argument("--errors", type=int, default=None, help="defects per report (default: random 0–4)")
    a = ap.parse_args(argv)
    paths = generate_corpus(a.out_dir, a.n, a.seed, formats=tuple(a.formats.split(",")),
                            layouts=tuple(a.layouts.split(",")), pairs=a.pairs, errors=a.errors)
    print(f"{len(paths)} reports written to {a.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
