"""The contract as the phones get it: one JSON file of the schemas and the message catalogue."""

from __future__ import annotations

import json
from pathlib import Path

from sync.documents.catalogue import export as export_messages
from sync.documents.contract import all_schemas, rule_table
from sync.documents.schema import CURRENT_SCHEMA_VERSION

# Shipped with the phones' data layer; `fieldsync contract` writes it, a test compares it.
PHONE_CONTRACT = Path("phone-data") / "src" / "contract.json"


def contract_json() -> str:
    """The file's text: stable (sorted keys) so a changed contract shows as a small diff."""
    content = {
        "generated_by": "fieldsync contract (from sync/documents/contract.py and catalogue.py)",
        "schema_version": CURRENT_SCHEMA_VERSION,
        "schemas": all_schemas(),
        "messages": export_messages(),
        "rules": rule_table(),
    }
    return json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def stale(path: Path) -> bool:
    """True when the file at `path` is not what the contract produces now."""
    return not path.is_file() or path.read_text(encoding="utf-8") != contract_json()
