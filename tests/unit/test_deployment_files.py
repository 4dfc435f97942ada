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
        assert services[name]["depends_on"]["couchdb"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}


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


def test_dockerfile_builds_the_web_app_and_installs_the_wheel() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, re.M)
    assert stages[0][0].startswith("node:") and stages[0][1] == "web"
    assert "vite build" in dockerfile
    assert stages[1][0].startswith("python:") and stages[1][1] == "wheel"
    for package in ("server", "sync", "conflict", "erp_bridge"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert "COPY --from=web /src/web/dist ./server/web_dist" in dockerfile
    runtime = dockerfile.split("\nFROM ")[-1]
    assert "pip install" in runtime and ".whl" in runtime and "COPY server" not in runtime


def test_services_start_in_order_once_what_they_need_is_healthy() -> None:
    services = compose()["services"]
    for name in ("couchdb", "postgres", "server", "proxy"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    assert services["migrate"]["restart"] == "no"
    for name in ("server", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}, name
    assert services["proxy"]["depends_on"] == {"server": {"condition": "service_healthy"}}


def test_only_the_proxy_faces_the_network() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["server"]["environment"]["FIELDSYNC_TRUSTED_PROXIES"] == "1"
    mount = next(v for v in services["proxy"]["volumes"] if v.endswith("/etc/nginx/nginx.conf:ro"))
    nginx = (REPO / mount.split(":")[0]).read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "proxy_read_timeout",
                      "client_max_body_size", "send_timeout"):
        assert re.search(rf"^\s*{directive}\s+\w+;", nginx, re.M), directive
    body_limit = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert body_limit is not None
    assert int(body_limit.group(1)) * 1024 * 1024 == Settings().max_request_bytes
    assert "proxy_pass http://fieldsync;" in nginx and "server server:8000;" in nginx


def test_env_example_names_every_setting() -> None:
    example = (REPO / ".env.example").read_text()
    named = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, re.M))
    settings = {ENV_PREFIX + f.name.upper() for f in fields(Settings) if f.name != "extra"}
    assert settings <= named, sorted(settings - named)
    assert named - settings <= {"COUCHDB_USER", "COUCHDB_PASSWORD", "POSTGRES_PASSWORD",
                                "PUBLIC_PORT"}
    required = set(re.findall(r"\$\{(\w+):\?", (REPO / "docker-compose.yml").read_text()))
    active = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.M))
    assert required <= active, "every variable compose requires has a line to fill in"


def test_settings_from_environment_have_the_declared_types() -> None:
    settings = Settings.from_env({"FIELDSYNC_VAR_DIR": "/srv/fieldsync",
                                  "FIELDSYNC_HTTP_PORT": "9000",
                                  "FIELDSYNC_STORE_IN_MEMORY": "yes",
                                  "FIELDSYNC_GEOFENCE_RADIUS_M": "150.5"})
    assert settings.var_dir == Path("/srv/fieldsync")
    assert settings.http_port == 9000
    assert settings.store_in_memory is True
    assert settings.geofence_radius_m == 150.5
