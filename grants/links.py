"""Absolute links for emails and notifications, built from the configured base URL.

They do not depend on a request: tasks and commands build the same links as pages do.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: object) -> str:
    base = urlsplit(current_app.extensions["grants_settings"].base_url)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
