"""The phone data layer shared by the PWA and the Android app passes its `node --test` tests.

They include the shared GST and canonical vectors, so the phones and the server agree to the paisa.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PHONE_DATA = Path(__file__).resolve().parents[2] / "phone-data"


def test_node_runs_the_phone_data_layer_tests_and_the_shared_vectors() -> None:
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed: the phone and the server must agree to the paisa"
    done = subprocess.run([node, "--test", "test/"], cwd=PHONE_DATA, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
    # every GST case in the shared file ran as its own test
    assert done.stdout.count("ok ") > 30
