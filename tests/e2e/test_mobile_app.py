"""The Android app (mobile/): its Jest screen tests, its Android bundle, and its sync module in
Node replicating through a real running FieldSync and getting receipts back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from tests.support.browser import PASSWORD, SQLITE_ONLY, Stack, running_stack

MOBILE = Path(__file__).resolve().parents[2] / "mobile"
HERMES_MAGIC = bytes.fromhex("c61fbc03c103191f")


def npx() -> str:
    found = shutil.which("npx")
    assert found, "Node.js 20+ with npm is needed for the Android app"
    assert (MOBILE / "node_modules").is_dir(), "run `make setup` (npm ci in mobile/)"
    return found


def run(args: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=MOBILE, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "CI": "1", "EXPO_NO_TELEMETRY": "1"})


@pytest.mark.timeout(900)
def test_the_screens_pass_their_jest_tests() -> None:
    done = run([npx(), "jest", "--ci", "--silent"], timeout=880)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    counts = re.search(r"Tests:\s+(\d+) passed, (\d+) total", done.stderr)
    assert counts, done.stderr[-3000:]
    assert counts.group(1) == counts.group(2) and int(counts.group(1)) >= 10


@pytest.mark.timeout(900)
def test_expo_exports_the_android_bundle_as_hermes_bytecode(tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = run([npx(), "expo", "export", "--platform", "android", "--output-dir", str(out)],
               timeout=880)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    bundles = list((out / "_expo" / "static" / "js" / "android").glob("index-*.hbc"))
    assert len(bundles) == 1, sorted(p.name for p in out.rglob("*"))
    data = bundles[0].read_bytes()
    assert data[:8] == HERMES_MAGIC
    assert len(data) > 1_000_000  # the screens, navigation and PouchDB, not an empty shell


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    with running_stack(services) as running:
        yield running


def node_phone(stack: Stack, username: str = "asha") -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed for the phone's sync module"
    args = {"server": stack.url, "username": username, "password": PASSWORD, "timeout_ms": 60000}
    done = subprocess.run([node, "--experimental-default-type=module", "scripts/node-phone.js",
                           json.dumps(args)], cwd=MOBILE, capture_output=True, text=True,
                          timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    answer: dict[str, Any] = json.loads(lines[-1])
    assert answer["ok"], answer.get("error")
    return answer


@SQLITE_ONLY
@pytest.mark.timeout(180)
def test_the_apps_sync_module_pushes_a_day_and_gets_receipts_back(stack: Stack) -> None:
    answer = node_phone(stack)
    # the first sync brought the territory's customers and the catalog to the phone
    assert answer["initial"]["customers"] > 0 and answer["initial"]["catalog"] > 0
    assert answer["pending_before"] == 5 and answer["pushed"] == 5
    states = {r["id"].split(":", 1)[0]: r for r in answer["receipts"]}
    assert {t: r["state"] for t, r in states.items()} == {
        "offer": "accepted", "approval": "accepted", "order": "accepted", "todo": "accepted",
        "expense": "accepted"}, answer["receipts"]
    assert states["order"]["erp"]["number"], states["order"]
    assert answer["pending_after"] == 0
    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    stored = {r["id"] for r in stack.services.store.all_docs(db)}
    assert {r["id"] for r in answer["receipts"]} <= stored
