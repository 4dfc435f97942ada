"""Regenerates the initial migration from the models (only while no release has shipped)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from server.sql.migrate import MIGRATIONS_DIR, autogenerate
from server.sql.session import make_engine


def main() -> None:
    for old in (MIGRATIONS_DIR / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        autogenerate(engine, "initial schema", rev_id="0001")
        engine.dispose()


if __name__ == "__main__":
    main()
