"""The ``ciceron`` kind: the Ciceron meeting portal's JSON-RPC API (no authentication).

Flow (``../shared/docs/sources.md``)::

    POST /json  CiceronsokServer:Test               opens a session (session_id)
    POST /json  CiceronsokServer:Search             doctype 64 = Sammanträdesprotokoll
    POST /json  CiceronsokServer:ReadItems          pages of results[] (id, title, ...)
    POST /json  CiceronsokServer:ReadObjectDetails  result.value: a JSON *string*
    GET  /download/document?filename=<filename_b64>&id=<document id>

``filename_b64`` is passed back exactly as the server returned it: it is the
base64 of a file name in a non-UTF-8 code page, and decoding and
re-encoding it would ask for a file that does not exist. (It is only
percent-encoded for the query string, which the server undoes.)

Tasks: one ``ciceron-search`` task lists the meetings, one
``ciceron-meeting`` task per meeting reads its details (archived as a
``resource`` record of JSON, role ``meeting-details``) and queues its
documents as plain GET tasks (role ``protocol`` or ``attachment``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from urllib.parse import quote, urlsplit, urlunsplit

from paragraf_se.archive.crawl.config import SourceConfig
from paragraf_se.archive.crawl.engine import CrawlRun, Strategy
from paragraf_se.archive.crawl.frontier import Task
from paragraf_se.archive.fetch import Fetcher, FetchResult

SOURCE_KIND = "ciceron"
SEARCH_ID = "ciceronsok_search"
_TITLE_DATE = re.compile(r"^(.*?)[\s,–-]*(\d{4}-\d{2}-\d{2})\s*$")
_MAX_ITEMS = 100_000  # a server that pages forever is cut off here


class RpcError(Exception):
    """The API answered with an error, or with something that is not JSON-RPC."""


def endpoint_of(start_url: str) -> str:
    """The JSON-RPC endpoint for a configured start URL (a host or the ``/json`` URL)."""
    parts = urlsplit(start_url)
    path = parts.path if parts.path not in ("", "/") else "/json"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def split_title(title: str) -> tuple[str, str | None]:
    """``"Kommunfullmäktige 2026-06-10"`` → ("Kommunfullmäktige", "2026-06-10")."""
    match = _TITLE_DATE.match(title.strip())
    if not match:
        return title.strip(), None
    return match.group(1).strip(), match.group(2)


def decode_filename(filename_b64: str) -> str | None:
    """A readable file name for metadata only (UTF-8, else Windows-1252); None if not base64."""
    try:
        raw = base64.b64decode(filename_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def download_url(endpoint: str, filename_b64: str, document_id: str) -> str:
    """The document download URL, carrying ``filename_b64`` exactly (percent-encoded)."""
    parts = urlsplit(endpoint)
    query = f"filename={quote(filename_b64, safe='')}&id={quote(document_id, safe='')}"
    return urlunsplit((parts.scheme, parts.netloc, "/download/document", query, ""))


class CiceronClient:
    """A JSON-RPC session with one Ciceron server (thread-safe, one call at a time)."""

    def __init__(self, endpoint: str, fetcher: Fetcher, doctype: int = 64) -> None:
        self.endpoint = endpoint
        self.fetcher = fetcher
        self.doctype = doctype
        self.session_id: str | None = None
        self._searched = False
        self._lock = threading.RLock()
        self._calls = 0

    def call(self, method: str, params: dict[str, object]) -> tuple[object, FetchResult]:
        """Call ``CiceronsokServer:<method>``; returns (result, raw response) or RpcError."""
        with self._lock:
            self._calls += 1
            payload: dict[str, object] = {"jsonrpc": "2.0", "id": self._calls,
                                          "method": f"CiceronsokServer:{method}",
                                          "params": params}
            if self.session_id:
                payload["session_id"] = self.session_id
            response = self.fetcher.post_json(self.endpoint, payload)
            if not response.ok:
                raise RpcError(response.error or f"HTTP {response.status}")
            try:
                reply = json.loads(response.body)
            except ValueError as exc:
                raise RpcError(f"{method}: answer is not JSON") from exc
            if not isinstance(reply, dict):
                raise RpcError(f"{method}: answer is not a JSON-RPC object")
            if isinstance(reply.get("session_id"), str) and reply["session_id"]:
                self.session_id = reply["session_id"]
            if reply.get("error"):
                raise RpcError(f"{method}: {json.dumps(reply['error'], ensure_ascii=False)}")
            return reply.get("result"), response

    def ensure_search(self, *, again: bool = False) -> None:
        """Open a session and run the protocol search (once, or ``again`` after an error)."""
        with self._lock:
            if self._searched and not again:
                return
            self.session_id = None
            self.call("Test", {})
            self.call("Search", {"search_id": SEARCH_ID, "doctype": self.doctype, "text": "",
                                 "param": json.dumps({})})
            self._searched = True

    def items(self, page_size: int) -> list[dict[str, object]]:
        """Every search result, read page by page."""
        self.ensure_search(again=True)
        items: list[dict[str, object]] = []
        seen: set[str] = set()
        while len(items) < _MAX_ITEMS:
            result, _ = self.call("ReadItems", {"search_id": SEARCH_ID, "offset": len(items),
                                                "limit": page_size})
            page = result.get("results") if isinstance(result, dict) else None
            if not isinstance(page, list):
                raise RpcError("ReadItems: no results[] in the answer")
            fresh = [i for i in page if isinstance(i, dict) and str(i.get("id")) not in seen]
            seen.update(str(i.get("id")) for i in fresh)
            items.extend(fresh)
            if len(page) < page_size or not fresh:
                return items
        return items

    def details(self, object_id: str) -> tuple[str, dict[str, object], FetchResult]:
        """ReadObjectDetails: (value exactly as sent, value parsed, raw response).

        Retried once in a fresh session, as sessions expire.
        """
        for attempt in (0, 1):
            self.ensure_search(again=attempt == 1)
            try:
                result, response = self.call("ReadObjectDetails",
                                             {"search_id": SEARCH_ID, "id": object_id})
                break
            except RpcError:
                if attempt == 1:
                    raise
        value = result.get("value") if isinstance(result, dict) else None
        if not isinstance(value, str):
            raise RpcError("ReadObjectDetails: result.value is not a JSON string")
        try:
            details = json.loads(value)
        except ValueError as exc:
            raise RpcError("ReadObjectDetails: result.value is not JSON") from exc
        if not isinstance(details, dict):
            raise RpcError("ReadObjectDetails: result.value is not an object")
        return value, details, response


def _synthetic(url: str, body: bytes, error: str | None = None) -> FetchResult:
    return FetchResult(url, url, 0 if error else 200, (), body, (), error)


class CiceronStrategy(Strategy):
    """Lists meetings through the API, archives their details and downloads documents."""

    kind = SOURCE_KIND

    def __init__(self, source: SourceConfig, fetcher: Fetcher) -> None:
        super().__init__(source)
        self.endpoint = endpoint_of(source.start_urls[0])
        self.client = CiceronClient(self.endpoint, fetcher, source.doctype)

    def seeds(self) -> list[Task]:
        return [Task(f"{self.endpoint}?method=Search", "ciceron-search", 0)]

    def expects_pdf(self, task: Task) -> bool:
        name = task.facts().get("filename", "")
        return task.role in ("protocol", "attachment") and name.lower().endswith(".pdf")

    def fetch(self, task: Task, fetcher: Fetcher, validators: tuple[str | None, str | None]
              ) -> FetchResult:
        try:
            if task.role == "ciceron-search":
                items = self.client.items(self.source.page_size)
                return _synthetic(task.url, json.dumps(items, ensure_ascii=False).encode())
            if task.role == "ciceron-meeting":
                value, _, response = self.client.details(task.facts()["object_id"])
                # The value string exactly as the server sent it is what we archive.
                return FetchResult(task.url, task.url, response.status, response.headers,
                                   value.encode("utf-8"), response.request_headers)
        except RpcError as exc:
            return _synthetic(task.url, b"", f"json-rpc: {exc}")
        return super().fetch(task, fetcher, validators)

    def handle(self, task: Task, result: FetchResult, run: CrawlRun) -> None:
        if task.role not in ("ciceron-search", "ciceron-meeting"):
            run.handle_document(task, result)
        elif not result.ok:
            run.fail("json-rpc error", result.error)
        elif task.role == "ciceron-search":
            self._meetings(json.loads(result.body), run)
        else:
            self._documents(task, result.body, run)

    def _meetings(self, items: list[dict[str, object]], run: CrawlRun) -> None:
        for item in items:
            object_id = str(item.get("id", "")).strip()
            if not object_id or item.get("contains_files") is False:
                continue
            body, date = split_title(str(item.get("title", "")))
            meta = {"object_id": object_id, "title": str(item.get("title", "")), "body": body,
                    "date": date or "", "diary": str(item.get("diary_name", ""))}
            url = f"{self.endpoint}?id={quote(object_id, safe='')}&method=ReadObjectDetails"
            run.discover(url, "ciceron-meeting", 1, {k: v for k, v in meta.items() if v},
                         trusted=True)

    def _documents(self, task: Task, value: bytes, run: CrawlRun) -> None:
        facts = task.facts()
        meeting = {k: facts[k] for k in ("body", "date", "title", "object_id") if k in facts}
        run.store_resource(task, value, "application/json",
                           {**meeting, "role": "meeting-details"})
        documents = json.loads(value).get("documents") or []
        usable = [d for d in documents if isinstance(d, dict) and d.get("filename_b64")
                  and d.get("id") is not None]
        for doc in usable:
            filename = decode_filename(str(doc["filename_b64"])) or ""
            is_protocol = len(usable) == 1 or "protokoll" in filename.lower()
            meta = {**meeting, "filename": filename, "document_id": str(doc["id"])}
            url = download_url(self.endpoint, str(doc["filename_b64"]), str(doc["id"]))
            run.discover(url, "protocol" if is_protocol else "attachment", 2,
                         {k: v for k, v in meta.items() if v}, trusted=True)
