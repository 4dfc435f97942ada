"""Master data (/api/v1/customers, /products, /price-lists, /imports): admins change it.

Everyone signed in may read it (engineers see the customers of their territory); every change
is published to the phones' read-only databases.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.accounts.roles import Principal, Role
from server.api.common import (
    ADMIN,
    Page,
    RateField,
    UtcDateTime,
    between,
    current_principal,
    error,
    http_errors,
    list_args,
    page_schema,
    paginate,
    requires_role,
    services,
)
from server.api.users import catalog
from server.sales.masterdata import territory_code
from server.sql.models.master import Customer, PriceList, Product

blp = Blueprint("master", __name__, url_prefix="/api/v1", description="Master data")
ID = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="1-64 letters, digits, '_', '.' or '-'")


class CustomerOut(Schema):
    customer_id = fields.String()
    name = fields.String()
    gstin = fields.String(allow_none=True)
    state_code = fields.String()
    address = fields.String()
    city = fields.String()
    pincode = fields.String()
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    territory_code = fields.String()
    active = fields.Boolean()
    updated_at = UtcDateTime()
    customer_group = fields.String(allow_none=True)


class CustomerPatch(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    gstin = fields.String(allow_none=True, validate=validate.Length(0, 15))
    state_code = fields.String(validate=validate.Regexp(r"^[0-9]{2}$", error="two digits"))
    address = fields.String(validate=validate.Length(0, 2000))
    city = fields.String(validate=validate.Length(0, 100))
    pincode = fields.String(validate=validate.Length(0, 6))
    lat = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-180, 180))
    territory_code = fields.String(validate=validate.Length(1, 32))
    active = fields.Boolean()
    customer_group = fields.String(allow_none=True, validate=validate.Length(0, 64))


class CustomerIn(CustomerPatch):
    customer_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    state_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{2}$",
                                                                       error="two digits"))
    territory_code = fields.String(required=True, validate=validate.Length(1, 32))


CustomerArgs = list_args(
    "CustomerArgs", ("customer_id", "name", "city", "updated_at"),
    territory_code=fields.String(validate=validate.Length(1, 32)),
    state_code=fields.String(validate=validate.Length(2, 2)),
    active=fields.Boolean(),
    q=fields.String(validate=validate.Length(1, 100), metadata={"description": "part of name"}))
CustomerPage = page_schema("CustomerPage", CustomerOut)
CUSTOMER_SORT = {"customer_id": Customer.customer_id, "name": Customer.name,
                 "city": Customer.city, "updated_at": Customer.updated_at}


def _territories(principal: Principal) -> tuple[str, ...]:
    return (principal.territory_code or "", *principal.extra_territories)


def _customer_query(args: dict[str, Any]) -> Any:
    stmt = select(Customer)
    principal = current_principal()
    if principal.role is Role.ENGINEER:  # their territory's, and those an admin allowed
        stmt = stmt.where(Customer.territory_code.in_(_territories(principal)))
    if "territory_code" in args:
        stmt = stmt.where(Customer.territory_code == territory_code(args["territory_code"]))
    for key in ("state_code", "active"):
        if key in args:
            stmt = stmt.where(getattr(Customer, key) == args[key])
    if "q" in args:
        stmt = stmt.where(Customer.name.icontains(args["q"], autoescape=True))
    return stmt


@blp.route("/customers")
class Customers(MethodView):
    @blp.arguments(CustomerArgs, location="query")
    @blp.response(200, CustomerPage)
    @requires_role()
    def get(self, args: dict[str, Any]) -> Page:
        """Customers (engineers: their territory's)."""
        with services().sessions() as s:
            return paginate(s, _customer_query(args), args, CUSTOMER_SORT, "customer_id")

    @blp.arguments(CustomerIn)
    @blp.response(201, CustomerOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> Customer:
        """Add a customer."""
        with http_errors():
            return catalog().create_customer(body)


def _one_customer(customer_id: str) -> Customer:
    with services().sessions() as s:
        row = s.get(Customer, customer_id)
    principal = current_principal()
    if row is None or (principal.role is Role.ENGINEER
                       and row.territory_code not in _territories(principal)):
        error(404, f"customer {customer_id!r} was not found")
    return row


@blp.route("/customers/<string:customer_id>")
class OneCustomer(MethodView):
    @blp.response(200, CustomerOut)
    @requires_role()
    def get(self, customer_id: str) -> Customer:
        """One customer."""
        return _one_customer(customer_id)

    @blp.arguments(CustomerPatch)
    @blp.response(200, CustomerOut)
    @requires_role(*ADMIN)
    def patch(self, body: dict[str, Any], customer_id: str) -> Customer:
        """Change a customer (deactivate with active=false; phones keep older documents)."""
        _one_customer(customer_id)
        with http_errors():
            return catalog().update_customer(customer_id, body)


class ProductOut(Schema):
    product_id = fields.String()
    name = fields.String()
    hsn_code = fields.String()
    gst_rate = RateField()
    unit = fields.String()
    active = fields.Boolean()
    updated_at = UtcDateTime()


class ProductPatch(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    hsn_code = fields.String(validate=validate.Regexp(r"^[0-9]{4,8}$", error="4-8 digits"))
    gst_rate = fields.Decimal(validate=between(0, 100), places=3, as_string=True)
    unit = fields.String(validate=validate.Length(1, 16))
    active = fields.Boolean()


class ProductIn(ProductPatch):
    product_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    hsn_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{4,8}$",
                                                                     error="4-8 digits"))
    gst_rate = fields.Decimal(required=True, validate=between(0, 100), places=3,
                              as_string=True)


ProductArgs = list_args("ProductArgs", ("product_id", "name", "gst_rate", "updated_at"),
                        active=fields.Boolean(),
                        q=fields.String(validate=validate.Length(1, 100)))
ProductPage = page_schema("ProductPage", ProductOut)
PRODUCT_SORT = {"product_id": Product.product_id, "name": Product.name,
                "gst_rate": Product.gst_rate, "updated_at": Product.updated_at}


@blp.route("/products")
class Products(MethodView):
    @blp.arguments(ProductArgs, location="query")
    @blp.response(200, ProductPage)
    @requires_role()
    def get(self, args: dict[str, Any]) -> Page:
        """Products."""
        stmt = select(Product)
        if "active" in args:
            stmt = stmt.where(Product.active == args["active"])
        if "q" in args:
            stmt = stmt.where(Product.name.icontains(args["q"], autoescape=True))
        with services().sessions() as s:
            return paginate(s, stmt, args, PRODUCT_SORT, "product_id")

    @blp.arguments(ProductIn)
    @blp.response(201, ProductOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> Product:
        """Add a product."""
        with http_errors():
            return catalog().create_product(body)


@blp.route("/products/<string:product_id>")
class OneProduct(MethodView):
    @blp.response(200, ProductOut)
    @requires_role()
    def get(self, product_id: str) -> Product:
        """One product."""
        with services().sessions() as s:
            row = s.get(Product, product_id)
        if row is None:
            error(404, f"product {product_id!r} was not found")
        return row

    @blp.arguments(ProductPatch)
    @blp.response(200, ProductOut)
    @requires_role(*ADMIN)
    def patch(self, body: dict[str, Any], product_id: str) -> Product:
        """Change a product (deactivate with active=false)."""
        with http_errors():
            return catalog().update_product(product_id, body)


PRICE = validate.Regexp(r"^[0-9]{1,12}(\.[0-9]{1,2})?$", error='rupees like "499.00"')


class PriceListOut(Schema):
    price_list_id = fields.String()
    name = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    active = fields.Boolean()
    items = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True))
    customer_id = fields.String(allow_none=True)
    customer_group = fields.String(allow_none=True)
    territory_code = fields.String(allow_none=True)


class PriceListBody(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)
    items = fields.Dict(keys=fields.String(validate=ID), values=fields.String(validate=PRICE),
                        load_default=dict, validate=validate.Length(max=5000),
                        metadata={"description": "product_id -> unit price"})
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID, metadata={
        "description": "the one customer the list applies to"})
    customer_group = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(1, 64))
    territory_code = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(1, 32), metadata={
                                       "description": "set none of the three for a default "
                                       "list; the most specific valid list prices an offer"})


class PriceListIn(PriceListBody):
    price_list_id = fields.String(required=True, validate=ID)


PriceListArgs = list_args("PriceListArgs", ("price_list_id", "name", "valid_from"),
                          active=fields.Boolean())
PriceListPage = page_schema("PriceListPage", PriceListOut)


def _price_list_out(row: PriceList) -> dict[str, Any]:
    return {"price_list_id": row.price_list_id, "name": row.name, "valid_from": row.valid_from,
            "valid_to": row.valid_to, "active": row.active,
            "customer_id": row.customer_id, "customer_group": row.customer_group,
            "territory_code": row.territory_code,
            "items": catalog().price_list_items(row.price_list_id)}


@blp.route("/price-lists")
class PriceLists(MethodView):
    @blp.arguments(PriceListArgs, location="query")
    @blp.response(200, PriceListPage)
    @requires_role()
    def get(self, args: dict[str, Any]) -> Page:
        """Price lists with their unit prices."""
        stmt = select(PriceList)
        if "active" in args:
            stmt = stmt.where(PriceList.active == args["active"])
        with services().sessions() as s:
            page = paginate(s, stmt, args, {"price_list_id": PriceList.price_list_id,
                                            "name": PriceList.name,
                                            "valid_from": PriceList.valid_from},
                            "price_list_id")
        return Page([_price_list_out(r) for r in page.items], page.page, page.page_size,
                    page.total)

    @blp.arguments(PriceListIn)
    @blp.response(201, PriceListOut)
    @requires_role(*ADMIN)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add a price list with its unit prices."""
        with http_errors():
            return _price_list_out(catalog().save_price_list(body, create=True))


@blp.route("/price-lists/<string:price_list_id>")
class OnePriceList(MethodView):
    @blp.response(200, PriceListOut)
    @requires_role()
    def get(self, price_list_id: str) -> dict[str, Any]:
        """One price list."""
        with services().sessions() as s:
            row = s.get(PriceList, price_list_id)
        if row is None:
            error(404, f"price list {price_list_id!r} was not found")
        return _price_list_out(row)

    @blp.arguments(PriceListBody)
    @blp.response(200, PriceListOut)
    @requires_role(*ADMIN)
    def put(self, body: dict[str, Any], price_list_id: str) -> dict[str, Any]:
        """Replace a price list and all its prices."""
        with http_errors():
            return _price_list_out(catalog().save_price_list(
                {**body, "price_list_id": price_list_id}, create=False))


class ImportForm(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class RowErrorOut(Schema):
    row = fields.Integer()
    key = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportJobOut(Schema):
    id = fields.String()
    kind = fields.String()
    filename = fields.String()
    status = fields.String(metadata={"description": "queued, reading, saving, done or failed"})
    rows_read = fields.Integer()
    rows_total = fields.Integer(allow_none=True,
                                metadata={"description": "known once the file is opened"})
    imported = fields.Integer()
    message = fields.String(metadata={"description": "why the job failed, for people"})
    errors = fields.List(fields.Nested(RowErrorOut),
                         metadata={"description": "every bad row; nothing is imported then"})
    requested_by = fields.String()
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)


@blp.route("/imports/<any(customers, products):kind>", methods=["POST"])
@blp.arguments(ImportForm, location="files")
@blp.response(202, ImportJobOut)
@blp.alt_response(400, description="The file declares XML entities")
@blp.alt_response(413, description="The file, or the XLSX unpacked, is larger than the caps")
@blp.alt_response(422, description="Not a CSV or XLSX file FieldSync can read")
@requires_role(*ADMIN)
def import_file(_form: dict[str, Any], kind: str) -> Any:
    """Queue an import of customers or products from a CSV or XLSX file (all rows or none).

    The file is read outside the request; poll the job it answers until it is done or failed.
    """
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        error(422, "send the CSV or XLSX file as multipart form field 'file'",
              {"file": ["required"]})
    jobs = services().imports
    data = upload.read(jobs.limits.max_upload_bytes + 1)
    with http_errors():
        job = jobs.submit(kind, upload.filename, data, current_principal().username)
    return job, 202, {"Location": f"/api/v1/imports/jobs/{job.id}"}


@blp.route("/imports/jobs/<string:job_id>")
class ImportJobView(MethodView):
    @blp.response(200, ImportJobOut)
    @requires_role(*ADMIN)
    def get(self, job_id: str) -> Any:
        """An import job: its progress, and when it ends, what was imported or every bad row."""
        with http_errors():
            return services().imports.get(job_id)
