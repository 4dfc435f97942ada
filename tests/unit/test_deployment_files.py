"""docker-compose.yml describes the production deployment the README documents."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from server.config import ENV_PREFIX, Settings

REPO = Path(__file__).resolve().parents[2]
FIELDSYNC_SERVICES = ("server", "worker", "scheduler", "migrate")


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_names_the_store_the_database_and_every_process() -> None:
    services = compose()["services"]
    assert services["couchdb"]["image"].startswith("couchdb:3")
    assert services["postgres"]["image"].startswith("postgres:")
    commands = {name: services[name]["command"] for name in FIELDSYNC_SERVICES}
    assert commands == {"server": ["fieldsync", "serve"], "worker": ["fieldsync", "worker"],
                        "scheduler": ["fieldsync", "scheduler"],
                        "migrate": ["fieldsync", "migrate"]}
    for name in FIELDSYNC_SERVICES:
        assert services[name]["build"] == "."
        env = services[name]["environment"]
        assert env["FIELDSYNC_STORE_URL"] == "http://couchdb:5984"
        assert env["FIELDSYNC_DATABASE_URL"].startswith("postgresql://")
        assert "couchdb" in services[name]["depends_on"]


def test_every_setting_in_compose_exists_and_is_documented() -> None:
    known = {ENV_PREFIX + f.name.upper() for f in fields(Settings)}
    readme = (REPO / "README.md").read_text()
    for service in compose()["services"].values():
        for variable in service.get("environment", {}):
            if variable.startswith(ENV_PREFIX):
                assert variable in known, variable
                assert variable in readme, f"{variable} is not documented in the README"


def test_readme_shows_the_two_commands_first() -> None:
    readme = (REPO / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert first_block is not None
    assert "make run" in first_block.group(1) and "make test" in first_block.group(1)


def test_dockerfile_installs_every_package() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("server", "sync", "conflict", "erp_bridge"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_settings_from_environment_have_the_declared_types() -> None:
    settings = Settings.from_env({"FIELDSYNC_VAR_DIR": "/srv/fieldsync",
                                  "FIELDSYNC_HTTP_PORT": "9000",
                                  "FIELDSYNC_STORE_IN_MEMORY": "yes",
                                  "FIELDSYNC_GEOFENCE_RADIUS_M": "150.5"})
    assert settings.var_dir == Path("/srv/fieldsync")
    assert settings.http_port == 9000
    assert settings.store_in_memory is True
    assert settings.geofence_radius_m == 150.5
