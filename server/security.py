"""Security headers on every response: what a page of this origin may load, embed and leak."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response


class SettingsError(ValueError):
    """A security-relevant setting that FieldSync refuses to start with."""


def tile_origin(template: str) -> str:
    """`scheme://host[:port]` of a map tile URL template such as
    `https://tiles.example/{z}/{x}/{y}.png`; empty when no tile server is configured."""
    if not template:
        return ""
    parts = urlsplit(template)
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in "{}* ;,'"):
        raise SettingsError(
            f"FIELDSYNC_MAP_TILE_URL must be an http(s) URL with {{z}}, {{x}} and {{y}} in its "
            f"path, such as https://tiles.example/{{z}}/{{x}}/{{y}}.png; got {template!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    """Scripts, styles, fetches and workers from this origin only (no inline script anywhere,
    the API docs included); images also from the configured tile server; never framed."""
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_origin(tile_url)]))
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_headers(app: Flask, tile_url: str = "") -> None:
    """Every response, errors and the gateway's included, carries the same headers."""
    headers = {
        "Content-Security-Policy": content_security_policy(tile_url),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
