"""Meetings Plus shaped HTML pages for the sample site.

Every page URL has no trailing slash (``/committees/<body>/<meeting>``), so
relative links repeat the last path segment ("kommunstyrelsen/mote-...",
"mote-.../protocol/...pdf?downloadMode=open") exactly as urljoin expects.
"""

from __future__ import annotations

from html import escape

from paragraf_se.sample_site.schema import (
    Body,
    Item,
    Meeting,
    Org,
    decision_heading,
    file_slug,
    meeting_slug,
    numbered,
)

COOKIE_NOTICE = "Vi använder kakor (cookies) på denna webbplats för att förbättra din upplevelse."
EMPTY = "Det finns ingen information att visa"


def protocol_file_name(body: Body, meeting: Meeting) -> str:
    """The protocol's published file name (opaque-slug meetings use a terser one)."""
    if meeting.slug and not meeting.cancelled:
        return f"Protokoll {body.name} {meeting.date} justerat.pdf"
    return f"Protokoll {body.name} {meeting.date}.pdf"


def attachment_slugs(meeting: Meeting) -> dict[str, str]:
    """Attachment title → URL slug, numbering repeats ``-2``, ``-3`` like the platform."""
    slugs: dict[str, str] = {}
    seen: dict[str, int] = {}
    for item in meeting.items:
        for title in item.attachments:
            base = file_slug(f"{title}.pdf")
            seen[base] = seen.get(base, 0) + 1
            slugs[title] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return slugs


def _page(title: str, org: Org, nav_prefix: str, main: str) -> str:
    """Shared page frame: skip link first, cookie notice last (as on the platform)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(title)} - {escape(org.name)}</title>\n</head>\n<body>\n"
        "<a class=\"skip-link\" href=\"#main\">Hoppa över navigering</a>\n"
        f"<header><p class=\"site-name\">{escape(org.name)} – Möten och protokoll</p>\n"
        "<nav><ul>"
        f"<li><a href=\"{nav_prefix}\">Startsida</a></li>"
        f"<li><a href=\"{nav_prefix}committees\">Organ</a></li>"
        f"<li><a href=\"{nav_prefix}sok\">Sök</a></li>"
        "</ul></nav></header>\n"
        f"<main id=\"main\">\n{main}</main>\n"
        f"<div class=\"cookie-notice\"><p>{COOKIE_NOTICE}</p>"
        "<button type=\"button\">Jag förstår</button></div>\n</body>\n</html>\n"
    )


def root_page(org: Org) -> str:
    """Site start page linking to the list of bodies."""
    main = (
        f"<h1>{escape(org.name)}</h1>\n"
        "<p>Här publiceras kallelser och protokoll från nämnder och styrelser.</p>\n"
        "<p><a href=\"committees\">Alla organ</a></p>\n"
    )
    return _page(org.name, org, "./", main)


def committees_page(org: Org) -> str:
    """The ``/committees`` index of bodies."""
    links = "".join(
        f"<li><a href=\"committees/{b.slug}\">{escape(b.name)}</a></li>\n" for b in org.bodies
    )
    main = f"<h1>Organ</h1>\n<ul class=\"committees\">\n{links}</ul>\n"
    return _page("Organ", org, "./", main)


def body_page(org: Org, body: Body) -> str:
    """Body page with Kommande/Tidigare tabs and past meetings grouped by year."""
    years: dict[str, list[Meeting]] = {}
    for meeting in sorted(body.meetings, key=lambda m: m.date, reverse=True):
        years.setdefault(meeting.date[:4], []).append(meeting)
    groups = []
    for year, meetings in years.items():
        rows = "".join(
            f"<li><a href=\"{body.slug}/{meeting_slug(m)}\">{escape(body.name)} "
            f"{m.date}{' (inställt)' if m.cancelled else ''}</a></li>\n"
            for m in meetings
        )
        groups.append(f"<section class=\"year\">\n<h3>{year}</h3>\n<ul>\n{rows}</ul>\n</section>\n")
    main = (
        f"<h1>{escape(body.name)}</h1>\n"
        "<div class=\"tabs\"><span class=\"tab\">Kommande</span>"
        "<span class=\"tab active\">Tidigare</span></div>\n"
        f"<section class=\"upcoming\"><h2>Kommande</h2><p>{EMPTY}</p></section>\n"
        f"<section class=\"past\"><h2>Tidigare</h2>\n{''.join(groups)}</section>\n"
    )
    return _page(body.name, org, "../", main)


def _item_html(body: Body, label: str, item: Item, number: int, slug: str,
               attachments: dict[str, str]) -> str:
    parts = [
        f"<li class=\"agenda-item\"><span class=\"agenda-number\">{number}</span>\n",
        f"<p class=\"paragraph-number\">§ {label}</p>\n",
        f"<h3>{escape(item.title)}</h3>\n",
    ]
    if item.dnr:
        parts.append(f"<p class=\"case-number\">Ärendenummer {escape(item.dnr)}</p>\n")
    for heading, text in item.sections:
        parts.append(f"<h4>{escape(decision_heading(heading, body))}</h4>\n")
        parts.extend(f"<p>{escape(p)}</p>\n" for p in text.split("\n\n"))
    if item.attachments:
        links = "".join(
            f"<li><a href=\"{slug}/agenda/{attachments[t]}?downloadMode=open\">"
            f"{escape(t)}</a></li>" for t in item.attachments
        )
        parts.append(f"<div class=\"attachments\"><h4>Bilagor</h4><ul>{links}</ul></div>\n")
    parts.append("</li>\n")
    return "".join(parts)


def meeting_page(org: Org, body: Body, meeting: Meeting) -> str:
    """A meeting page: numbered agenda whose numbers differ from the § numbers."""
    slug = meeting_slug(meeting)
    head = (
        f"<p class=\"breadcrumb\"><a href=\"../{body.slug}\">{escape(body.name)}</a></p>\n"
        f"<h1>{escape(body.name)}</h1>\n"
        f"<p class=\"meeting-date\">Sammanträde {meeting.date} kl. {meeting.time}</p>\n"
        f"<p class=\"meeting-place\">{escape(meeting.place)}</p>\n"
        "<div class=\"tabs\"><span class=\"tab\">Kallelse</span>"
        "<span class=\"tab active\">Protokoll</span></div>\n"
    )
    if meeting.cancelled:
        main = head + f"<p class=\"status\">Mötet är inställt.</p>\n<p>{EMPTY}</p>\n"
        return _page(f"{body.name} {meeting.date}", org, "../../", main)
    protocol = file_slug(protocol_file_name(body, meeting))
    attachments = attachment_slugs(meeting)
    items = [
        "<li class=\"agenda-item\"><span class=\"agenda-number\">1</span>\n"
        f"<h3>Mötet öppnas</h3>\n<p>{escape(meeting.opening)}</p></li>\n"
    ]
    labelled = numbered(meeting)
    for i, (label, item) in enumerate(labelled):
        items.append(_item_html(body, label, item, i + 2, slug, attachments))
    items.append(
        f"<li class=\"agenda-item\"><span class=\"agenda-number\">{len(labelled) + 2}</span>\n"
        "<h3>Mötet avslutas</h3>\n"
        "<p>Ordföranden tackar för visat intresse och avslutar sammanträdet.</p></li>\n"
    )
    main = (
        head
        + "<div class=\"documents\"><h2>Protokoll</h2>"
        f"<a class=\"document\" href=\"{slug}/protocol/{protocol}?downloadMode=open\">"
        "Öppna protokoll</a></div>\n"
        + f"<ol class=\"agenda\">\n{''.join(items)}</ol>\n"
    )
    return _page(f"{body.name} {meeting.date}", org, "../../", main)
