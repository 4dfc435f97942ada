"""Security headers on every response: what a page of this origin may load, embed and leak."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask, Response


@dataclass(frozen=True)
class InlineBlocks:
    """CSP sources (`'sha256-…'`) of the inline scripts and styles a page is allowed."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()


class _InlineCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: str | None = None
        self.text: list[str] = []
        self.found: dict[str, list[str]] = {"script": [], "style": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.found and not any(name == "src" for name, _ in attrs):
            self.open, self.text = tag, []

    def handle_data(self, data: str) -> None:
        if self.open:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.open:
            self.found[tag].append("".join(self.text))
            self.open = None


def _source(block: str) -> str:
    digest = hashlib.sha256(block.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_blocks(html: str) -> InlineBlocks:
    """The hashes of a page's inline `<script>` and `<style>` blocks, as CSP sources."""
    collector = _InlineCollector()
    collector.feed(html)
    collector.close()
    return InlineBlocks(tuple(map(_source, collector.found["script"])),
                        tuple(map(_source, collector.found["style"])))


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


def content_security_policy(tile_url: str = "", inline: InlineBlocks | None = None) -> str:
    """Scripts, styles, fetches and workers from this origin only; the only inline blocks are
    the app page's own, named by hash (an injected script never matches); images also from
    the configured tile server; never framed."""
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_origin(tile_url)]))
    blocks = inline or InlineBlocks()
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", *blocks.scripts]),
        " ".join(["style-src 'self'", *blocks.styles]),
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


def install_headers(app: Flask, tile_url: str = "", inline: InlineBlocks | None = None) -> None:
    """Every response, errors and the gateway's included, carries the same headers."""
    headers = {
        "Content-Security-Policy": content_security_policy(tile_url, inline),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
