"""Peer: SQLite FTS5 over Python-side Snowball stems, facets by GROUP BY."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from benchmarks.peers.common import PeerResult, snippet, stem, stems
from benchmarks.querymix import QuerySpec

NAME = "SQLite FTS5 + Snowball"
BATCH = 2000


class SqlitePeer:
    """One database file: ``docs`` (facets, display text) and ``fts`` (stemmed text)."""

    name = NAME

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)

    @staticmethod
    def available() -> str | None:
        """None when usable, else why not."""
        try:
            con = sqlite3.connect(":memory:")
            con.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
            con.close()
        except sqlite3.Error as err:
            return f"FTS5 missing: {err}"
        return None

    def build(self, paragraphs) -> int:
        db = self.db
        db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS fts;
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, pid TEXT, org TEXT, body TEXT,
                              year INTEGER, date TEXT, title TEXT, decision TEXT, text TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, decision, text, content='',
                                                 detail=full);
        """)
        n = 0
        rows, frows = [], []
        for p in paragraphs:
            n += 1
            rows.append((n, p.id, p.org, p.body, p.year, p.date.isoformat(), p.title,
                         p.decision, p.text))
            frows.append((n, " ".join(stems(p.title)), " ".join(stems(p.decision)),
                          " ".join(stems(p.text))))
            if len(rows) >= BATCH:
                self._flush(rows, frows)
        self._flush(rows, frows)
        db.execute("CREATE INDEX docs_date ON docs(date)")
        db.commit()
        return n

    def _flush(self, rows, frows) -> None:
        self.db.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO fts(rowid,title,decision,text) VALUES (?,?,?,?)",
                            frows)
        rows.clear()
        frows.clear()

    def size_mb(self) -> float:
        return self.path.stat().st_size / 2**20

    def search(self, spec: QuerySpec) -> PeerResult:
        wanted = [stem(w.lower()) for w in spec.words]
        match = (f'"{" ".join(wanted)}"' if spec.phrase
                 else " AND ".join(f'"{w}"' for w in wanted))
        where, args = "fts MATCH ?", [match]
        if spec.body:
            where += " AND d.body = ?"
            args.append(spec.body)
        if spec.year:
            where += " AND d.year = ?"
            args.append(spec.year)
        join = f"FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE {where}"
        facets: dict[str, Counter] = {"org": Counter(), "body": Counter(), "year": Counter()}
        total = 0
        for org, body, year, c in self.db.execute(
            f"SELECT d.org, d.body, d.year, count(*) {join} GROUP BY 1, 2, 3", args
        ):
            facets["org"][org] += c
            facets["body"][body] += c
            facets["year"][year] += c
            total += c
        order = ("d.date DESC" if spec.sort == "newest"
                 else "bm25(fts, 3.0, 2.0, 1.0)")
        offset = (spec.page - 1) * spec.size
        rows = self.db.execute(
            f"SELECT d.pid, d.decision, d.text {join} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, spec.size, offset],
        ).fetchall()
        keep = set(wanted)
        snippets = [snippet(f"{dec}\n{text}" if dec else text, keep) for _, dec, text in rows]
        return PeerResult(total, [r[0] for r in rows], snippets, facets)

    def close(self) -> None:
        self.db.close()
