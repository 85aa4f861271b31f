"""Per-client rate limiting through a real server."""

import httpx

from paragraf_se.rate_limit import TokenBuckets
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server


def test_buckets_refill_over_time():
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") > 0  # burst spent
    assert buckets.take("b") == 0  # another client is not affected
    now[0] += 1.0
    assert buckets.take("a") == 0


def test_server_answers_429_with_the_json_error_shape(tmp_path):
    app = create_app(DataDir(tmp_path / "data"), rate_limit=60)  # burst of 10
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as c:
        statuses = [c.get("/api/search", params={"q": "avfall"}).status_code for _ in range(15)]
        assert statuses[:10] == [200] * 10
        assert 429 in statuses[10:]
        r = c.get("/api/search")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json() == {"ok": False, "status": 429, "error": "too many requests; slow down"}
