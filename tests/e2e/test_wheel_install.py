"""The wheel carries the web app: installed outside the checkout, `fieldsync serve` serves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.embedded import StoreEndpoint, free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make wheel`: the web app copied into the package, then a wheel built from the tree."""
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(["make", "-s", "wheel", f"WHEEL_DIR={out}"], cwd=REPO, check=True,
                   capture_output=True, timeout=300)
    (built,) = out.glob("fieldsync-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with only the wheel installed in it; its
    dependencies come from this interpreter's site-packages through a path file (no network).
    A path file adds the directory without running the path files in it, so the checkout's
    editable install stays invisible there."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    target = Path(subprocess.run([root / "bin" / "python", "-c", purelib], check=True,
                                 capture_output=True, text=True).stdout.strip())
    (target / "fieldsync-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"),
                    "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=120)
    return root


def environment(tmp_path: Path, store: StoreEndpoint, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDSYNC_", "PYTHON"))}
    env.update(FIELDSYNC_STORE_URL=store.url, FIELDSYNC_STORE_USERNAME=store.username,
               FIELDSYNC_STORE_PASSWORD=store.password, FIELDSYNC_VAR_DIR=str(tmp_path / "var"),
               FIELDSYNC_HTTP_PORT=str(port), FIELDSYNC_DB_PREFIX="wheel-")
    return env


@pytest.fixture
def installed_server(venv: Path, store_endpoint: StoreEndpoint,
                     tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = environment(tmp_path, store_endpoint, port)
    fieldsync = str(venv / "bin" / "fieldsync")
    subprocess.run([fieldsync, "migrate"], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=120)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([fieldsync, "serve"], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, tmp_path / "serve.log")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            requests.get(url + "/healthz", timeout=5)
            return
        except requests.RequestException:  # not listening yet, or its workers still booting
            time.sleep(0.2)
    raise AssertionError(f"fieldsync serve did not answer in 60 s: {log.read_text()}")


def test_the_wheel_holds_the_built_app(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "server/web_dist/index.html" in names
    assert "server/web_dist/sw.js" in names
    assert any(n.startswith("server/web_dist/assets/") for n in names)
    assert "server/sql/migrations/alembic.ini" in names


def test_installed_package_serves_app_worker_and_docs(venv: Path, installed_server: str) -> None:
    where = subprocess.run([venv / "bin" / "python", "-c", "import server; print(server.__file__)"],
                           cwd="/", check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout
    page = requests.get(installed_server + "/", timeout=10)
    assert page.status_code == 200
    assert '<div id="root">' in page.text and "has not been built" not in page.text
    deep = requests.get(installed_server + "/console/orders", timeout=10)
    assert deep.status_code == 200 and deep.text == page.text
    worker = requests.get(installed_server + "/sw.js", timeout=10)
    assert worker.status_code == 200 and "precache" in worker.text.lower()
    assert worker.headers["Service-Worker-Allowed"] == "/"
    docs = requests.get(installed_server + "/api/docs", timeout=10)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = requests.get(installed_server + "/api/openapi.json", timeout=10)
    assert spec.status_code == 200 and spec.json()["info"]["title"]
