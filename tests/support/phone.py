"""A PouchDB 9 test phone (phone/phone.js in Node) driven line by line from Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

PHONE_DIR = Path(__file__).resolve().parents[2] / "phone"
SCRIPT = PHONE_DIR / "phone.js"


class PhoneError(RuntimeError):
    """The phone answered an operation with an error."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__(answer.get("error", "phone error"))
        self.answer = answer


def phone_installed() -> bool:
    return shutil.which("node") is not None and (PHONE_DIR / "node_modules").exists()


class Phone:
    """One phone process: local memory databases that live until `close()`."""

    def __init__(self, gateway_url: str, token: str) -> None:
        if not phone_installed():
            raise RuntimeError(f"run `npm ci --ignore-scripts` in {PHONE_DIR} (make setup)")
        self._proc = subprocess.Popen(
            ["node", str(SCRIPT)], cwd=PHONE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1,
            env={**os.environ, "NODE_OPTIONS": "--unhandled-rejections=warn"})
        self._lock = threading.Lock()
        self.call("config", gateway=gateway_url, token=token)

    def call(self, op: str, **args: Any) -> Any:
        answer = self.try_call(op, **args)
        if not answer["ok"]:
            raise PhoneError(answer)
        return answer["result"]

    def try_call(self, op: str, **args: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            self._proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the phone process exited (code {self._proc.poll()})")
        return dict(json.loads(line))

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
