"""The audit trail: who changed what, when, from where, before and after, in a hash chain.

Recording a change (any service, inside the transaction that makes the change)::

    from server.audit import record

    with transaction(sessions) as s:
        ...                                   # make the change
        record(s, "order.cancel", "order", order_id,
               before={"status": "accepted"}, after={"status": "cancelled"})

- `action` is `<entity>.<verb>` (`customer.update`, `decision.discount`, `erp.send`);
  `entity_type`/`entity_id` name the record changed. `before`/`after` are any JSON-able values
  (Decimal, date, datetime and enums become strings); never put a password or secret in them.
- Who acted comes from `server.audit.actor`: REST views run as the signed-in user (with the
  request's address and `X-Device-Id`), the CLI as `cli:<os user>`, jobs as `system`. Pass
  `actor=Actor(...)` to name someone else (a phone's engineer and device, an import's requester).
- `record` locks the chain head until the commit: call it last in the transaction.

`fieldsync audit verify` walks the chain (`verify_chain`); `GET /api/v1/audit` lists it for
admins, as JSON, CSV or XLSX.
"""

from server.audit.actor import SYSTEM, Actor, acting_as, current_actor
from server.audit.recorder import changes, record, verify_chain

__all__ = ["SYSTEM", "Actor", "acting_as", "changes", "current_actor", "record",
           "verify_chain"]
