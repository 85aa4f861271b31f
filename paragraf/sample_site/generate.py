"""Deterministic generator of the sample Meetings Plus sites.

``python -m paragraf_se.sample_site.generate [OUT_DIR]`` rewrites
``paragraf/sample_site/site/`` (or OUT_DIR). File layout per organisation::

    <org-slug>/index.html                               /
    <org-slug>/robots.txt                               /robots.txt
    <org-slug>/committees/index.html                    /committees
    <org-slug>/committees/<body>/index.html             /committees/<body>
    <org-slug>/committees/<body>/<meeting>/index.html   /committees/<body>/<meeting>
    <org-slug>/committees/<body>/<meeting>/protocol/<slug>pdf
    <org-slug>/committees/<body>/<meeting>/agenda/<slug>pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

from paragraf_se.sample_site.content import ORGS
from paragraf_se.sample_site.render_html import (
    attachment_slugs,
    body_page,
    committees_page,
    meeting_page,
    protocol_file_name,
    root_page,
)
from paragraf_se.sample_site.render_pdf import attachment_pdf, protocol_pdf
from paragraf_se.sample_site.schema import Org, file_slug, meeting_slug

SITE_DIR = Path(__file__).resolve().parent / "site"

ROBOTS_TXT = "User-agent: *\nDisallow: /sok\n"


def org_files(org: Org) -> dict[str, bytes]:
    """Every file of one organisation's site, keyed by path relative to the site root."""
    files: dict[str, bytes] = {
        f"{org.slug}/index.html": root_page(org).encode(),
        f"{org.slug}/robots.txt": ROBOTS_TXT.encode(),
        f"{org.slug}/committees/index.html": committees_page(org).encode(),
    }
    for body in org.bodies:
        body_dir = f"{org.slug}/committees/{body.slug}"
        files[f"{body_dir}/index.html"] = body_page(org, body).encode()
        for meeting in body.meetings:
            meeting_dir = f"{body_dir}/{meeting_slug(meeting)}"
            files[f"{meeting_dir}/index.html"] = meeting_page(org, body, meeting).encode()
            if meeting.cancelled:
                continue
            protocol = file_slug(protocol_file_name(body, meeting))
            files[f"{meeting_dir}/protocol/{protocol}"] = protocol_pdf(org, body, meeting)
            slugs = attachment_slugs(meeting)
            for item in meeting.items:
                for title in item.attachments:
                    files[f"{meeting_dir}/agenda/{slugs[title]}"] = attachment_pdf(
                        org, body, meeting, item, title
                    )
    return files


def site_files() -> dict[str, bytes]:
    """All organisations' files (pure: same content every call)."""
    files: dict[str, bytes] = {}
    for org in ORGS:
        files.update(org_files(org))
    return files


def generate(out_dir: Path = SITE_DIR) -> list[Path]:
    """Write the site under ``out_dir``, removing stale files there; returns written paths.

    Files are only rewritten when their bytes change, so regeneration leaves
    unchanged files (and their mtimes) alone.
    """
    files = site_files()
    out_dir.mkdir(parents=True, exist_ok=True)
    for existing in sorted(out_dir.rglob("*"), reverse=True):
        rel = existing.relative_to(out_dir).as_posix()
        if existing.is_file() and rel not in files:
            existing.unlink()
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()
    written = []
    for rel, data in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """CLI entry: regenerate the committed sample site (or into a given directory)."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else SITE_DIR
    paths = generate(out_dir)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total} bytes, under {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
