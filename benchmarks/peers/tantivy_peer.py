"""Peer: tantivy (Python bindings) with its Swedish Snowball stemmer and aggregations."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from benchmarks.peers.common import PeerResult
from benchmarks.querymix import QuerySpec

NAME = "tantivy"
TOKENIZER = "sv_stem"


def _analyzer(tantivy):
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("swedish"))
            .build())


class TantivyPeer:
    """An index directory; one reused searcher after the build."""

    name = NAME

    def __init__(self, path: Path) -> None:
        import tantivy

        self.t = tantivy
        self.path = path
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("pid", stored=True, tokenizer_name="raw")
        for f in ("org", "body"):
            sb.add_text_field(f, stored=False, tokenizer_name="raw", fast=True)
        sb.add_integer_field("year", indexed=True, fast=True)
        sb.add_integer_field("date", indexed=False, fast=True)
        for f in ("title", "decision", "text"):
            sb.add_text_field(f, stored=True, tokenizer_name=TOKENIZER)
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.index.register_tokenizer(TOKENIZER, _analyzer(tantivy))
        self._searcher = None

    @staticmethod
    def available() -> str | None:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return "tantivy not installed (pip install -r benchmarks/requirements.txt)"
        return None

    def build(self, paragraphs) -> int:
        t = self.t
        writer = self.index.writer(heap_size=256_000_000)
        n = 0
        for p in paragraphs:
            writer.add_document(t.Document(
                pid=p.id, org=p.org, body=p.body, year=p.year, date=p.date.toordinal(),
                title=p.title, decision=p.decision, text=p.text,
            ))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return n

    def size_mb(self) -> float:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file()) / 2**20

    @property
    def searcher(self):
        if self._searcher is None:
            self._searcher = self.index.searcher()
        return self._searcher

    def _query(self, spec: QuerySpec):
        t = self.t
        if spec.phrase:
            text = '"' + " ".join(spec.words) + '"'
        else:
            text = " ".join("+" + w for w in spec.words)
        q = self.index.parse_query(text, ["title", "decision", "text"],
                                   field_boosts={"title": 3.0, "decision": 2.0})
        parts = [(t.Occur.Must, q)]
        if spec.body:
            parts.append((t.Occur.Must, t.Query.term_query(self.schema, "body", spec.body)))
        if spec.year:
            parts.append((t.Occur.Must, t.Query.term_query(self.schema, "year", spec.year)))
        return t.Query.boolean_query(parts) if len(parts) > 1 else q

    def search(self, spec: QuerySpec) -> PeerResult:
        t = self.t
        s = self.searcher
        query = self._query(spec)
        offset = (spec.page - 1) * spec.size
        if spec.sort == "newest":
            res = s.search(query, spec.size, count=True, order_by_field="date", offset=offset,
                           order=t.Order.Desc)
        else:
            res = s.search(query, spec.size, count=True, offset=offset)
        aggs = s.aggregate(query, {
            "org": {"terms": {"field": "org", "size": 1000}},
            "body": {"terms": {"field": "body", "size": 1000}},
            "year": {"terms": {"field": "year", "size": 100}},
        })
        facets = {k: Counter({b["key"]: b["doc_count"] for b in v["buckets"]})
                  for k, v in aggs.items()}
        gen = t.SnippetGenerator.create(s, query, self.schema, "text")
        ids, snippets = [], []
        for _, addr in res.hits:
            doc = s.doc(addr)
            ids.append(doc["pid"][0])
            snippets.append(gen.snippet_from_doc(doc).to_html())
        return PeerResult(res.count, ids, snippets, facets)

    def close(self) -> None:
        self._searcher = None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
