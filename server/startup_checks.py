"""What `fieldsync serve` checks before it opens an installation to the network.

This module stays light at import, like the CLI: the serving process must not load the SQL and
HTTP stack before gunicorn's gevent workers patch the standard library, so the check itself
runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys

from server.config import Settings

SET_PASSWORD = "fieldsync user set-password"


def uses_embedded_store(settings: Settings) -> bool:
    """True when the store is the embedded one `fieldsync run` started and announced."""
    if not settings.store_url:
        return True  # only the store `fieldsync run` announced can be used then
    announced = settings.var_dir / "store" / "endpoint.json"
    try:
        endpoint = json.loads(announced.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(endpoint, dict) and endpoint.get("url") == settings.store_url


def demo_password_refusal(settings: Settings) -> str | None:
    """Why serving must not start (demo users keep their published passwords), else None.

    The embedded store is the demo and development setup; a store of one's own
    (FIELDSYNC_STORE_URL) means production, where anyone can look the demo passwords up.
    """
    if uses_embedded_store(settings):
        return None
    from server.bootstrap import bootstrap
    from server.demo import users_with_demo_passwords

    services = bootstrap(settings)
    try:
        names = users_with_demo_passwords(services)
    finally:
        services.close()
    if not names:
        return None
    commands = "\n".join(f"  {SET_PASSWORD} {name}" for name in names)
    return (f"FieldSync will not serve with FIELDSYNC_STORE_URL set while these users still "
            f"have a published demo password: {', '.join(names)}.\n"
            f"Give each a password of its own (or `fieldsync user deactivate NAME`):\n"
            f"{commands}")


def demo_password_refusal_isolated(settings: Settings) -> str | None:
    """`demo_password_refusal` in a fresh interpreter (see the module docstring), which reads
    the same FIELDSYNC_* environment as the caller's settings came from."""
    if uses_embedded_store(settings):
        return None
    done = subprocess.run([sys.executable, "-m", __name__], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"FieldSync could not check its users for demo passwords: {last}"
    return done.stdout.strip() or None


def _main() -> None:
    try:
        print(demo_password_refusal(Settings.from_env()) or "")
    except Exception as exc:  # the parent reports one line: the operator needs no traceback
        first = (str(exc).strip().splitlines() or [""])[0]
        sys.exit(f"{type(exc).__name__}: {first}")


if __name__ == "__main__":
    _main()
