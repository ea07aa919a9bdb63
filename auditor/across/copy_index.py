"""The copy search of ``similarity.py`` over a batch kept on disk (SQLite), so that the process that
runs it holds a page of rows at a time, not the batch: a national year (10^5 reports, some
10^6 paragraphs) is searched in the memory of a small one (docs/batch.md, "Memory").

``CorpusIndex.add`` stores each report's paragraphs as the scan pass returns them; ``find`` then
runs, each step a pass over tables:

1. the boilerplate: the template's 5-grams, and those found in more than ``COMMON_SHARE`` of the
   reports, counted over every report up to ``COMMON_SAMPLE`` of them, else over
   ``COMMON_SAMPLE`` reports spread evenly over the batch (the share is then an estimate, within
   about a point of the batch's at 5000 reports);
2. each paragraph's 5-grams without the boilerplate (an *entry*); identical sets are stored once,
   known by a 64-bit hash of their bytes;
3. a MinHash signature of each distinct set, cut into ``BANDS`` band keys;
4. candidates: sets sharing a band key in a bucket of at most ``MAX_SHARING_REPORTS`` sets,
   confirmed with the exact Jaccard index of the filtered sets (a bucket of ``_MATRIX_FROM`` sets
   or more at once, as one product of 0/1 matrices over the bucket's 5-grams);
5. set by set, the set's own entries and those of the sets confirmed similar to it, read in one
   query with their owners; for each own entry its best match, chosen as ``similarity``
   describes; ``result(d)`` reads a report's matches back.

``find_copies`` runs the same on an in-memory database: one implementation for both.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections import namedtuple
from functools import lru_cache
from itertools import combinations

import numpy as np

from . import similarity as sim
from .similarity import CopyMatch, CopyResult, CorpusDoc

COMMON_SAMPLE = 5000  # reports over which the batch's common 5-grams are counted
PAGE = 4096  # rows a query returns at a time
_U64 = np.uint64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cx_docs(d INTEGER PRIMARY KEY, source BLOB, sha256 TEXT, agency BLOB, year INTEGER,
                                   total INTEGER);
CREATE TABLE IF NOT EXISTS cx_paras(p INTEGER PRIMARY KEY, d INTEGER, start INTEGER, stop INTEGER, excerpt BLOB,
                                    shingles BLOB);
CREATE INDEX IF NOT EXISTS cx_paras_d ON cx_paras(d, p);
"""
_WORK = """
DROP TABLE IF EXISTS cx_entries; DROP TABLE IF EXISTS cx_sets; DROP TABLE IF EXISTS cx_bands;
DROP TABLE IF EXISTS cx_cands; DROP TABLE IF EXISTS cx_similar; DROP TABLE IF EXISTS cx_matches;
CREATE TABLE cx_entries(n INTEGER PRIMARY KEY, p INTEGER, d INTEGER, key INTEGER);
CREATE TABLE cx_sets(s INTEGER PRIMARY KEY, key INTEGER UNIQUE, kept BLOB, shared INTEGER DEFAULT 0);
CREATE TABLE cx_bands(s INTEGER PRIMARY KEY, {bands});
CREATE TABLE cx_cands(i INTEGER, j INTEGER, PRIMARY KEY(i, j)) WITHOUT ROWID;
CREATE TABLE cx_similar(i INTEGER, j INTEGER, sim REAL, PRIMARY KEY(i, j)) WITHOUT ROWID;
CREATE TABLE cx_matches(d INTEGER, start INTEGER, stop INTEGER, sim REAL, other_source BLOB, other_quote BLOB,
                        other_agency BLOB, other_year INTEGER, same INTEGER);
"""
_Owner = namedtuple("_Owner", "source sha256 agency year")


def enc(text: str | None) -> bytes | None:
    """Text as a BLOB: file names and texts may hold lone surrogates (undecodable bytes), which
    SQLite's TEXT refuses; UTF-8 with surrogatepass sorts as the text does."""
    return None if text is None else text.encode("utf-8", "surrogatepass")


def dec(blob: bytes | None) -> str | None:
    return None if blob is None else blob.decode("utf-8", "surrogatepass")


def connect(path: str = ":memory:") -> sqlite3.Connection:
    """A connection for scratch data: no journal, no fsync (the batch removes the file when it ends)."""
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;")
    return db


class CorpusIndex:
    """The paragraphs of a batch's reports, in tables prefixed ``cx_`` of ``db``; ``d`` is the
    caller's integer id of a report (its order decides only which reports a sample takes)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def add(self, d: int, doc: CorpusDoc) -> None:
        self.db.execute("INSERT INTO cx_docs VALUES (?,?,?,?,?,?)",
                        (d, enc(doc.source), doc.sha256, enc(doc.agency), doc.year,
                         sum(p.end - p.start for p in doc.paragraphs)))
        self.db.executemany("INSERT INTO cx_paras(d, start, stop, excerpt, shingles) VALUES (?,?,?,?,?)",
                            [(d, p.start, p.end, enc(p.excerpt), p.shingles.astype(_U64).tobytes())
                             for p in doc.paragraphs])

    def find(self) -> int:
        """Search the batch; returns how many reports have a match (``result`` reads them)."""
        db = self.db
        db.executescript(_WORK.format(bands=", ".join(f"b{b} INTEGER" for b in range(sim.BANDS))))
        self._filter(self._boilerplate())
        db.execute("CREATE INDEX cx_entries_key ON cx_entries(key)")
        db.execute("UPDATE cx_sets SET shared = 1 WHERE key IN (SELECT key FROM cx_entries GROUP BY key "
                   "HAVING COUNT(DISTINCT d) > ?)", (sim.MAX_SHARING_REPORTS,))
        _similar_in(db)
        db.execute("DELETE FROM cx_similar WHERE i IN (SELECT s FROM cx_sets WHERE shared) "
                   "OR j IN (SELECT s FROM cx_sets WHERE shared)")
        self._best()
        db.execute("CREATE INDEX cx_matches_d ON cx_matches(d)")
        for table in ("cx_entries", "cx_sets", "cx_bands", "cx_cands", "cx_similar"):
            db.execute(f"DELETE FROM {table}")  # the disk they held, for the audit pass
        db.commit()
        return db.execute("SELECT COUNT(DISTINCT d) FROM cx_matches").fetchone()[0]

    def result(self, d: int) -> CopyResult:
        rows = self.db.execute("SELECT start, stop, sim, other_source, other_quote, other_agency, other_year, same "
                               "FROM cx_matches WHERE d = ? ORDER BY start", (d,)).fetchall()
        matches = tuple(CopyMatch(a, b, s, dec(src), dec(quote), dec(agency), year, bool(same))
                        for a, b, s, src, quote, agency, year, same in rows)
        if not matches:
            return CopyResult((), 0.0)
        total = self.db.execute("SELECT total FROM cx_docs WHERE d = ?", (d,)).fetchone()[0]
        copied = sum(m.end - m.start for m in matches)
        return CopyResult(matches, round(copied / total, 4) if total else 0.0)

    # --- the steps ------------------------------------------------------------------------------
    def _boilerplate(self) -> np.ndarray:
        db = self.db
        common = [sim.template_shingles()]
        n = db.execute("SELECT COUNT(*) FROM cx_docs").fetchone()[0]
        if n >= sim.MIN_REPORTS_FOR_COMMON:
            ds = np.fromiter((d for (d,) in db.execute("SELECT d FROM cx_docs ORDER BY d")), dtype=np.int64, count=n)
            sample = ds if n <= COMMON_SAMPLE else ds[np.linspace(0, n - 1, COMMON_SAMPLE).round().astype(np.int64)]
            db.execute("DROP TABLE IF EXISTS temp.cx_sample")
            db.execute("CREATE TEMP TABLE cx_sample(d INTEGER PRIMARY KEY)")
            db.executemany("INSERT INTO cx_sample VALUES (?)", ((int(d),) for d in sample))
            values, counts = np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int64)
            per_doc: list[np.ndarray] = []
            current, parts = None, []
            cursor = db.execute("SELECT p.d, p.shingles FROM cx_paras p JOIN cx_sample s ON s.d = p.d ORDER BY p.d, p.p")
            for d, blob in _fetch(cursor):
                if d != current and parts:
                    per_doc.append(np.unique(np.concatenate(parts)))
                    parts = []
                current = d
                parts.append(np.frombuffer(blob, dtype=_U64))
                if len(per_doc) >= 256:
                    values, counts = _count(values, counts, per_doc)
                    per_doc = []
            if parts:
                per_doc.append(np.unique(np.concatenate(parts)))
            values, counts = _count(values, counts, per_doc)
            common.append(values[counts > sim.COMMON_SHARE * len(sample)])
        return np.unique(np.concatenate(common))

    def _filter(self, boiler: np.ndarray) -> None:
        """Each paragraph's 5-grams without ``boiler``: an entry if enough are left, its set stored once."""
        db = self.db
        last = (-1, -1)
        while rows := db.execute("SELECT d, p, shingles FROM cx_paras WHERE (d, p) > (?, ?) ORDER BY d, p LIMIT ?",
                                 (*last, PAGE)).fetchall():
            last = rows[-1][:2]
            flat = np.frombuffer(b"".join(r[2] for r in rows), dtype=_U64)
            keep = ~np.isin(flat, boiler)
            bounds = np.cumsum([0] + [len(r[2]) // 8 for r in rows]).tolist()
            entries, sets = [], []
            for (d, p, _), lo, hi in zip(rows, bounds[:-1], bounds[1:]):
                kept = flat[lo:hi][keep[lo:hi]]
                if len(kept) < sim.MIN_SHINGLES:
                    continue
                blob = kept.tobytes()
                key = int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "little", signed=True)
                entries.append((p, d, key))
                sets.append((key, blob))
            db.executemany("INSERT INTO cx_entries(p, d, key) VALUES (?,?,?)", entries)
            db.executemany("INSERT OR IGNORE INTO cx_sets(key, kept) VALUES (?,?)", sets)

    def _best(self) -> None:
        """For each entry, the match ``similarity`` prefers, written to ``cx_matches``.

        An entry's candidates are the other entries of its set (similarity 1.0) and those of the
        sets confirmed similar to it: the same for every entry of the set. So they are read a set at
        a time, with what a rank needs of their reports (source, year, agency), and put once in the
        rank's order but for the agency (similarity, the latest year, the source, the earlier
        paragraph); each entry of the set then takes the first of the same agency (an earlier year)
        if there is one, else the first of another. A family of k reports worded alike costs k
        lists, not k² rows. The excerpt is read only for the match chosen."""
        db = self.db
        cursor = db.execute("""
            SELECT c.s, c.mine, e.d, p.start, p.stop, p.p, c.sim, o.source, o.sha256, o.agency, o.year FROM (
                SELECT s, key, 1 AS mine, 1.0 AS sim FROM cx_sets WHERE NOT shared
                UNION ALL SELECT m.i, x.key, 0, m.sim FROM cx_similar m JOIN cx_sets x ON x.s = m.j
                UNION ALL SELECT m.j, x.key, 0, m.sim FROM cx_similar m JOIN cx_sets x ON x.s = m.i
            ) c JOIN cx_entries e ON e.key = c.key JOIN cx_paras p ON p.p = e.p JOIN cx_docs o ON o.d = e.d
            ORDER BY c.s""")
        out: list[tuple] = []
        current, members = None, []
        for s_id, mine, d, start, stop, p, s, source, sha256, agency, year in _fetch(cursor):
            if s_id != current:
                out += _choose(members)
                current, members = s_id, []
            # the source stays bytes: they sort as the text does
            members.append((mine, d, start, stop, p, s, _Owner(source, sha256, dec(agency), year)))
            if len(out) >= PAGE:
                self._write_matches(out)
                out = []
        out += _choose(members)
        self._write_matches(out)

    def _write_matches(self, chosen: list[tuple]) -> None:
        rows = []
        for d, start, stop, s, other, other_p, same in chosen:
            (excerpt,) = self.db.execute("SELECT excerpt FROM cx_paras WHERE p = ?", (other_p,)).fetchone()
            rows.append((d, start, stop, s, other.source, excerpt, enc(other.agency), other.year, same))
        self.db.executemany("INSERT INTO cx_matches VALUES (?,?,?,?,?,?,?,?,?)", rows)


def _choose(members: list[tuple]) -> list[tuple]:
    """The match of each entry of one set (``mine``) among ``members``, rows (mine, d, start, stop,
    p, similarity, owner) of the set's entries and of the entries of sets similar to it."""
    if len(members) < 2:
        return []
    ordered = sorted(members, key=lambda m: (-round(m[5], 4), -(m[6].year or 0), m[6].source, m[2]))
    chosen = []
    for mine, d, start, stop, _, _, doc in members:
        if not mine:
            continue
        best = None
        for _, other_d, _, _, other_p, s, other in ordered:
            if other_d == d:
                continue
            kind = sim._relation(doc, other)
            if kind == "own":
                best = (d, start, stop, s, other, other_p, 1)
                break
            if kind == "other" and best is None:
                best = (d, start, stop, s, other, other_p, 0)
        if best is not None:
            chosen.append(best)
    return chosen


def _fetch(cursor):
    while rows := cursor.fetchmany(PAGE):
        yield from rows


def _count(values: np.ndarray, counts: np.ndarray, per_doc: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``values``/``counts`` plus one for each value of each array of ``per_doc``."""
    if not per_doc:
        return values, counts
    new, n = np.unique(np.concatenate(per_doc), return_counts=True)
    merged, at = np.unique(np.concatenate([values, new]), return_inverse=True)
    total = np.bincount(at.ravel(), weights=np.concatenate([counts, n]), minlength=len(merged))
    return merged, total.astype(np.int64)


def _band_keys(sig: np.ndarray) -> np.ndarray:
    """One 64-bit key per band of each signature row (equal bands, equal keys; unequal ones collide
    with probability 2^-64)."""
    rows = sim.NUM_HASHES // sim.BANDS
    keys = np.empty((len(sig), sim.BANDS), dtype=_U64)
    for b in range(sim.BANDS):
        h = np.zeros(len(sig), dtype=_U64)
        for c in range(rows):
            h = sim._mix(h ^ sig[:, b * rows + c])
        keys[:, b] = h
    return keys.view(np.int64)


def _similar_in(db: sqlite3.Connection) -> None:
    """Pairs of ``cx_sets`` at or above THRESHOLD into ``cx_similar`` (via signatures and buckets)."""
    last = -1
    cols = ", ".join(f"b{b}" for b in range(sim.BANDS))
    while rows := db.execute("SELECT s, kept FROM cx_sets WHERE s > ? ORDER BY s LIMIT ?", (last, PAGE)).fetchall():
        last = rows[-1][0]
        keys = _band_keys(sim._signatures([np.frombuffer(k, dtype=_U64) for _, k in rows]))
        db.executemany(f"INSERT INTO cx_bands(s, {cols}) VALUES ({', '.join('?' * (sim.BANDS + 1))})",
                       [(s, *k) for (s, _), k in zip(rows, keys.tolist())])
    for b in range(sim.BANDS):
        # buckets are counted with every set, paired without the batch's shared wording (never linked)
        cursor = db.execute(f"SELECT group_concat(CASE WHEN x.shared THEN NULL ELSE x.s END) FROM cx_bands "
                            f"JOIN cx_sets x USING (s) GROUP BY b{b} HAVING COUNT(*) BETWEEN 2 AND ?",
                            (sim.MAX_SHARING_REPORTS,))
        pairs: list[tuple[int, int]] = []
        for (members,) in _fetch(cursor):
            if not members or "," not in members:
                continue
            ids = sorted(map(int, members.split(",")))
            if len(ids) < _MATRIX_FROM:
                pairs += combinations(ids, 2)
            else:  # a family worded alike: its pairs confirmed at once, never a candidate row each
                _confirm_bucket(db, ids)
            if len(pairs) >= PAGE:
                db.executemany("INSERT OR IGNORE INTO cx_cands VALUES (?,?)", pairs)
                pairs = []
        db.executemany("INSERT OR IGNORE INTO cx_cands VALUES (?,?)", pairs)
    last = (-1, -1)
    kept = lru_cache(maxsize=256)(lambda s: db.execute("SELECT kept FROM cx_sets WHERE s = ?", (s,)).fetchone()[0])
    while rows := db.execute("SELECT c.i, c.j, b.kept FROM cx_cands c JOIN cx_sets b ON b.s = c.j "
                             "WHERE (c.i, c.j) > (?, ?) ORDER BY c.i, c.j LIMIT ?", (*last, PAGE)).fetchall():
        last = rows[-1][:2]
        jac = _jaccard([r[0] for r in rows], [kept(r[0]) for r in rows], [r[2] for r in rows])
        db.executemany("INSERT OR IGNORE INTO cx_similar VALUES (?,?,?)",
                       [(i, j, s) for (i, j, _), s in zip(rows, jac.tolist()) if s >= sim.THRESHOLD])


_MATRIX_FROM = 5  # sets in a bucket from which its pairs are confirmed at once rather than queued one by one


def _confirm_bucket(db: sqlite3.Connection, ids: list[int]) -> None:
    """The pairs of one bucket's sets (``ids`` ascending) at or above THRESHOLD into ``cx_similar``,
    all at once: each set a row of 0/1 over the bucket's values, the rows' product their
    intersections (float32 counts are exact far beyond a paragraph's 5-grams)."""
    got = dict(db.execute(f"SELECT s, kept FROM cx_sets WHERE s IN ({','.join('?' * len(ids))})", ids).fetchall())
    sets = [np.frombuffer(got[s], dtype=_U64) for s in ids]
    sizes = np.array([len(x) for x in sets], dtype=np.int64)
    values, at = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.zeros((len(ids), len(values)), dtype=np.float32)
    rows[np.repeat(np.arange(len(ids)), sizes), at.ravel()] = 1.0
    i, j = np.triu_indices(len(ids), 1)
    inter = (rows @ rows.T).round().astype(np.int64)[i, j]
    jac = inter / (sizes[i] + sizes[j] - inter)
    keep = jac >= sim.THRESHOLD
    if keep.any():
        named = np.asarray(ids, dtype=np.int64)
        db.executemany("INSERT OR IGNORE INTO cx_similar VALUES (?,?,?)",
                       zip(named[i[keep]].tolist(), named[j[keep]].tolist(), jac[keep].tolist()))


def _jaccard(ids: list[int], left: list[bytes], right: list[bytes]) -> np.ndarray:
    """The Jaccard index of each pair of sets (sorted unique uint64, as bytes), the pairs ordered by
    ``ids``, their left set's: each left set is looked up once, for all its partners together."""
    out = np.empty(len(left), dtype=np.float64)
    lo = 0
    while lo < len(left):
        hi = lo + 1
        while hi < len(left) and ids[hi] == ids[lo]:
            hi += 1
        mine = np.frombuffer(left[lo], dtype=_U64)
        theirs = np.frombuffer(b"".join(right[lo:hi]), dtype=_U64)
        sizes = np.array([len(x) // 8 for x in right[lo:hi]], dtype=np.int64)
        at = np.minimum(np.searchsorted(mine, theirs), len(mine) - 1)
        hit = mine[at] == theirs
        inter = np.add.reduceat(hit, np.cumsum(sizes) - sizes, dtype=np.int64)
        out[lo:hi] = inter / (len(mine) + sizes - inter)
        lo = hi
    return out


def similar_sets(sets: list[np.ndarray]) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard), i < j, of the sets at or above THRESHOLD, in order (each set its own,
    identical ones too)."""
    db = connect()
    db.executescript(_WORK.format(bands=", ".join(f"b{b} INTEGER" for b in range(sim.BANDS))))
    db.executemany("INSERT INTO cx_sets(s, key, kept) VALUES (?,?,?)",
                   [(i, i, np.unique(s.astype(_U64)).tobytes()) for i, s in enumerate(sets)])
    _similar_in(db)
    return sorted(db.execute("SELECT i, j, sim FROM cx_similar").fetchall())


def find_copies(docs: list[CorpusDoc]) -> dict[str, CopyResult]:
    """For each report (by source) the paragraphs found in other reports, and its copied share."""
    index = CorpusIndex(connect())
    for d, doc in enumerate(docs):
        index.add(d, doc)
    index.find()
    return {doc.source: index.result(d) for d, doc in enumerate(docs)}
