"""The phone's data layer runs the shared GST and canonical vectors under `node --test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_node_runs_the_shared_vectors_against_the_web_data_layer() -> None:
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed: the phone and the server must agree to the paisa"
    done = subprocess.run([node, "--test", "web/test/"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
    # every GST case in the shared file ran as its own test
    assert done.stdout.count("ok ") > 30
