"""Quotation revisions: an offer that supersedes another of the same quotation (pure).

A revision is a new offer document naming the one it supersedes (`supersedes`), its number
within the quotation (`revision`: 1, 2, 3…) and the quotation it belongs to (`quotation_id`,
the id of the quotation's first offer). The superseded offer is never edited: it shows as
superseded because a later revision names it.
"""

from __future__ import annotations

from typing import Any

from sync.documents.facts import MasterData, OfferFacts, as_utc
from sync.documents.fields import Checks
from sync.documents.trade import doc_ref

MAX_REVISION = 999


def check_revision_shape(c: Checks, doc: dict[str, Any]) -> None:
    """`supersedes`, `revision` and `quotation_id` come together, or not at all."""
    present = [key for key in ("supersedes", "revision", "quotation_id")
               if doc.get(key) is not None]
    if not present:
        return
    supersedes = doc_ref(c, doc, "supersedes", "offer") if "supersedes" in present else None
    if "supersedes" not in present:
        c.add("supersedes", "supersedes is missing: a revision names the offer it supersedes")
    elif supersedes is not None and supersedes == doc.get("_id"):
        c.add("supersedes", "an offer cannot supersede itself; name the offer this one revises")
    if "quotation_id" in present:
        doc_ref(c, doc, "quotation_id", "offer")
    else:
        c.add("quotation_id", "quotation_id is missing: a revision names its quotation's "
              "first offer")
    _revision_number(c, doc.get("revision"))


def _revision_number(c: Checks, value: Any) -> None:
    if value is None:
        c.add("revision", "revision is missing: a revision carries its number (1 for the first)")
    elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_REVISION:
        c.add("revision", f"revision must be a whole number from 1 to {MAX_REVISION}, "
              f"not {value!r}")


def quotation_of(facts: OfferFacts) -> str:
    """The quotation an accepted offer belongs to: its first offer's id."""
    return facts.quotation_id or facts.offer_id


def check_revision(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """The superseded offer exists, is the engineer's own, of the same customer and not yet
    revised; the revision's number follows it."""
    old_id = doc.get("supersedes")
    if old_id is None:
        return
    old = facts.offer(old_id)
    if old is None:
        c.add("supersedes", f'supersedes names offer "{old_id}", which the server does not '
              "hold; sync that offer first, or make a new offer instead of a revision")
    elif old.owner != doc["owner"]:
        c.add("supersedes", f'offer "{old_id}" is {old.owner}\'s, not yours; you can revise '
              "only your own offers: make a new offer for this customer")
    elif old.customer_id != doc["customer_id"]:
        c.add("customer_id", f'this revision is for customer "{doc["customer_id"]}" but offer '
              f'"{old_id}" is for "{old.customer_id}"; a revision keeps the customer: make a '
              "new offer for another customer")
    else:
        _follows(c, doc, old)


def _follows(c: Checks, doc: dict[str, Any], old: OfferFacts) -> None:
    if old.status == "draft":
        c.add("supersedes", f'offer "{old.offer_id}" is still a draft; edit it instead of '
              "making a revision")
    if old.superseded_by not in (None, doc["_id"]):
        c.add("supersedes", f'offer "{old.offer_id}" was already revised by '
              f'"{old.superseded_by}"; make the revision from that one')
    want = old.revision + 1
    if doc["revision"] != want:
        c.add("revision", f'revision is {doc["revision"]} but offer "{old.offer_id}" is '
              f"revision {old.revision}, so this one must be {want}")
    quotation = quotation_of(old)
    if doc["quotation_id"] != quotation:
        c.add("quotation_id", f'quotation_id must be "{quotation}", the quotation offer '
              f'"{old.offer_id}" belongs to, not "{doc["quotation_id"]}"')


def superseded_problem(offer: OfferFacts, at: str) -> str | None:
    """Why a customer may no longer sign (or order) an offer at `at`: a revision made before
    replaced it. Judged on the documents' own times, so a rebuild decides as the worker did
    whatever order it reads them in."""
    if offer.superseded_by is None or offer.superseded_at is None:
        return None
    if as_utc(at) <= offer.superseded_at:
        return None
    return (f'offer "{offer.offer_id}" was superseded by revision {offer.revision + 1} '
            f'("{offer.superseded_by}"); present and sign the latest revision instead')
