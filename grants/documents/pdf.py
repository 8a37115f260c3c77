"""Render a Jinja template to PDF with WeasyPrint, sharing one stylesheet and font configuration.

The parsed stylesheet and the font configuration are built once per process and reused by every
document; nothing is fetched from the network or the disk while rendering (user text cannot
pull resources in).
"""

from __future__ import annotations

import atexit
import gc
from functools import cache
from pathlib import Path
from typing import Any

from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "documents" / "base.css"


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def url_fetcher() -> URLFetcher:
    """A fetcher allowing no protocol at all: documents are self-contained."""
    return URLFetcher(allowed_protocols=())


@cache
def stylesheet() -> CSS:
    return CSS(
        string=STYLESHEET.read_text(encoding="utf-8"),
        font_config=font_config(),
        url_fetcher=url_fetcher(),
    )


@atexit.register
def _release_fonts() -> None:
    """Free the cached Pango font map while Pango is still loaded. Left to the interpreter's
    final teardown, it can be released after WeasyPrint's libraries were unloaded: a segfault
    at exit, depending on the order in which objects happen to be finalized."""
    stylesheet.cache_clear()
    font_config.cache_clear()
    gc.collect()


def html_to_pdf(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=url_fetcher())
    return document.write_pdf(stylesheets=[stylesheet()], font_config=font_config())


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` (autoescaped Jinja) with ``context`` and return the PDF bytes."""
    return html_to_pdf(render_template(template, **context))
