"""The token signing secret: from settings, or generated once per installation under var_dir."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

SECRET_FILE = "jwt-secret"


def load_or_create_secret(configured: str, var_dir: Path) -> str:
    """The configured secret, else the one kept in `var_dir/jwt-secret` (created mode 600)."""
    if configured:
        return configured
    path = var_dir / SECRET_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: when several server processes start at once, exactly one writes it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    return _read_when_written(path)


def _read_when_written(path: Path) -> str:
    # A concurrent creator may not have written yet: wait briefly for the content.
    for _ in range(100):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and start again to generate a new secret")
