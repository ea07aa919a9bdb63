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
   confirmed with the exact Jaccard index of the filtered sets;
5. links between entries (identical sets, confirmed pairs), and for each entry its best match,
   chosen as ``similarity`` describes; ``result(d)`` reads a report's matches back.

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
DROP TABLE IF EXISTS cx_cands; DROP TABLE IF EXISTS cx_similar; DROP TABLE IF EXISTS cx_links;
DROP TABLE IF EXISTS cx_matches;
CREATE TABLE cx_entries(n INTEGER PRIMARY KEY, p INTEGER, d INTEGER, key INTEGER);
CREATE TABLE cx_sets(s INTEGER PRIMARY KEY, key INTEGER UNIQUE, kept BLOB, shared INTEGER DEFAULT 0);
CREATE TABLE cx_bands(s INTEGER PRIMARY KEY, {bands});
CREATE TABLE cx_cands(i INTEGER, j INTEGER, PRIMARY KEY(i, j)) WITHOUT ROWID;
CREATE TABLE cx_similar(i INTEGER, j INTEGER, sim REAL);
CREATE TABLE cx_links(this INTEGER, that INTEGER, sim REAL);
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
        self._link()
        self._best()
        db.execute("CREATE INDEX cx_matches_d ON cx_matches(d)")
        for table in ("cx_entries", "cx_sets", "cx_bands", "cx_cands", "cx_similar", "cx_links"):
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

    def _link(self) -> None:
        """Entries of one set (not the batch's shared wording) and of confirmed pairs, both ways."""
        self.db.executescript("""
            INSERT INTO cx_links SELECT a.n, b.n, 1.0 FROM cx_sets s JOIN cx_entries a ON a.key = s.key
                JOIN cx_entries b ON b.key = s.key WHERE NOT s.shared AND a.d <> b.d;
            INSERT INTO cx_links SELECT a.n, b.n, m.sim FROM cx_similar m JOIN cx_sets si ON si.s = m.i
                JOIN cx_sets sj ON sj.s = m.j JOIN cx_entries a ON a.key = si.key JOIN cx_entries b ON b.key = sj.key
                WHERE a.d <> b.d;
            INSERT INTO cx_links SELECT b.n, a.n, m.sim FROM cx_similar m JOIN cx_sets si ON si.s = m.i
                JOIN cx_sets sj ON sj.s = m.j JOIN cx_entries a ON a.key = si.key JOIN cx_entries b ON b.key = sj.key
                WHERE a.d <> b.d;
            CREATE INDEX cx_links_this ON cx_links(this);
        """)

    def _best(self) -> None:
        """For each entry with links, the match ``similarity`` prefers, written to ``cx_matches``. The
        links come as integers; what a rank needs of a report (source, year, agency) is read through
        a small cache, the excerpt only for the match chosen."""
        db = self.db
        owner = lru_cache(maxsize=8192)(lambda d: _decoded(_Owner(*db.execute(
            "SELECT source, sha256, agency, year FROM cx_docs WHERE d = ?", (d,)).fetchone())))
        cursor = db.execute("""
            SELECT l.this, ea.d, pa.start, pa.stop, l.sim, eb.d, pb.start, pb.p
            FROM cx_links l JOIN cx_entries ea ON ea.n = l.this JOIN cx_paras pa ON pa.p = ea.p
            JOIN cx_entries eb ON eb.n = l.that JOIN cx_paras pb ON pb.p = eb.p ORDER BY l.this""")
        out, current, best = [], None, None
        for this, d, start, stop, s, other_d, other_start, other_p in _fetch(cursor):
            if this != current:
                if best:
                    out.append(best[1])
                current, best = this, None
            kind = sim._relation(owner(d), owner(other_d))
            if kind is None:
                continue
            other = owner(other_d)  # its source stays bytes: they sort as the text does
            rank = (kind != "own", -round(s, 4), -(other.year or 0), other.source, other_start)
            if best is None or rank < best[0]:
                best = (rank, (d, start, stop, s, other_d, other_p, int(kind == "own")))
            if len(out) >= PAGE:
                self._write_matches(out, owner)
                out = []
        if best:
            out.append(best[1])
        self._write_matches(out, owner)

    def _write_matches(self, chosen: list[tuple], owner) -> None:
        rows = []
        for d, start, stop, s, other_d, other_p, same in chosen:
            (excerpt,) = self.db.execute("SELECT excerpt FROM cx_paras WHERE p = ?", (other_p,)).fetchone()
            other = owner(other_d)
            rows.append((d, start, stop, s, other.source, excerpt, enc(other.agency), other.year, same))
        self.db.executemany("INSERT INTO cx_matches VALUES (?,?,?,?,?,?,?,?,?)", rows)


def _decoded(o: _Owner) -> _Owner:
    return o._replace(agency=dec(o.agency))


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
            if members and "," in members:
                pairs += combinations(sorted(map(int, members.split(","))), 2)
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
        db.executemany("INSERT INTO cx_similar VALUES (?,?,?)",
                       [(i, j, s) for (i, j, _), s in zip(rows, jac.tolist()) if s >= sim.THRESHOLD])


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
