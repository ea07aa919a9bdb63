#!/usr/bin/env python3
"""A/B: the spaCy/jieba tagger against one regex alternation over the same terms.

Arm A is the product: clause windows segmented by jieba (the domain dictionary), lexicon terms
tagged by spaCy's entity ruler, which matches whole tokens only. Arm B tags the same terms with a
leftmost-longest regex alternation over the characters, ignoring word boundaries. Everything else
is the same code. The script prints, per corpus, the claims whose metric, candidate cells or
qualifiers differ, and the findings one arm reports and the other does not, with the text around.

usage: python eval/segmentation_ab.py DIR [DIR ...] [--gold-dir DIR] [--show N]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from auditor.claims import extract
from auditor.claims.nlp import Ent, get_tagger, ruler_patterns
from auditor_lab.evaluation import GOLD_SUFFIX
from auditor.pipeline import audit_path


class RegexTagger:
    """Arm B: the same terms and ids, matched as characters (leftmost-longest), no segmentation."""

    def __init__(self):
        pats = ruler_patterns()
        self._ids = {p["pattern"]: (p["label"], p["id"]) for p in pats}
        terms = sorted(self._ids, key=len, reverse=True)
        self._any = re.compile("|".join(map(re.escape, terms)))

    def __call__(self, windows):
        out = []
        for w in windows:
            ents = []
            for m in self._any.finditer(w):
                label, key = self._ids[m.group()]
                ents.append(Ent(label, key, m.start(), m.end()))
            out.append(tuple(ents))
        return out

    def clear(self):
        return None


def _reports(dirs: list[Path]) -> list[Path]:
    out = []
    for d in dirs:
        out += sorted(p for p in d.iterdir() if p.is_file() and not p.name.endswith(GOLD_SUFFIX)
                      and p.suffix.lower() in (".txt", ".html", ".htm", ".docx", ".pdf"))
    return out


def _run(path: Path, tagger) -> tuple[list[tuple], list[tuple], str]:
    extract.get_tagger = (lambda: tagger) if tagger is not None else get_tagger
    try:
        rep = audit_path(path)
    finally:
        extract.get_tagger = get_tagger
    d = rep.to_dict()
    claims = [(c["start"], c["end"], c.get("metric"), tuple(c.get("candidates") or ()), tuple(c.get("qualifiers") or ()))
              for c in d.get("claims", [])]
    findings = [(f["code"], f["severity"], f["message"]) for f in d["findings"]]
    return claims, findings, rep.text if hasattr(rep, "text") else ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=12)
    args = ap.parse_args(argv)
    b = RegexTagger()
    for d in args.dirs:
        reports = _reports([d])
        n_claims = claim_diff = find_diff = 0
        shown = 0
        for p in reports:
            ca, fa, _ = _run(p, None)
            cb, fb, _ = _run(p, b)
            n_claims += len(ca)
            text = p.read_text(encoding="utf-8", errors="replace") if p.suffix == ".txt" else ""
            da = set(ca) - set(cb)
            db = set(cb) - set(ca)
            claim_diff += len({(s, e) for s, e, *_ in da | db})
            fda, fdb = [f for f in fa if f not in fb], [f for f in fb if f not in fa]
            find_diff += len(fda) + len(fdb)
            for s, e, metric, cands, quals in sorted(da | db):
                if shown >= args.show:
                    break
                arm = "A" if (s, e, metric, cands, quals) in da else "B"
                ctx = text[max(0, s - 12):e + 4].replace("\n", "⏎") if text else ""
                print(f"  claim {p.name}@{s} {arm}: {metric} {cands[:2]} {quals}  «{ctx}»")
                shown += 1
            for f in fda:
                print(f"  finding only A {p.name}: {f[0]} {f[1]} {f[2][:100]}")
            for f in fdb:
                print(f"  finding only B {p.name}: {f[0]} {f[1]} {f[2][:100]}")
        print(f"{d}: reports={len(reports)} claims(A)={n_claims} claims differing={claim_diff} findings differing={find_diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
