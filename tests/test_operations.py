"""Operations: health and readiness, Prometheus metrics, JSON logs with an access log, and
``serve`` settings from the command line, PARAGRAF_* variables and a TOML file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from paragraf_se.serve_config import ConfigError, ServeConfig, resolve
from paragraf_se.web import create_app
from tests.serving import live_server
from tests.webdemo import build_demo

PARAGRAF = Path(sys.executable).with_name("paragraf")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("ops-demo"))


@pytest.fixture(scope="module")
def client(demo):
    with live_server(create_app(demo)) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["checks"]["index"]["ok"] and body["checks"]["index"]["paragraphs"] > 0
    assert body["checks"]["archive"]["ok"] and body["checks"]["archive"]["captures"] > 0


def test_readyz_answers_503_with_the_failing_check(tmp_path_factory):
    data = build_demo(tmp_path_factory.mktemp("ready"))
    with live_server(create_app(data)) as url, httpx.Client(base_url=url, timeout=10) as c:
        assert c.get("/readyz").status_code == 200
        moved = data.root / "archive-away"
        data.archive.rename(moved)
        try:
            r = c.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "not ready"
            assert body["checks"]["index"]["ok"] is True
            assert body["checks"]["archive"]["ok"] is False
            assert "missing" in body["checks"]["archive"]["error"]
            assert c.get("/healthz").status_code == 200  # alive, just not ready
        finally:
            moved.rename(data.archive)
        assert c.get("/readyz").status_code == 200


def test_metrics_by_route_template_with_search_latency_and_index_size(client):
    total = client.get("/api/search", params={"size": 1}).json()["total"]
    hit = client.get("/api/search", params={"q": "budget"}).json()["hits"][0]
    assert client.get(hit["permalink"]).status_code == 200
    assert client.get("/p/nowhere/none/2020-01-01/1").status_code == 404
    assert client.get("/no/such/path").status_code == 404
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    m = _samples(r.text)
    page = ("paragraf_http_requests_total",
            (("method", "GET"), ("route", "/p/{org}/{body}/{date}/{number}"), ("status", "200")))
    assert m[page] >= 1
    assert m[("paragraf_http_requests_total", (("method", "GET"), ("route", "/api/search"),
                                               ("status", "200")))] >= 2
    assert m[("paragraf_http_requests_total", (("method", "GET"), ("route", "(unmatched)"),
                                               ("status", "404")))] >= 1
    assert hit["permalink"] not in r.text and "/no/such/path" not in r.text  # no raw paths
    assert m[("paragraf_http_request_duration_seconds_count",
              (("method", "GET"), ("route", "/api/search")))] >= 2
    assert m[("paragraf_search_duration_seconds_count", ())] >= 2
    assert m[("paragraf_index_paragraphs", ())] == total
    assert m[("paragraf_index_generation", ())] >= 1
    assert m[("paragraf_archive_captures", ())] > 0
    assert m[("paragraf_ingested_documents", (("status", "ok"),))] > 0
    crawled = {labels: v for (name, labels), v in m.items() if name == "paragraf_crawl_urls"}
    assert crawled and all(dict(labels)["state"] in ("pending", "done", "failed", "skipped")
                           for labels in crawled)
    assert m[("paragraf_crawl_handoffs_pending", ())] == 0


def test_health_endpoints_are_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(paths)
    assert set(paths["/readyz"]["get"]["responses"]) == {"200", "503"}


# -- settings -------------------------------------------------------------


def test_precedence_cli_over_environment_over_file_over_default(tmp_path):
    conf = tmp_path / "serve.toml"
    conf.write_text('port = 9001\nroot_path = "/from-file"\nlog_level = "warning"\n'
                    'base_url = "https://file.example/p"\n', encoding="utf-8")
    env = {"PARAGRAF_PORT": "9002", "PARAGRAF_ROOT_PATH": "from-env/",
           "PARAGRAF_ACCESS_LOG": "false"}
    c = resolve({"port": "9003"}, env, conf)
    assert c.port == 9003  # command line
    assert c.root_path == "/from-env"  # environment over file
    assert c.log_level == "warning" and c.base_url == "https://file.example/p"  # file
    assert c.access_log is False and c.host == "127.0.0.1"  # environment; default
    assert resolve({}, {}) == ServeConfig()
    assert resolve({}, {"PARAGRAF_CONFIG": str(conf)}).port == 9001  # file from environment


@pytest.mark.parametrize("cli, env, message", [
    ({"port": "eighty"}, {}, "--port: invalid value 'eighty'"),
    ({}, {"PARAGRAF_RATE_LIMIT": "-1"}, "PARAGRAF_RATE_LIMIT: invalid value"),
    ({}, {"PARAGRAF_ACCESS_LOG": "maybe"}, "expected true or false"),
    ({"base_url": "evil.example"}, {}, "--base-url: invalid value"),
    ({"log_level": "loud"}, {}, "expected one of debug"),
])
def test_invalid_settings_name_their_origin(cli, env, message):
    with pytest.raises(ConfigError, match=message):
        resolve(cli, env)


def test_config_file_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("port = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve({}, {}, bad)
    bad.write_text('[serve]\nprot = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        resolve({}, {}, bad)
    with pytest.raises(ConfigError, match="cannot read"):
        resolve({}, {}, tmp_path / "missing.toml")


# -- a real `paragraf serve` process --------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_root: Path, *args: str, env: dict[str, str] | None = None):
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PARAGRAF_")}
    environ.update(env or {})
    proc = subprocess.Popen(
        [str(PARAGRAF), "--data-dir", str(data_root), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"serve did not start: {proc.communicate()}") from None
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def _stop(proc) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    return err


def test_access_log_is_json_lines_on_by_default(demo):
    proc, url = _serve(demo.root)
    try:
        assert httpx.get(url + "/api/search?q=budget", timeout=10).status_code == 200
        assert httpx.get(url + "/p/x/y/2020-01-01/1", timeout=10).status_code == 404
    finally:
        err = _stop(proc)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # all JSON
    access = [r for r in lines if r["logger"] == "paragraf.access"]
    search = next(r for r in access if r["path"] == "/api/search")
    assert search["method"] == "GET" and search["status"] == 200
    assert search["query"] == "q=budget" and search["route"] == "/api/search"
    assert isinstance(search["duration_ms"], float) and search["duration_ms"] > 0
    assert search["time"].endswith("Z") and search["level"] == "info"
    assert any(r["status"] == 404 and r["route"] == "/p/{org}/{body}/{date}/{number}"
               for r in access)
    assert any(r["logger"].startswith("uvicorn") for r in lines)  # uvicorn's own, as JSON


def test_access_log_off_and_log_level_from_environment_and_file(demo, tmp_path):
    conf = tmp_path / "serve.toml"
    conf.write_text("[serve]\naccess_log = false\n", encoding="utf-8")
    proc, url = _serve(demo.root, "--config", str(conf),
                       env={"PARAGRAF_LOG_LEVEL": "warning"})
    try:
        assert httpx.get(url + "/healthz", timeout=10).status_code == 200
    finally:
        err = _stop(proc)
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert not [r for r in records if r["logger"] == "paragraf.access"]
    assert all(r["level"] != "info" for r in records)


def test_bad_setting_is_one_sentence_not_a_traceback(demo):
    done = subprocess.run([str(PARAGRAF), "--data-dir", str(demo.root), "serve",
                           "--port", "x"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert "argument --port: 'x' is not a port" in done.stderr and "Traceback" not in done.stderr
    # The same setting from the environment is checked where it is read, with its origin.
    done = subprocess.run([str(PARAGRAF), "--data-dir", str(demo.root), "serve"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PARAGRAF_PORT": "x"})
    assert done.returncode == 2
    assert "PARAGRAF_PORT: invalid value 'x'" in done.stderr and "Traceback" not in done.stderr


def test_serve_process_takes_root_path_and_base_url_from_the_environment(demo):
    base = "https://protokoll.example.se/paragraf"
    proc, url = _serve(demo.root, "--no-access-log",
                       env={"PARAGRAF_BASE_URL": base, "PARAGRAF_ROOT_PATH": "/paragraf"})
    evil = {"Host": "evil.example"}
    try:
        page = httpx.get(url + "/organ", headers=evil, timeout=10)
        feed = httpx.get(url + "/feed.atom", headers=evil, timeout=10)
    finally:
        _stop(proc)
    assert page.status_code == 200 and 'href="/paragraf/static/paragraf.css"' in page.text
    assert "evil.example" not in page.text
    assert feed.status_code == 200 and "evil.example" not in feed.text
    assert f"<id>{base}/feed.atom</id>" in feed.text


def test_json_formatter_keeps_extra_fields_and_drops_colour_codes():
    import io
    import logging

    from paragraf_se.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("paragraf.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Started %s", "ok", extra={"color_message": "\x1b[32mok\x1b[0m",
                                                 "port": 8000, "path": Path("/x")})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines()[:2])
    assert first["message"] == "Started ok" and first["level"] == "warning"
    assert first["port"] == 8000 and first["path"] == "/x" and "color_message" not in first
    assert second["level"] == "error" and "ValueError: boom" in second["exception"]
