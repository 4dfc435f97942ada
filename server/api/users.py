"""Users, teams and territories (/api/v1/users, /teams, /territories): admins manage them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from server.accounts.roles import Role
from server.accounts.service import allow_territories, create_user
from server.accounts.web import client_info
from server.api.common import (
    ADMIN,
    HEAD_OR_ADMIN,
    Page,
    UtcDateTime,
    between,
    current_principal,
    current_scope,
    error,
    http_errors,
    list_args,
    page_schema,
    paginate,
    requires_role,
    services,
)
from server.sales.catalog import CatalogService
from server.sales.masterdata import territory_code
from server.sql.models.accounts import Team, User
from server.sql.models.master import Territory
from sync.publish import MasterDataPublisher

blp = Blueprint("users", __name__, url_prefix="/api/v1",
                description="Users, teams and territories")
CODE = validate.Regexp(r"^[A-Za-z0-9-]{1,32}$", error="1-32 letters, digits or '-'")


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    team_id = fields.Integer(allow_none=True)
    territory_code = fields.String(allow_none=True)
    extra_territories = fields.List(fields.String(), metadata={
        "description": "territories besides their own where an admin allowed the user to sell"})
    discount_limit_pct = fields.Decimal(as_string=True)
    active = fields.Boolean()
    created_at = UtcDateTime()


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_-]{1,39}$", error="2-40 characters: a lowercase letter, then lowercase "
        "letters, digits, '_' or '-'"))
    # The password rules (length, not the username) answer 400 with the reason.
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    team = fields.String(load_default=None, validate=validate.Length(1, 100))
    territory = fields.String(load_default=None, validate=CODE)
    discount_limit_pct = fields.Decimal(load_default="0", validate=between(0, 100),
                                        places=2, as_string=True)
    full_name = fields.String(load_default="", validate=validate.Length(0, 200))


class PasswordIn(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))


class UserPatch(Schema):
    discount_limit_pct = fields.Decimal(validate=between(0, 100), places=2,
                                        as_string=True)
    full_name = fields.String(validate=validate.Length(0, 200))
    team_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))
    territory_code = fields.String(allow_none=True, validate=CODE)
    extra_territories = fields.List(fields.String(validate=CODE), validate=validate.Length(
        max=50), metadata={"description": "replaces the list; [] allows no other territory"})


UserArgs = list_args("UserArgs", ("username", "role", "created_at"),
                     role=fields.String(validate=validate.OneOf([r.value for r in Role])),
                     team_id=fields.Integer(validate=validate.Range(1, 2**31 - 1)),
                     active=fields.Boolean(),
                     q=fields.String(validate=validate.Length(1, 64),
                                     metadata={"description": "part of the username"}))
UserPage = page_schema("UserPage", UserOut)
USER_SORT = {"username": User.username, "role": User.role, "created_at": User.created_at}


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserArgs, location="query")
    @blp.response(200, UserPage)
    @requires_role(*HEAD_OR_ADMIN)
    def get(self, args: dict[str, Any]) -> Page:
        """Users: admins see everyone, heads their own team."""
        stmt = current_scope().limit(select(User), User.username)
        for key in ("role", "team_id", "active"):
            if key in args:
                stmt = stmt.where(getattr(User, key) == args[key])
        if "q" in args:
            stmt = stmt.where(User.username.contains(args["q"].lower(), autoescape=True))
        with services().sessions() as s:
            return paginate(s, stmt, args, USER_SORT, "username")

    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> User:
        """Create a user; an engineer gets their phone database at once."""
        built = services()
        with http_errors():
            made = create_user(built.sessions, built.store, built.settings, body["username"],
                               body["password"], body["role"], team=body["team"],
                               territory=body["territory"],
                               discount_limit_pct=body["discount_limit_pct"],
                               full_name=body["full_name"])
        return _user(made.username)


def _user(username: str) -> User:
    with services().sessions() as s:
        user = s.scalar(select(User).where(User.username == username))
    if user is None or not current_scope().allows(user.username):
        error(404, f"user {username!r} was not found")
    return user


@blp.route("/users/<string:username>")
class OneUser(MethodView):
    @blp.response(200, UserOut)
    @requires_role(*HEAD_OR_ADMIN)
    def get(self, username: str) -> User:
        """One user."""
        return _user(username)

    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    @requires_role(*ADMIN)
    def patch(self, body: dict[str, Any], username: str) -> User:
        """Change a user's discount limit, name, team, territory or extra territories."""
        _user(username)
        extra = body.pop("extra_territories", None)
        if body.get("territory_code") is not None:
            body["territory_code"] = territory_code(body["territory_code"])
        with services().sessions.begin() as s:
            _check_refs(s, body)
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            for key, value in body.items():
                setattr(user, key, value)
        if extra is not None:
            with http_errors():
                allow_territories(services().sessions, username, extra,
                                  by=current_principal().username)
            catalog().publisher.publish_all()  # the phone's customers: every allowed territory
        return _user(username)


def _check_refs(s: Any, body: dict[str, Any]) -> None:
    if body.get("team_id") is not None and s.get(Team, body["team_id"]) is None:
        error(422, f"team {body['team_id']} does not exist", {"team_id": ["unknown team"]})
    code = body.get("territory_code")
    if code is not None and s.get(Territory, code) is None:
        error(422, f"territory {code!r} does not exist", {"territory_code": ["unknown"]})


@blp.route("/users/<string:username>/deactivate", methods=["POST"])
@blp.response(200, UserOut)
@requires_role(*ADMIN)
def deactivate(username: str) -> User:
    """Deactivate a user: sign-ins and the phone's sync stop at once, the data stays."""
    _user(username)
    if username == current_principal().username:
        error(409, "you cannot deactivate yourself; ask another admin")
    services().accounts.deactivate(username)
    return _user(username)


@blp.route("/users/<string:username>/password", methods=["PUT"])
@blp.arguments(PasswordIn)
@blp.response(204)
@requires_role(*ADMIN)
def set_password(body: dict[str, Any], username: str) -> None:
    """Set (reset) a user's password: every sign-in of theirs ends at once. Your own password
    is changed with POST /api/v1/auth/password and your current one."""
    _user(username)
    admin = current_principal().username
    if username == admin:
        error(409, "change your own password with POST /api/v1/auth/password, giving the "
                   "current one")
    with http_errors():
        services().accounts.set_password(username, body["password"], by=admin,
                                         client=client_info())


class TeamOut(Schema):
    id = fields.Integer()
    name = fields.String()
    members = fields.Integer()
    created_at = UtcDateTime()


class TeamIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))


TeamArgs = list_args("TeamArgs", ("name", "created_at"))
TeamPage = page_schema("TeamPage", TeamOut)


@blp.route("/teams")
class Teams(MethodView):
    @blp.arguments(TeamArgs, location="query")
    @blp.response(200, TeamPage)
    @requires_role(*HEAD_OR_ADMIN)
    def get(self, args: dict[str, Any]) -> Page:
        """Teams: admins see all, heads their own."""
        principal = current_principal()
        stmt = select(Team)
        if principal.role is Role.HEAD:
            stmt = stmt.where(Team.id == (principal.team_id or -1))
        with services().sessions() as s:
            page = paginate(s, stmt, args, {"name": Team.name, "created_at": Team.created_at},
                            "name")
            counts = {team: int(n) for team, n in s.execute(
                select(User.team_id, func.count()).group_by(User.team_id))}
        return Page([{"id": t.id, "name": t.name, "created_at": t.created_at,
                      "members": counts.get(t.id, 0)} for t in page.items],
                    page.page, page.page_size, page.total)

    @blp.arguments(TeamIn)
    @blp.response(201, TeamOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a team (a head joins it when created with the team's name)."""
        with services().sessions.begin() as s:
            if s.scalar(select(Team).where(Team.name == body["name"])) is not None:
                error(409, f"team {body['name']!r} already exists")
            team = Team(name=body["name"])
            s.add(team)
            s.flush()
            return {"id": team.id, "name": team.name, "created_at": team.created_at,
                    "members": 0}


class TerritoryOut(Schema):
    code = fields.String()
    name = fields.String()


class TerritoryIn(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(1, 200))


TerritoryArgs = list_args("TerritoryArgs", ("code", "name"))
TerritoryPage = page_schema("TerritoryPage", TerritoryOut)


def catalog() -> CatalogService:
    built = services()
    return CatalogService(built.sessions, MasterDataPublisher(
        built.store, built.sessions, built.settings.db_prefix))


@blp.route("/territories")
class Territories(MethodView):
    @blp.arguments(TerritoryArgs, location="query")
    @blp.response(200, TerritoryPage)
    @requires_role()
    def get(self, args: dict[str, Any]) -> Page:
        """Sales territories."""
        with services().sessions() as s:
            return paginate(s, select(Territory), args,
                            {"code": Territory.code, "name": Territory.name}, "code")

    @blp.arguments(TerritoryIn)
    @blp.response(201, TerritoryOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> Territory:
        """Create or rename a territory (its customers' database is created for the phones)."""
        with http_errors():
            return catalog().save_territory(body["code"], body["name"])
