"""URL slugs for Swedish names: "Regionens samverkansråd" -> "regionens-samverkansrad"."""

import functools
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


# Names repeat: every paragraph of a meeting has the same organisation and
# body, and permalinks are computed for each of them.
@functools.lru_cache(maxsize=16_384)
def slugify(text: str) -> str:
    """Lowercase ASCII slug; å/ä/ö fold to a/a/o as Swedish URLs conventionally do."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", ascii_only).strip("-")
