// Quotation revisions and order cancellation requests, as sync/documents/revisions.py and
// sync/documents/cancellations.py judge them.
import { DocumentError, base, buildOffer, touched } from './documents.js';

/** The revision number of an offer: 0 for a quotation's first offer. */
export function revisionOf(offer) {
  return Number.isInteger(offer.revision) ? offer.revision : 0;
}

/** The quotation an offer belongs to: the id of its first offer. */
export function quotationOf(offer) {
  return offer.quotation_id || offer._id;
}

/** The offer that supersedes `offer` among `offers`, or null. */
export function supersededBy(offer, offers) {
  return offers.find((o) => o.supersedes === offer._id) || null;
}

/** A signed or presented offer may be revised, once: later changes go on the latest revision. */
export function canRevise(offer, offers) {
  return ['presented', 'approved'].includes(offer.status) && !supersededBy(offer, offers);
}

/** A revision of `offer`: a new offer document for the same customer, naming the one it
 * supersedes, numbered after it; `changes` are buildOffer's inputs (the old ones by default). */
export function buildRevision(ctx, offer, changes = {}) {
  if (!['presented', 'approved'].includes(offer.status)) {
    throw new DocumentError('only a presented or signed offer is revised; edit a draft instead');
  }
  const inputs = changes.inputs || offer.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity,
    unit_price: l.unit_price, discount_pct: l.discount_pct, gst_rate: l.gst_rate }));
  const doc = buildOffer(ctx, { customer_id: offer.customer_id, supply: offer.supply, inputs,
    valid_until: changes.valid_until, notes: changes.notes ?? offer.notes, price_list_id: offer.price_list_id });
  return { ...doc, supersedes: offer._id, revision: revisionOf(offer) + 1, quotation_id: quotationOf(offer) };
}

/** The id of an order's one cancellation request. */
export function cancellationId(order) {
  return `cancellation:${order._id.split(':').slice(1).join(':')}`;
}

/** The engineer's request to cancel `order`; asking again after a refusal edits `previous`. */
export function buildCancellation(ctx, order, reason, previous = null) {
  if (!reason || !reason.trim()) throw new DocumentError('say why the order should be cancelled');
  if (previous) return touched(previous, { reason: reason.trim() }, ctx);
  return { ...base('cancellation', ctx, cancellationId(order).split(':')[1]), order_id: order._id, reason: reason.trim() };
}

/** What the phone shows on an order: none | requested | cancelled | declined (with the note).
 * A decision taken on an earlier reason no longer answers a request asked again. */
export function cancellationState(request, decision) {
  if (!request) return { state: 'none', note: '' };
  if (!decision || (decision.terms !== undefined && decision.terms !== request.reason)) {
    return { state: 'requested', note: '' };
  }
  if (decision.outcome === 'approved') return { state: 'cancelled', note: decision.note || '' };
  return { state: 'declined', note: decision.note || '' };
}

/** Words for people. */
export function cancellationLabel({ state, note }) {
  return { none: '', requested: 'Cancellation requested', cancelled: 'Cancelled',
    declined: `Cancellation declined${note ? ` (${note})` : ''}` }[state];
}
