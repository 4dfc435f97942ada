"""Runs every benchmark and prints its figures, one `name: value` per line."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

BENCHMARKS = ["bench.worker", "bench.scaling", "bench.gateway", "bench.erp",
              "bench.location", "bench.phone_sync", "bench.first_use", "bench.imports"]


def main(selected: list[str]) -> int:
    for module_name in BENCHMARKS:
        if selected and module_name.split(".")[-1] not in selected:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that benchmark does not exist in this build
            raise
        run: Callable[[], dict[str, float]] = module.run
        for name, value in run().items():
            print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
