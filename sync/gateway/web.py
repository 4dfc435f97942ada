"""The gateway's Flask edge: `/sync/<logical db>/…`, bearer tokens, CouchDB-style errors."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from flask import Blueprint, Flask, Response, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, RequestTimeout

from server.accounts.errors import AccountsError
from server.accounts.roles import Principal
from server.audit.actor import Actor, acting_as
from server.config import Settings
from sync.dirty import DirtySet
from sync.documents.attachments import DEFAULT_MAX_ATTACHMENT_BYTES
from sync.gateway.changes import MAX_WAIT_S
from sync.gateway.errors import GatewayError, TooLargeError, UnauthorizedError
from sync.gateway.feeds import ChangeHub, FeedSlots
from sync.gateway.handlers import (
    BatchLimits,
    Gateway,
    Incoming,
    Outgoing,
    RefusalRecorder,
    as_json,
)
from sync.gateway.marks import WriteMarks
from sync.gateway.routing import Caller, Kind, Target, parse_path, physical_db
from sync.gateway.upstream import Upstream
from sync.gateway.writes import FrozenLookup, StructureCheck, VerdictLike

PREFIX = "/sync"
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def structure_check(max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> StructureCheck:
    """The worker's structural validators, shaped for the gateway."""
    from sync.documents.validate import check_structure

    def check(doc: dict[str, Any], owner: str, measure_size: bool) -> VerdictLike:
        return check_structure(doc, owner=owner, measure_size=measure_size,
                               max_attachment_bytes=max_attachment_bytes)

    return check


class Authenticator(Protocol):
    """Checks a bearer token (server/accounts: AccountService)."""

    def authenticate(self, token: str) -> Principal: ...


def build_gateway(settings: Settings, sessions: sessionmaker[Session], upstream: Upstream, *,
                  frozen: FrozenLookup, refusals: RefusalRecorder,
                  check: StructureCheck | None = None) -> Gateway:
    """The gateway over the store `upstream` reaches, given what it shares with the server."""
    s = settings
    # A waiting feed ends within MAX_WAIT_S, so a slot is free again by then at the latest.
    feeds = FeedSlots(s.gateway_live_feeds_per_user, retry_after_s=int(MAX_WAIT_S),
                      per_process=s.gateway_live_feeds_per_process)
    return Gateway(upstream=upstream, hub=ChangeHub(upstream),
                   check=check or structure_check(s.attachment_max_bytes),
                   marks=WriteMarks(DirtySet(sessions)),
                   batch=BatchLimits(s.gateway_max_batch_docs, s.gateway_max_batch_bytes),
                   feeds=feeds, max_attachment_bytes=s.attachment_max_bytes,
                   refusals=refusals, frozen=frozen)


def make_blueprint(accounts: Authenticator, db_prefix: str, gateway: Gateway) -> Blueprint:
    bp = Blueprint("sync_gateway", __name__, url_prefix=PREFIX)
    prefix = db_prefix
    # Stable across restarts so that phones' replication ids (and checkpoints) stay valid.
    server_uuid = hashlib.sha256(f"fieldsync-gateway:{prefix}".encode()).hexdigest()[:32]

    def authenticate() -> Principal:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("sign in and send 'Authorization: Bearer <access token>'")
        try:
            return accounts.authenticate(token.strip())
        except AccountsError as exc:
            raise UnauthorizedError(str(exc)) from None

    @bp.route("/", methods=METHODS)
    def root() -> Response:
        authenticate()
        return _respond(as_json(200, {"couchdb": "Welcome", "uuid": server_uuid,
                                      "version": "3.3.3",
                                      "vendor": {"name": "FieldSync gateway"}}))

    @bp.route("/<path:path>", methods=METHODS)
    def anything(path: str) -> Response:
        principal = authenticate()
        target = parse_path(path)
        caller = Caller(principal.username, principal.role.value, principal.territory_code,
                        principal.extra_territories)
        db = physical_db(caller, target.logical, prefix)
        if _is_bulk_docs(target):
            # Refused before a byte of the body is read; a body without a length is cut off
            # by werkzeug at the same size.
            gateway.batch.check_bytes(request.content_length)
            app_limit = request.max_content_length
            request.max_content_length = min(gateway.batch.max_bytes, app_limit or 1 << 62)
        body = request.get_data(cache=False) if request.method in ("PUT", "POST") else b""
        incoming = Incoming(request.method, request.args.to_dict(), body)
        # Refused writes are audited in the engineer's name, with the address they came from.
        with acting_as(Actor(principal.username, principal.role.value,
                             request.remote_addr or "")):
            return _respond(gateway.handle(target, db, principal.username, incoming))

    bp.register_error_handler(GatewayError, _gateway_error)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)
    bp.register_error_handler(RequestTimeout, _too_slow)
    return bp


def _is_bulk_docs(target: Target) -> bool:
    return target.kind is Kind.SPECIAL and target.name == "_bulk_docs"


def _respond(out: Outgoing) -> Response:
    response = Response(out.body, status=out.status, content_type=out.content_type)
    response.headers.update(out.headers)
    return response


def _gateway_error(exc: GatewayError) -> Response:
    response = _respond(as_json(exc.status, {"error": exc.error, "reason": exc.reason}))
    if isinstance(exc, UnauthorizedError):
        response.headers["WWW-Authenticate"] = "Bearer"
    if exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def _too_large(_exc: HTTPException) -> Response:
    return _gateway_error(TooLargeError(
        "the request is larger than the gateway accepts: replicate with a smaller batch_size"))


def _too_slow(exc: HTTPException) -> Response:
    # The server closes the connection afterwards (sync/gateway/read_deadlines.py).
    return _respond(as_json(408, {"error": "request_timeout", "reason": exc.description}))


def register(app: Flask, gateway: Gateway, accounts: Authenticator, db_prefix: str) -> Gateway:
    """Mount the gateway on the app; returns it so servers and tests can reach its hub."""
    app.register_blueprint(make_blueprint(accounts, db_prefix, gateway))
    app.extensions["fieldsync.gateway"] = gateway
    return gateway
