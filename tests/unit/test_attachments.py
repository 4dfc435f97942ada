"""Attachments are judged by their bytes, their size and their encoding (pure)."""

from __future__ import annotations

import base64

import pytest

from sync.documents.attachments import check_attachments, sniff

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.7\n" + b"\x00" * 16


def one(content_type: object, data: bytes | str, max_bytes: int = 1000) -> list[str]:
    encoded = data if isinstance(data, str) else base64.b64encode(data).decode()
    problems = check_attachments({"a.bin": {"content_type": content_type, "data": encoded}},
                                 max_bytes)
    return [p.message for p in problems]


@pytest.mark.parametrize(("data", "kind"), [(JPEG, "image/jpeg"), (PNG, "image/png"),
                                            (PDF, "application/pdf"), (b"<html>", None),
                                            (b"", None)])
def test_sniff_knows_three_magic_numbers(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_matching_bytes_are_accepted() -> None:
    assert one("image/jpeg", JPEG) == []
    assert one("application/pdf", PDF) == []


@pytest.mark.parametrize(("content_type", "data", "words"), [
    ("image/jpeg", b"<html><script></script>", "bytes are not a JPEG, PNG or PDF"),
    ("image/png", JPEG, "bytes are a image/jpeg file"),
    ("text/html", b"<html>", "only image/jpeg, image/png, application/pdf"),
    (None, JPEG, "declared 'None'"),
    ("image/jpeg", "@@not base64@@", "not valid base64"),
    ("image/jpeg", JPEG + b"\x00" * 2000, "at most 0.0 MB can be attached"),
])
def test_refusals_say_what_is_wrong(content_type: object, data: bytes | str,
                                    words: str) -> None:
    (message,) = one(content_type, data)
    assert words in message and '"a.bin"' in message


def test_stubs_are_not_decoded_but_their_type_must_fit() -> None:
    assert check_attachments({"r.jpg": {"stub": True, "content_type": "image/jpeg"}}, 10) == []
    assert check_attachments({"r.jpg": {"stub": True}}, 10) == []
    assert check_attachments({"r.htm": {"stub": True, "content_type": "text/html"}}, 10)


def test_attachments_must_be_an_object_of_objects() -> None:
    assert check_attachments(None, 10) == []
    assert check_attachments(["x"], 10)
    assert check_attachments({"a": "x"}, 10)
