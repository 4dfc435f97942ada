"""Pure domain modules import no web framework, SQL toolkit or HTTP client; imports point inward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_smorest", "sqlalchemy", "requests", "httpx", "ibmcloudant",
             "ibm_cloud_sdk_core", "psycopg", "apscheduler")
PURE = [
    "sync/documents/*.py",
    "server/location/*.py",
    "conflict/errors.py", "conflict/values.py", "conflict/merge.py", "conflict/policies.py",
    "conflict/ancestry.py", "conflict/engine.py", "conflict/choices.py",
    "erp_bridge/errors.py", "erp_bridge/snapshot.py", "erp_bridge/retry.py",
    "erp_bridge/delivery.py", "erp_bridge/mapping.py",
    "server/accounts/errors.py", "server/accounts/roles.py", "server/accounts/passwords.py",
    "server/accounts/tokens.py", "server/accounts/throttle.py",
    "sync/gateway/routing.py", "sync/gateway/writes.py", "sync/gateway/changes.py",
    "server/sales/decisions.py", "server/sales/leadmoves.py", "server/sales/expenses.py",
    "server/sales/words.py", "server/sales/masterdata.py",
    "server/reports/errors.py", "server/reports/filters.py", "server/reports/funnel.py",
    "sync/projection.py", "sync/receipts.py", "sync/partitions.py",
    "server/audit/chain.py", "server/audit/actor.py",
]


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def pure_files() -> list[Path]:
    files = sorted({p for pattern in PURE for p in REPO.glob(pattern)})
    assert len(files) > 40
    return files


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_pure_module_imports_no_io_library(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_documents_do_not_reach_outward() -> None:
    for path in REPO.glob("sync/documents/*.py"):
        outward = {m for m in imported_modules(path)
                   if m.split(".")[0] in {"server", "conflict", "erp_bridge"}}
        assert not outward, f"{path.name} imports {sorted(outward)}"
