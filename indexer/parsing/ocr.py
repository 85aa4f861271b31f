"""OCR for scanned protocols: Swedish text from page images via ocrmypdf/tesseract.

Optional: used when Debian's ``ocrmypdf`` and ``tesseract-ocr-swe`` are
installed; without them a scanned PDF is reported as "needs OCR". Only pages
without a text layer are recognised (``--skip-text``). Runs locally; no
network.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

from paragraf_se.indexer.parsing.errors import ParseFailure

OCR_TIMEOUT_S = 600.0
# Tesseract reads "§" as "8", "$" or "S": "8 14 Avfallsplan" is "§ 14 Avfallsplan".
_MISREAD_PARAGRAPH_SIGN = re.compile(
    r"^[ \t]*(?:[8$S5]|§)[ \t]?(\d{1,4}(?:[ \t]?[a-h])?)[ \t]+(?=[A-ZÅÄÖ])", re.MULTILINE)


@functools.cache
def ocr_available() -> bool:
    """True when ocrmypdf and tesseract's Swedish model are installed."""
    if not shutil.which("ocrmypdf") or not shutil.which("tesseract"):
        return False
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                               timeout=30, check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False
    return "swe" in langs


def ocr_pdf(data: bytes, timeout: float = OCR_TIMEOUT_S) -> bytes:
    """The PDF with a Swedish text layer added to its image-only pages."""
    try:
        done = subprocess.run(
            ["ocrmypdf", "-l", "swe", "--skip-text", "--output-type", "pdf", "-q", "-", "-"],
            input=data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ParseFailure(f"OCR took longer than {timeout:.0f} s") from exc
    except OSError as exc:
        raise ParseFailure(f"OCR could not run: {exc}") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ParseFailure(f"OCR failed (exit {done.returncode}): {detail[0][:200]}")
    return done.stdout


def repair_ocr_text(text: str) -> str:
    """Undo the misreadings that matter for parsing (the § sign of headers)."""
    return _MISREAD_PARAGRAPH_SIGN.sub(r"§ \1 ", text)
