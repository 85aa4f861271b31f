"""The ``ciceron`` kind against a fixture Ciceron JSON-RPC server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from paragraf_se.archive.crawl.ciceron import decode_filename, download_url, split_title
from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.store import Archive
from tests.crawl_sites import PDF_TYPE, RouteHandler, serve
from tests.pdfgen import make_pdf

SETTINGS = CrawlerSettings(user_agent="Paragraf-test/1", contact="mailto:t@example.invalid")
LIMITS = Limits(delay=0, connect_timeout=2, read_timeout=2, total_timeout=5, retries=1,
                backoff=0.01)


def _b64(name: str, codepage: str = "cp1252") -> str:
    return base64.b64encode(name.encode(codepage)).decode("ascii")


# File names in a non-UTF-8 code page; "ÿ>" and "?" make the base64 carry "+" and "/".
DOCS = {
    "16": [("101", _b64("Protokoll KF 2026-06-10 §§ 1-12 åäö.pdf")),
           ("102", _b64("Bilaga ÿ>?? revision.pdf"))],
    "17": [("103", _b64("Protokoll KS 2026-05-20.pdf"))],
}
TITLES = {"16": "Kommunfullmäktige 2026-06-10", "17": "Kommunstyrelsen 2026-05-20",
          "18": "Valnämnden 2026-04-01"}


def _protocol(body: str, date: str) -> bytes:
    return make_pdf([["Tallby kommun", body, "PROTOKOLL", f"Sammanträdesdatum {date}",
                      "§ 1 Val av justerare", "Till justerare utses Eva Ek (C)."]])


class Ciceron:
    """State of the fixture server: sessions, the expiry of one, and the call log."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.sessions = 0
        self.expire_next_details = True
        self.files = {
            (fb64, doc_id): _protocol(TITLES[obj].split()[0], TITLES[obj].split()[1])
            for obj, docs in DOCS.items() for doc_id, fb64 in docs
        }

    def rpc(self, handler: RouteHandler) -> None:
        request = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        method = request["method"].split(":", 1)[1]
        self.calls.append(method)
        params = request.get("params", {})
        session = request.get("session_id")
        if method == "Test":
            self.sessions += 1
            session = f"s{self.sessions}"
            result: object = {"ok": True}
        elif session != f"s{self.sessions}":
            return self._reply(handler, session, error={"code": 1, "message": "no session"})
        elif method == "Search":
            assert params["doctype"] == 64 and isinstance(params["param"], str)
            result = {"count": len(TITLES)}
        elif method == "ReadItems":
            ids = sorted(TITLES)[params["offset"]:params["offset"] + params["limit"]]
            result = {"results": [{"id": i, "title": TITLES[i], "diary_name": "KS",
                                   "contains_files": i in DOCS} for i in ids]}
        elif method == "ReadObjectDetails":
            if self.expire_next_details:
                self.expire_next_details = False
                self.sessions += 1  # the session expired on the server
                return self._reply(handler, session, error={"code": 2, "message": "expired"})
            docs = [{"id": d, "filename_b64": f} for d, f in DOCS[params["id"]]]
            value = {"documents": docs, "items": [{"number": 1, "title": "Val av justerare"}]}
            result = {"value": json.dumps(value, ensure_ascii=False)}
        else:
            return self._reply(handler, session, error={"code": 3, "message": "unknown"})
        self._reply(handler, session, result=result)

    @staticmethod
    def _reply(handler: RouteHandler, session: str | None, **fields: object) -> None:
        body = json.dumps({"jsonrpc": "2.0", "session_id": session, **fields}).encode()
        handler.send(200, body, {"Content-Type": "application/json",
                                 "Set-Cookie": f"cicsoksid={session}"})

    def download(self, handler: RouteHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        key = (query["filename"][0], query["id"][0])
        if key not in self.files:
            handler.send(404, b"okand fil")
        else:
            handler.send(200, self.files[key], PDF_TYPE)


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive") as store:
        yield store


def test_ciceron_lists_meetings_archives_details_and_downloads(
    archive: Archive, tmp_path: Path
) -> None:
    server = Ciceron()
    frontier = Frontier(tmp_path / "state.sqlite")
    try:
        with serve({"/json": server.rpc, "/download/document": server.download}) as site:
            source = SourceConfig(name="tallby", organisation="Tallby kommun", kind="ciceron",
                                  start_urls=(site.url("/json"),), page_size=2, limits=LIMITS)
            report = crawl_source(source, SETTINGS, archive=archive, frontier=frontier)
            assert report.failed == (), report.failures
            assert server.calls.count("ReadItems") == 2  # paged: 2 + 1
            assert server.sessions >= 2  # the expired session was re-opened
            again = crawl_source(source, SETTINGS, archive=archive, frontier=frontier)
    finally:
        frontier.close()
    captures = list(archive.captures())
    by_role: dict[str, list] = {}
    for capture in captures:
        by_role.setdefault(capture.meta()["role"], []).append(capture)
    assert len(by_role["meeting-details"]) == 2  # "18" has no files
    assert len(by_role["protocol"]) == 2 and len(by_role["attachment"]) == 1
    kf = next(c for c in by_role["protocol"] if "101" in c.source)
    meta = kf.meta()
    assert (meta["body"], meta["date"], meta["org"]) == \
        ("Kommunfullmäktige", "2026-06-10", "Tallby kommun")
    assert meta["filename"] == "Protokoll KF 2026-06-10 §§ 1-12 åäö.pdf"
    assert kf.content_type == "application/pdf"
    details = json.loads(archive.read(by_role["meeting-details"][0].id))
    assert details["items"][0]["title"] == "Val av justerare"
    # Second run: nothing new, everything seen again (the listing itself is not archived).
    assert again.new == 0 and again.failed == () and again.unchanged == again.fetched - 1


def test_filename_b64_is_passed_exactly() -> None:
    fb64 = _b64("Bilaga ÿ>?? revision.pdf")
    assert "+" in fb64 or "/" in fb64
    url = download_url("https://h.example.se/json", fb64, "7")
    assert parse_qs(urlsplit(url).query)["filename"] == [fb64]
    assert decode_filename(fb64) == "Bilaga ÿ>?? revision.pdf"
    assert decode_filename("not base64!") is None
    assert split_title("Kommunfullmäktige 2026-06-10") == ("Kommunfullmäktige", "2026-06-10")
    assert split_title("Anslag") == ("Anslag", None)
