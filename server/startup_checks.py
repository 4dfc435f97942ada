"""What `fieldsync serve` checks before it opens an installation to the network.

This module stays light at import, like the CLI: the serving process must not load the SQL and
HTTP stack before gunicorn's gevent workers patch the standard library, so the check itself
runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

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
    """`demo_password_refusal` run in a fresh interpreter (see the module docstring)."""
    if uses_embedded_store(settings):
        return None
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(demo_password_refusal, settings).result()
