"""The auth endpoints (/api/v1/auth) and the bearer-token helper the REST API uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, fields, validate

from server.accounts.errors import AccountsError, InvalidTokenError, LoginThrottledError
from server.accounts.roles import Principal, Role, require_role
from server.accounts.service import AccountService, ClientInfo, TokenPair

EXTENSION = "fieldsync.accounts"
F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Sign in, refresh and sign out")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 256),
                             load_only=True)


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(1, 200))


class PasswordChangeSchema(Schema):
    # Lengths beyond presence are the password rules' to judge (400 with the reason).
    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(1, 1024))
    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(1, 1024))


class UserSchema(Schema):
    username = fields.String()
    role = fields.String()
    team_id = fields.Integer(allow_none=True)
    territory_code = fields.String(allow_none=True)
    discount_limit_pct = fields.Decimal(as_string=True)
    extra_territories = fields.List(fields.String())


class TokenSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)


def accounts_service(app: Flask | None = None) -> AccountService:
    return cast(AccountService, (app or current_app).extensions[EXTENSION])


def client_info() -> ClientInfo:
    return ClientInfo(request.remote_addr or "", request.headers.get("User-Agent", "")[:300])


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidTokenError("sign in and send the access token as 'Authorization: Bearer …'")
    return token.strip()


def current_principal(*roles: Role) -> Principal:
    """The signed-in user of this request (checked once per request), limited to `roles`."""
    principal = g.get("fieldsync_principal")
    if principal is None:
        principal = accounts_service().authenticate(bearer_token())
        g.fieldsync_principal = principal
    return require_role(principal, *roles)


def requires_role(*roles: Role) -> Callable[[F], F]:
    """Decorator for REST views: 401 without a valid token, 403 for another role."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                current_principal(*roles)
            except AccountsError as exc:
                _abort(exc)
            return view(*args, **kwargs)
        return cast(F, wrapper)
    return decorate


def _abort(exc: AccountsError) -> None:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if isinstance(exc, LoginThrottledError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    abort(exc.status, message=str(exc), headers=headers)


def _token_body(pair: TokenPair) -> dict[str, Any]:
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "token_type": "Bearer", "expires_in": pair.expires_in, "user": pair.principal}


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
def login(body: dict[str, str]) -> dict[str, Any]:
    """Sign in with username and password; returns an access and a refresh token."""
    try:
        return _token_body(accounts_service().login(body["username"], body["password"],
                                                    client_info()))
    except AccountsError as exc:
        _abort(exc)
        raise


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenSchema)
def refresh(body: dict[str, str]) -> dict[str, Any]:
    """Trade a refresh token for a new pair (the old refresh token stops working)."""
    try:
        return _token_body(accounts_service().refresh(body["refresh_token"], client_info()))
    except AccountsError as exc:
        _abort(exc)
        raise


@blp.route("/logout", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(204)
def logout(body: dict[str, str]) -> None:
    """Revoke a refresh token."""
    try:
        accounts_service().logout(body["refresh_token"], client_info())
    except AccountsError as exc:
        _abort(exc)


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(200, TokenSchema)
@requires_role()
def change_password(body: dict[str, str]) -> dict[str, Any]:
    """Change your own password, proving the current one. Every other sign-in of yours ends
    (their refresh and access tokens stop working); this answer carries new tokens."""
    try:
        return _token_body(accounts_service().change_own_password(
            current_principal(), body["current_password"], body["new_password"], client_info()))
    except AccountsError as exc:
        _abort(exc)
        raise


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
@requires_role()
def me() -> Principal:
    """The signed-in user."""
    return current_principal()


def register(app: Flask, api: Api, service: AccountService) -> None:
    app.extensions[EXTENSION] = service
    api.register_blueprint(blp)
