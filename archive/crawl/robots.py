"""robots.txt policy per origin, parsed with protego."""

from __future__ import annotations

from protego import Protego

from paragraf_se.archive.crawl.urls import origin
from paragraf_se.archive.fetch import Fetcher


class RobotsPolicy:
    """Fetches ``/robots.txt`` once per origin and answers ``allowed(url)``.

    Follows RFC 9309: a 4xx robots.txt (e.g. 404) allows everything; a 5xx
    answer or an unreachable server disallows everything for that origin, as
    the server may be unable to tell us what it forbids.
    """

    def __init__(self, fetcher: Fetcher, user_agent: str) -> None:
        self._fetcher = fetcher
        self._agent = user_agent
        self._rules: dict[str, Protego | bool] = {}

    def allowed(self, url: str) -> bool:
        """Whether ``url`` may be fetched."""
        key = origin(url)
        if key not in self._rules:
            self._rules[key] = self._load(key)
        rules = self._rules[key]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, self._agent)

    def crawl_delay(self, url: str) -> float | None:
        """Crawl-delay asked for by the origin's robots.txt, if any."""
        rules = self._rules.get(origin(url))
        if isinstance(rules, Protego):
            delay = rules.crawl_delay(self._agent)
            return float(delay) if delay is not None else None
        return None

    def _load(self, key: str) -> Protego | bool:
        result = self._fetcher.fetch(f"{key}/robots.txt")
        if result.ok:
            return Protego.parse(result.body.decode("utf-8", errors="replace"))
        return result.error is None and 400 <= result.status < 500
