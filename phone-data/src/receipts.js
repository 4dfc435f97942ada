// Receipt state per document: what the server said about the revision the phone holds.

export const PHONE_TYPES = ['offer', 'approval', 'order', 'lead', 'visit', 'expense', 'todo', 'track', 'cancellation'];

/** True for the documents a phone writes (not receipts, decisions or local ones). */
export function isPhoneDoc(id) {
  const type = String(id).split(':', 1)[0];
  return PHONE_TYPES.includes(type) && String(id).includes(':');
}

function generation(rev) {
  return Number.parseInt(String(rev || '0').split('-', 1)[0], 10) || 0;
}

/** {state, reason, errors, erp} for `doc` given its receipt (or none) and a gateway refusal
 * (or none). state: pending | accepted | rejected | conflict | merged. A receipt for an older
 * revision than the one on the phone means the edit is not processed yet: pending. */
export function receiptState(doc, receipt, denied) {
  if (denied && denied.rev === doc._rev) {
    return { state: 'rejected', reason: denied.reason, errors: [], erp: null, by: 'gateway' };
  }
  if (!receipt || generation(receipt.doc_rev) < generation(doc._rev)) {
    return { state: 'pending', reason: '', errors: [], erp: null };
  }
  return { state: receipt.status, reason: receipt.reason || '', errors: receipt.errors || [],
    erp: receipt.erp || null, processedAt: receipt.processed_at };
}

/** A short label for people: "Accepted", "ERP 4500012345", "Rejected: …". */
export function receiptLabel(state) {
  if (state.erp && state.erp.number) return 'In ERP';
  if (state.state === 'accepted' && state.erp && state.erp.status) return `Accepted · ERP ${state.erp.status}`;
  const names = { pending: 'Waiting for server', accepted: 'Accepted', rejected: 'Rejected',
    conflict: 'In conflict', merged: 'Merged' };
  return names[state.state] || state.state;
}

/** A head's decision on an offer above the engineer's discount limit. */
export function discountState(offer, decision, limitPct) {
  const max = Math.max(0, ...offer.lines.map((l) => Number(l.discount_pct)));
  if (!(max > Number(limitPct || 0))) return 'not_needed';
  if (!decision) return 'waiting';
  return decision.outcome;
}

/** The receipt state of `doc` given receipts by id and the gateway's refusals by document id. */
export function receiptOf(doc, receipts, denied) {
  return receiptState(doc, receipts[`receipt:${doc._id}`], denied && denied[doc._id]);
}
