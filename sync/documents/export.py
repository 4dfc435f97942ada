"""The contract as the phones get it: one JSON file of the schemas and the message catalogue,
and the document vocabulary (vocabulary.py) as a small module the apps import at once."""

from __future__ import annotations

import json
from pathlib import Path

from sync.documents.catalogue import export as export_messages
from sync.documents.contract import all_schemas, rule_table
from sync.documents.schema import CURRENT_SCHEMA_VERSION
from sync.documents.vocabulary import PHONE_VOCABULARY, vocabulary_js

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


def generated(contract_path: Path = PHONE_CONTRACT) -> dict[Path, str]:
    """Each file `fieldsync contract` writes and its text; the vocabulary sits next to the
    contract."""
    return {contract_path: contract_json(),
            contract_path.parent / PHONE_VOCABULARY.name: vocabulary_js()}


def stale(path: Path, text: str | None = None) -> bool:
    """True when the file at `path` is not `text` (the contract's by default) now."""
    want = contract_json() if text is None else text
    return not path.is_file() or path.read_text(encoding="utf-8") != want
