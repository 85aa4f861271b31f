"""The sample site's invented content: two organisations, three bodies each."""

from __future__ import annotations

from paragraf_se.sample_site.content_kommun import KOMMUN
from paragraf_se.sample_site.content_region import REGION
from paragraf_se.sample_site.schema import Org

ORGS: tuple[Org, ...] = (REGION, KOMMUN)


def org_by_slug(slug: str) -> Org:
    """The organisation with URL slug ``slug``; ValueError naming the choices if unknown."""
    for org in ORGS:
        if org.slug == slug:
            return org
    known = ", ".join(o.slug for o in ORGS)
    raise ValueError(f"unknown sample organisation {slug!r} (known: {known})")
