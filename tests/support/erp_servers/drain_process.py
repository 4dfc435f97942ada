"""One drainer process for the concurrency test: waits for a start file, drains, prints a report."""

# Usage: python -m tests.support.erp_servers.drain_process START_FILE (settings: FIELDSYNC_*).

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from server.bootstrap import bootstrap
from server.config import Settings


def main(start_file: str) -> None:
    settings = Settings.from_env()
    services = bootstrap(settings)
    drainer = services.erp_drainer
    deadline = time.monotonic() + 60
    while not Path(start_file).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    report = drainer.run_until_idle()
    print(json.dumps(asdict(report)))
    services.close()


if __name__ == "__main__":
    main(sys.argv[1])
