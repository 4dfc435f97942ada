"""The console's pure JavaScript (money, routes, map arithmetic) under Node's own test runner."""

from __future__ import annotations

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def test_console_logic_passes_its_node_tests() -> None:
    run = subprocess.run(["node", "--test", "src/console/tests/"], cwd=WEB, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 5" in run.stdout
