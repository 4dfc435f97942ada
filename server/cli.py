"""The `fieldsync` command: run everything, or one process (serve, worker, scheduler), and tools."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

import click

from server.config import Settings

if TYPE_CHECKING:
    from server.bootstrap import Services
    from sync.worker import Worker

# This module stays light at import: `fieldsync serve` must let gevent patch the standard library
# (gunicorn does it in each worker) before requests, ssl or the SQL drivers are imported.


def _services() -> Services:
    from server.bootstrap import ConfigurationError, bootstrap

    try:
        return bootstrap(Settings.from_env())
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")


@click.group()
def main() -> None:
    """FieldSync: offline-first sales management."""


def _as_operator() -> None:
    """Audit what this command changes in the name of the system account that ran it (the
    long-running processes keep `system`)."""
    import getpass

    from server.audit.actor import Actor, acting_as

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        who = "unknown"
    click.get_current_context().with_resource(acting_as(Actor(f"cli:{who}"[:64], "cli")))


@main.command()
@click.option("--no-demo", is_flag=True, help="Do not load demo data on the first start.")
def run(no_demo: bool) -> None:
    """Start the embedded store, the HTTP server, the worker and the scheduler together."""
    from server.supervisor import Supervisor

    settings = Settings.from_env()
    setup_logging(settings.log_level)
    raise SystemExit(Supervisor(settings, load_demo=not no_demo).run())


@main.command()
def serve() -> None:
    """Serve the REST API, the sync gateway and the web app (gunicorn + gevent).

    With a store of your own (FIELDSYNC_STORE_URL) it refuses to start while a demo user still
    has a demo password.
    """
    from server.serving import serve as serve_http
    from server.startup_checks import demo_password_refusal_isolated

    settings = Settings.from_env()
    setup_logging(settings.log_level)
    refusal = demo_password_refusal_isolated(settings)
    if refusal:
        raise click.ClickException(refusal)
    serve_http(settings)


@main.command()
@click.option("--repartition", is_flag=True,
              help="Change the number of partitions to FIELDSYNC_WORKER_PARTITIONS (only while "
                   "no other worker runs).")
def worker(repartition: bool) -> None:
    """Follow the engineer databases and materialise their documents into SQL."""
    from sync.partitions import PartitionError
    from sync.store import StoreError

    stopping: list[Worker] = []

    def stop(_signum: int, _frame: FrameType | None) -> None:
        if not stopping:  # asked to stop before the worker began: nothing to finish
            raise SystemExit(0)
        stopping[0].stop()  # the current batch finishes and commits first

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    services = _services()
    setup_logging(services.settings.log_level)
    stopping.append(services.worker())
    try:
        _prepare_worker(services, stopping[0], repartition)
        stopping[0].run_forever()
    except (PartitionError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        services.close()


def _prepare_worker(services: Services, worker: Worker, repartition: bool) -> None:
    """Refuse a store that refuses us; name this worker's SQL sessions; repartition if asked."""
    from sync.leases import LeaseKeeper, tag_worker_sessions
    from sync.store import StoreError, TerminalStoreError, describe

    try:
        services.store.all_dbs()  # admin-only on CouchDB 3: wrong credentials show here
    except TerminalStoreError as exc:
        raise StoreError(describe(exc, services.store.url)) from exc
    except StoreError:
        pass  # not reachable yet: the worker waits for it like for any outage
    if isinstance(worker.ownership, LeaseKeeper):
        tag_worker_sessions(services.engine, worker.ownership.owner,
                            services.settings.worker_lease_ttl_s)
        if repartition:
            worker.ownership.repartition()


@main.command()
def scheduler() -> None:
    """Run the scheduled jobs: ERP outbox drain, master-data pulls, sweeps and rollups."""
    from server.jobs import run_scheduler

    services = _services()
    setup_logging(services.settings.log_level)
    run_scheduler(services)


@main.command()
def migrate() -> None:
    """Bring the SQL schema to the newest version (Alembic upgrade head) and create the
    store's missing system databases (a fresh CouchDB's _users, _replicator, _global_changes)."""
    from server.sql.migrate import upgrade
    from sync.provisioning import ensure_system_databases
    from sync.store import StoreError, describe

    services = _services()
    upgrade(services.engine)
    click.echo("SQL schema is up to date")
    try:
        created = ensure_system_databases(services.store)
    except StoreError as exc:
        raise click.ClickException(describe(exc, services.store.url)) from exc
    click.echo(f"Store system databases created: {', '.join(created)}" if created
               else "Store system databases are in place")


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rebuild(yes: bool) -> None:
    """Rebuild the SQL projection from the documents in the store."""
    from server.rebuild import rebuild_projection

    if not yes:
        click.confirm("Drop the projected rows and rebuild them from the store?", abort=True)
    services = _services()
    counts = rebuild_projection(services, progress=True)
    click.echo(f"Rebuilt {counts.documents} documents from {counts.databases} databases")


@main.command("demo-data")
def demo_data() -> None:
    """Load the demo users, teams, territories and master data (idempotent)."""
    from server.demo import load_demo

    _as_operator()

    services = _services()
    for line in load_demo(services):
        click.echo(line)


@main.command("import")
@click.argument("kind", type=click.Choice(["customers", "products"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_master_data(kind: str, path: str) -> None:
    """Import customers or products from a CSV or XLSX file (all rows or none)."""
    from server.importing.cli import run_import

    _as_operator()

    raise SystemExit(run_import(_services(), kind, path))


@main.command()
@click.option("--out", default=None, help="Where to write (default phone-data/src/contract.json).")
@click.option("--check", is_flag=True, help="Only say whether the file is up to date.")
def contract(out: str | None, check: bool) -> None:
    """Write the document contract (JSON Schemas and refusal messages) and the document
    vocabulary for the phones."""
    from pathlib import Path

    from sync.documents.export import PHONE_CONTRACT, generated, stale

    for path, text in generated(Path(out) if out else PHONE_CONTRACT).items():
        if check:
            if stale(path, text):
                raise click.ClickException(f"{path} is out of date: run `fieldsync contract`")
            click.echo(f"{path} is up to date")
        else:
            path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {path}")


@main.group()
def user() -> None:
    """Create users, set their passwords, deactivate them (the first admin starts here)."""
    _as_operator()


PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of asking.")


def _read_password(from_stdin: bool) -> str:
    # Never from the command line itself: arguments show in `ps` and in shell histories.
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["engineer", "head", "admin"]))
@click.option("--team", help="Team name (created when new).")
@click.option("--territory", help="Territory code (engineers).")
@click.option("--discount-limit", default="0", show_default=True,
              help="Largest discount in percent the user may give without approval.")
@click.option("--full-name", default="")
@PASSWORD_STDIN
def user_create(username: str, role: str, team: str | None, territory: str | None,
                discount_limit: str, full_name: str, password_stdin: bool) -> None:
    """Create a user; asks for the password (twice) unless --password-stdin."""
    from server.accounts.errors import AccountsError
    from server.accounts.service import create_user

    password = _read_password(password_stdin)
    services = _services()
    try:
        create_user(services.sessions, services.store, services.settings, username, password,
                    role, team=team, territory=territory, discount_limit_pct=discount_limit,
                    full_name=full_name)
    except AccountsError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        services.close()
    click.echo(f"created {role} {username}")


@user.command("set-password")
@click.argument("username")
@PASSWORD_STDIN
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set a user's password; every sign-in of theirs ends (all their tokens are revoked)."""
    from server.accounts.errors import AccountsError

    services = _services()
    try:
        if services.accounts.repo.find_user(username) is None:
            raise click.ClickException(f"user {username!r} was not found")
        services.accounts.set_password(username, _read_password(password_stdin),
                                       by="the command line")
    except AccountsError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        services.close()
    click.echo(f"password of {username} set; their earlier sign-ins have ended")


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Stop a user signing in and end their sign-ins; their data stays."""
    services = _services()
    try:
        if not services.accounts.deactivate(username):
            raise click.ClickException(f"user {username!r} was not found")
    finally:
        services.close()
    click.echo(f"{username} is deactivated")


@user.command("allow-territories")
@click.argument("username")
@click.argument("codes", nargs=-1)
def user_allow_territories(username: str, codes: tuple[str, ...]) -> None:
    """Let a user sell in these territories besides their own (none: only their own)."""
    from server.accounts.errors import AccountsError
    from server.accounts.service import allow_territories
    from sync.publish import MasterDataPublisher

    services = _services()
    try:
        allowed = allow_territories(services.sessions, username, codes, by="the command line")
        MasterDataPublisher(services.store, services.sessions,
                            services.settings.db_prefix).publish_all()
    except AccountsError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        services.close()
    click.echo(f"{username} may also sell in: {', '.join(allowed) or 'no other territory'}")


@main.group()
def audit() -> None:
    """The audit trail: check that no recorded change was edited, removed or reordered."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first broken row, 0 with the count when intact."""
    from server.audit import verify_chain
    from server.sql.session import make_engine, make_session_factory

    # SQL only: the check needs no document store, so it runs wherever the database is reachable.
    engine = make_engine(Settings.from_env().sqlalchemy_url)
    try:
        with make_session_factory(engine)() as session:
            report = verify_chain(session)
    finally:
        engine.dispose()
    if report.broken is not None:
        click.echo(f"audit trail BROKEN at row {report.broken.seq}: {report.broken.problem} "
                   f"({report.rows} rows before it are intact)", err=True)
        raise SystemExit(1)
    click.echo(f"audit trail intact: {report.rows} rows, last hash {report.last_hash}")


if __name__ == "__main__":
    main()
