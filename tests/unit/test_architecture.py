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
    "sync/gateway/paths.py",
    "server/sales/decisions.py", "server/sales/leadmoves.py", "server/sales/expenses.py",
    "server/sales/words.py", "server/sales/masterdata.py",
    "server/reports/errors.py", "server/reports/filters.py", "server/reports/funnel.py",
    "sync/projection.py", "sync/receipts.py", "sync/partitions.py", "sync/db_names.py",
    "server/audit/chain.py", "server/audit/actor.py",
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Every module a file imports, relative imports resolved to their absolute names; for
    `from a import b` both `a` and `a.b` (b may be a module)."""
    found: set[str] = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module:
                found.add(module)
            found |= {f"{module}.{alias.name}".lstrip(".") for alias in node.names}
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
        outward = {m for m in imported_modules(path) if _project(m)
                   and not _under(m, ("sync.documents",))}
        assert not outward, f"{path.name} imports {sorted(outward)}"


PROJECT = ("server", "sync", "conflict", "erp_bridge")
# The composition root and the web and command-line edge: the outermost ring.
EDGE = ("server.bootstrap", "server.app", "server.api", "server.cli", "server.webapp")
# Modules run by the app, the CLI or the scheduler: they may use the composition root.
ENTRY_POINTS = (*EDGE, "server.supervisor", "server.serving", "server.health",
                "server.partition_health", "server.jobs", "server.rebuild", "server.demo",
                "server.demo_activity", "server.startup_checks", "server.importing.cli",
                "server.reports.web", "server.reports.jobs")
# What sync/, conflict/ and erp_bridge/ may use of server/: settings and SQL (shared
# infrastructure) and server's pure modules.
SHARED_FROM_SERVER = ("server.config", "server.sql")
INNER = ("sync", "conflict", "erp_bridge")

def _project(module: str) -> bool:
    return module.split(".")[0] in PROJECT


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _project_files() -> list[Path]:
    return sorted(p for top in PROJECT for p in (REPO / top).rglob("*.py"))


def _outward_imports() -> set[tuple[str, str]]:
    """(importer, imported module) pairs that point outward."""
    pure = {module_name(p) for p in pure_files()}
    graph = {module_name(path): {_as_module(m) for m in imported_modules(path) if _project(m)}
             for path in _project_files()}
    doing_io = _doing_io(graph)
    return {(me, target) for me, targets in graph.items() for target in targets - {me}
            if _points_outward(me, target, pure, doing_io)}


def _points_outward(me: str, target: str, pure: set[str], doing_io: set[str]) -> bool:
    if _under(target, EDGE):  # only entry points use the composition root and the edge
        return not _under(me, ENTRY_POINTS)
    if _under(me, INNER) and _under(target, ("server",)):
        return not _under(target, SHARED_FROM_SERVER) and target not in pure
    return me in pure and target in doing_io  # pure stays pure through what it imports


def _doing_io(graph: dict[str, set[str]]) -> set[str]:
    """Project modules that import an I/O library themselves or through another module."""
    io = {me for me, path in zip(graph, _project_files(), strict=True)
          if any(m.split(".")[0] in FORBIDDEN for m in imported_modules(path))}
    while True:
        more = {me for me, targets in graph.items() if targets & io} - io
        if not more:
            return io
        io |= more


def _as_module(name: str) -> str:
    """The module a dotted name lives in (`a.b.func` -> `a.b`)."""
    while "." in name and not _is_module(name):
        name = name.rsplit(".", 1)[0]
    return name


def _is_module(module: str) -> bool:
    """Whether a name is a project module or package (not a name imported from one)."""
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_imports_point_inward_in_every_package() -> None:
    found = sorted(_outward_imports())
    assert not found, "imports pointing outward (inner module, what it reaches):\n" + \
        "\n".join(f"  {a} -> {b}" for a, b in found)


def test_relative_imports_are_resolved() -> None:
    source = "from ...server.bootstrap import Services\nfrom . import routing\n"
    found = imported_modules(REPO / "sync" / "gateway" / "web.py", source)
    assert {"server.bootstrap", "sync.gateway.routing"} <= found
    assert _points_outward("sync.gateway.web", _as_module("server.bootstrap.Services"), set(),
                           set())


def _reaching_the_root() -> set[tuple[str, str]]:
    """(module of sync/, conflict/ or erp_bridge/, composition-root module it imports)."""
    return {(module_name(path), _as_module(m)) for top in INNER
            for path in sorted((REPO / top).rglob("*.py")) for m in imported_modules(path)
            if _under(_as_module(m), ("server.bootstrap",))}


def test_inner_packages_are_given_their_parts_by_the_composition_root() -> None:
    """server/bootstrap.py builds; what it builds never imports it back (relative imports and
    imports inside functions included)."""
    found = sorted(_reaching_the_root())
    assert not found, "modules importing the composition root:\n" + \
        "\n".join(f"  {a} -> {b}" for a, b in found)


def test_a_lazy_or_relative_import_of_the_root_is_caught() -> None:
    source = "def f():\n    from ...server import bootstrap\n    return bootstrap\n"
    found = imported_modules(REPO / "sync" / "gateway" / "web.py", source)
    assert any(_under(_as_module(m), ("server.bootstrap",)) for m in found)
