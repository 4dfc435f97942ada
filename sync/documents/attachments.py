"""Attachments a phone may send: a JPEG, PNG or PDF whose bytes say so, within a size cap (pure).

The declared content type is only a claim: the bytes are read and must start with the magic
number of that type. Three signatures are all FieldSync accepts, so they are spelled out here
rather than asking a general file-type library, which would recognise far more than we allow.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from sync.documents.errors import Problem

DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAGIC: Mapping[str, bytes] = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
}
ALLOWED = ", ".join(MAGIC)
FIELD = "_attachments"
# A name that is safe inside a Content-Disposition header and as a file name on any system.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def sniff(data: bytes) -> str | None:
    """The accepted content type the bytes start like, or None."""
    for content_type, magic in MAGIC.items():
        if data.startswith(magic):
            return content_type
    return None


def decode(data: object) -> bytes | None:
    """Strict base64 (what CouchDB stores), or None when it is not."""
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_attachments(attachments: object, max_bytes: int) -> list[Problem]:
    """What is wrong with a document's `_attachments`; [] when every one may be stored."""
    if attachments is None:
        return []
    if not isinstance(attachments, dict):
        return [Problem(FIELD, "_attachments must be an object of named attachments")]
    problems: list[Problem] = []
    for name, attachment in attachments.items():
        message = _problem(str(name), attachment, max_bytes)
        if message:
            problems.append(Problem(FIELD, message))
    return problems


def _problem(name: str, attachment: Any, max_bytes: int) -> str | None:
    shown = f'attachment "{name[:80]}"'
    if not isinstance(attachment, dict):
        return f"{shown} must be an object with content_type and data"
    declared = attachment.get("content_type")
    if attachment.get("stub") is True:
        # Bytes the store already holds (checked when they arrived); the type must still fit.
        if declared is not None and declared not in MAGIC:
            return f"{shown} is {str(declared)[:60]!r}; attach a file of type {ALLOWED}"
        return None
    if declared not in MAGIC:
        return (f"{shown} is declared {str(declared)[:60]!r}; only {ALLOWED} files can be "
                "attached")
    data = attachment.get("data")
    if isinstance(data, str) and len(data) // 4 * 3 > max_bytes + 2:
        return _too_large(shown, len(data) // 4 * 3, max_bytes)
    raw = decode(data)
    if raw is None:
        return f"{shown} is not valid base64 data; attach the file again"
    if len(raw) > max_bytes:
        return _too_large(shown, len(raw), max_bytes)
    actual = sniff(raw)
    if actual != declared:
        found = f"a {actual} file" if actual else "not a JPEG, PNG or PDF file"
        return f"{shown} is declared {declared} but its bytes are {found}; attach the file again"
    return None


def _too_large(shown: str, size: int, max_bytes: int) -> str:
    return (f"{shown} is {size / 1_048_576:.1f} MB; at most {max_bytes / 1_048_576:.1f} MB "
            "can be attached: take the photo at a lower resolution")
