"""What the batch's parent knows of each file, on disk: an SQLite file in the results folder while the
batch runs (``OUT/.ledger.sqlite``, removed when it ends), so that the parent's memory does not grow
with the batch (docs/batch.md, "Memory").

A file's row is written when it is found (path, result name) and when its scan returns (sha256,
agency, year); pairing reads one place at a time, the copy search (``across.copy_index``) pages
through the paragraphs, and the audit tasks are made a page at a time in the planned order. What
stays in memory is a few integer arrays of the batch's size (8 bytes a file each) and pages.
"""
from __future__ import annotations

import os
from array import array
from itertools import groupby
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..across.copy_index import PAGE, CorpusIndex, connect, dec, enc
from ..across.pairing import PairItem, bucket_of, chain_sequence, pair_bucket
from . import inputs as inp
from .tasks import AuditTask, ScanResult

_SCHEMA = """
CREATE TABLE found(k INTEGER PRIMARY KEY, input INTEGER, sortkey BLOB, path BLOB, rel BLOB, in_folder INTEGER);
CREATE TABLE files(d INTEGER PRIMARY KEY, path BLOB UNIQUE, name BLOB, lname BLOB UNIQUE, real BLOB UNIQUE,
                   sha256 TEXT, agency BLOB, year INTEGER, bucket BLOB, prev INTEGER, ok INTEGER DEFAULT 0,
                   planned INTEGER DEFAULT 0);
CREATE INDEX files_bucket ON files(bucket, d);
"""
LEDGER = ".ledger.sqlite"


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)  # left by a batch that was killed
        self.db = connect(str(path))
        self.db.executescript(_SCHEMA)
        self.copies = CorpusIndex(self.db)
        self._pending = 0

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)

    # --- inputs ---------------------------------------------------------------------------------
    def add_inputs(self, items, exclude: Path | None) -> int:
        """Every input file once (by real path), named for ``reports/``; returns how many. Files
        under a folder come sorted, the folder's files in path order; ``exclude`` (the results
        folder) is skipped."""
        excluded = os.path.realpath(exclude) if exclude is not None else None
        db = self.db
        for no, item in enumerate(items):
            rows = ((no, enc(inp.sort_key(f.rel)), enc(f.path), enc(f.rel), int(f.in_folder)) for f in inp.found(item))
            while page := [row for _, row in zip(range(PAGE), rows)]:
                db.executemany("INSERT INTO found(input, sortkey, path, rel, in_folder) VALUES (?,?,?,?,?)", page)
        last = (-1, "")
        while page := db.execute("SELECT input, sortkey, path, rel, in_folder FROM found WHERE (input, sortkey) > (?, ?) "
                                 "ORDER BY input, sortkey LIMIT ?", (*last, PAGE)).fetchall():
            last = page[-1][:2]
            for _, _, path, rel, in_folder in page:
                path, rel = dec(path), dec(rel)
                real = os.path.realpath(path)
                if in_folder and inp.inside(real, excluded):
                    continue
                if db.execute("SELECT 1 FROM files WHERE real = ?", (enc(real),)).fetchone():
                    continue
                base = name = inp.base_name(rel)
                n = 1
                while db.execute("SELECT 1 FROM files WHERE lname = ?", (enc(name.lower()),)).fetchone():
                    n += 1
                    name = f"{base}-{n}"
                db.execute("INSERT INTO files(path, name, lname, real) VALUES (?,?,?,?)",
                           (enc(path), enc(name + ".json"), enc(name.lower()), enc(real)))
        db.execute("DELETE FROM found")
        db.commit()
        return self.count()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]

    def paths(self) -> Iterator[str]:
        last = 0
        while page := self.db.execute("SELECT d, path FROM files WHERE d > ? ORDER BY d LIMIT ?",
                                      (last, PAGE)).fetchall():
            last = page[-1][0]
            yield from (dec(path) for _, path in page)

    def file(self, path: str) -> tuple[int, str, str]:
        """(id, result name, sha256 as scanned) of an input file."""
        d, name, sha256 = self.db.execute("SELECT d, name, COALESCE(sha256, '') FROM files WHERE path = ?",
                                          (enc(path),)).fetchone()
        return d, dec(name), sha256

    # --- scans ----------------------------------------------------------------------------------
    def record_scan(self, scan: ScanResult) -> None:
        (d,) = self.db.execute("SELECT d FROM files WHERE path = ?", (enc(scan.source),)).fetchone()
        self.db.execute("UPDATE files SET sha256 = ?, agency = ?, year = ?, bucket = ?, ok = 1 WHERE d = ?",
                        (scan.sha256, enc(scan.agency), scan.year, enc(bucket_of(scan.agency)), d))
        if scan.corpus is not None:
            self.copies.add(d, scan.corpus)
        self._pending += 1
        if self._pending >= 256:
            self.db.commit()
            self._pending = 0

    def scanned(self) -> int:
        self.db.commit()
        return self.db.execute("SELECT COUNT(*) FROM files WHERE ok").fetchone()[0]

    # --- the plan -------------------------------------------------------------------------------
    def pair(self) -> int:
        """Pair each report with last year's of the same agency, one place at a time; returns how many pairs."""
        db = self.db
        cursor = db.execute("SELECT bucket, d, path, agency, year, sha256 FROM files "
                            "WHERE ok AND year AND bucket IS NOT NULL ORDER BY bucket, d")
        pairs = array("q")  # (report, last year's) flat: 16 bytes a pair, not two objects
        for _, rows in groupby(_fetch(cursor), key=lambda r: r[0]):
            rows = list(rows)
            ids = {path: d for _, d, path, *_ in rows}  # bytes: pairing only compares sources
            found = pair_bucket([PairItem(path, dec(agency), year, sha) for _, _, path, agency, year, sha in rows])
            for source, prev in found.items():
                pairs.extend((ids[source], ids[prev]))
        for lo in range(0, len(pairs), 2 * PAGE):
            page = pairs[lo:lo + 2 * PAGE]
            db.executemany("UPDATE files SET prev = ? WHERE d = ?", zip(page[1::2], page[0::2]))
        db.commit()
        return len(pairs) // 2

    def plan(self, keep: Callable[[str, str, str, str | None], bool]) -> np.ndarray:
        """The ids of the reports to audit, each right after last year's (``chain_sequence``);
        ``keep(path, name, sha256, previous_sha256)`` is False for a report ``--resume`` skips."""
        db = self.db
        cursor = db.execute("SELECT f.d, f.path, f.name, f.sha256, p.sha256 FROM files f "
                            "LEFT JOIN files p ON p.d = f.prev WHERE f.ok ORDER BY f.d")
        ids = np.fromiter((d for d, path, name, sha, prev_sha in _fetch(cursor)
                           if keep(dec(path), dec(name), sha, prev_sha)),
                          dtype=np.int64)
        for lo in range(0, len(ids), PAGE):
            db.executemany("UPDATE files SET planned = 1 WHERE d = ?", ((int(d),) for d in ids[lo:lo + PAGE]))
        prev = np.full(len(ids), -1, dtype=np.int64)
        cursor = db.execute("SELECT f.d, f.prev FROM files f JOIN files p ON p.d = f.prev WHERE f.planned AND p.planned")
        for d, before in _fetch(cursor):
            prev[np.searchsorted(ids, d)] = np.searchsorted(ids, before)
        db.commit()
        return ids[chain_sequence(prev)]

    def audit_tasks(self, order: np.ndarray, make: Callable[..., AuditTask]) -> Iterator[AuditTask]:
        """``make(path, name, sha256, previous, previous_sha256, copies)`` for each id of ``order``."""
        for lo in range(0, len(order), PAGE // 4):
            ids = order[lo:lo + PAGE // 4].tolist()
            rows = self.db.execute(f"SELECT f.d, f.path, f.name, f.sha256, p.path, p.sha256 FROM files f "
                                   f"LEFT JOIN files p ON p.d = f.prev WHERE f.d IN ({','.join('?' * len(ids))})",
                                   ids).fetchall()
            by_id = {d: (dec(path), dec(name), sha, dec(prev), prev_sha) for d, path, name, sha, prev, prev_sha in rows}
            for d in ids:
                yield make(*by_id[d], self.copies.result(d))


def _fetch(cursor):
    while rows := cursor.fetchmany(PAGE):
        yield from rows
