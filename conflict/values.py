"""Field paths inside documents, and how values and fields are shown to people."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

Doc = dict[str, Any]
Path = tuple[str | int, ...]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING: Any = _Marker("MISSING")  # the field is absent on that side
UNKNOWN: Any = _Marker("UNKNOWN")  # the common ancestor is gone, so its value is unknown

LABELS = {
    "customer_id": "Customer", "unit_price": "unit price", "discount_pct": "discount %",
    "gst_rate": "GST rate", "igst": "IGST", "cgst": "CGST", "sgst": "SGST", "gst": "GST",
    "grand_total": "grand total", "product_id": "product", "po": "PO", "po_number": "PO number",
    "km": "km", "lead_id": "Lead", "valid_until": "Valid until", "_deleted": "Document",
    "_attachments": "Attachments", "lost_reason": "Lost reason", "due_date": "Due date",
}
_INDEX = re.compile(r"^([^\[]+)\[(\d+)\]$")


def field_name(path: Path) -> str:
    """`("lines", 2, "unit_price")` → `lines[3].unit_price`: list positions count from 1."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_field(name: str) -> Path:
    """The inverse of `field_name`; raises ValueError on a malformed name."""
    parts: list[str | int] = []
    for piece in name.split("."):
        match = _INDEX.match(piece)
        if match:
            if int(match.group(2)) < 1:
                raise ValueError(f"line numbers start at 1 in {name!r}")
            parts.extend([match.group(1), int(match.group(2)) - 1])
        elif piece and "[" not in piece:
            parts.append(piece)
        else:
            raise ValueError(f"{name!r} is not a field name like 'lines[3].unit_price'")
    return tuple(parts)


def label(path: Path) -> str:
    """A field as people read it: `lines[3].unit_price` → `Line 3 unit price`."""
    words: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            words.append(str(part + 1))
            continue
        word = LABELS.get(part, part.replace("_", " "))
        if i + 1 < len(path) and isinstance(path[i + 1], int) and part.endswith("s"):
            word = word[:-1]  # "lines", 3 → "line 3"
        words.append(word)
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def render(value: Any) -> str | None:
    """A value for a person: money strings as written, yes/no, short summaries of structures."""
    if value is MISSING or value is None or value is UNKNOWN:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if "product_id" in value:
            return render_line(value)
        return ", ".join(f"{k}: {render(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(render(v) or "" for v in value)
    return str(value)


def render_line(line: Doc) -> str:
    text = f"{line.get('product_id')} x {line.get('quantity')} @ {line.get('unit_price')}"
    if line.get("discount_pct") not in (None, "0", "0.00"):
        text += f", {line.get('discount_pct')}% off"
    return text


def get_path(doc: Any, path: Path) -> Any:
    """The value at `path`, or MISSING."""
    node = doc
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
    return node


def set_paths(doc: Doc, changes: Sequence[tuple[Path, Any]]) -> Doc:
    """A copy of `doc` with each path set (MISSING removes it; removed list items close up)."""
    out = copy.deepcopy(doc)
    removed = object()
    for path, value in changes:
        _set(out, path, removed if value is MISSING else copy.deepcopy(value), removed)
    result: Doc = _drop(out, removed)
    return result


def _set(node: Any, path: Path, value: Any, padding: object) -> None:
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(part, int):
            while len(node) <= part:
                node.append(padding if last else {})
            if last:
                node[part] = value
            node = node[part]
        else:
            if last:
                node[part] = value
                return
            node = node.setdefault(part, [] if isinstance(path[i + 1], int) else {})


def _drop(node: Any, removed: object) -> Any:
    if isinstance(node, dict):
        return {k: _drop(v, removed) for k, v in node.items() if v is not removed}
    if isinstance(node, list):
        return [_drop(v, removed) for v in node if v is not removed]
    return node
