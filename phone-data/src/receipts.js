// Receipt state per document: what the server said about the revision the phone holds.
import { NO_LIMIT_PCT, PHONE_TYPES } from './vocabulary.js';

export { PHONE_TYPES };

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
/** The refusal in the catalogue's words when the server sent them (`errors[].text`), else the
 * reason as an older server wrote it. */
export function peopleReason(errors, reason) {
  const texts = [...new Set((Array.isArray(errors) ? errors : []).map((e) => e && e.text).filter(Boolean))];
  return texts.length ? texts.join('. ') : reason;
}

export function receiptState(doc, receipt, denied) {
  if (denied && denied.rev === doc._rev) {
    return { state: 'rejected', reason: peopleReason(denied.errors, denied.reason), errors: denied.errors || [],
      erp: null, by: 'gateway' };
  }
  if (!receipt || generation(receipt.doc_rev) < generation(doc._rev)) {
    return { state: 'pending', reason: '', errors: [], erp: null };
  }
  return { state: receipt.status, reason: peopleReason(receipt.errors, receipt.reason || ''), errors: receipt.errors || [],
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

function maxDiscount(offer) {
  return Math.max(0, ...offer.lines.map((l) => Number(l.discount_pct)));
}

/** True when the head decided on other terms than the offer's now (`termsHash` of the offer,
 * see canonical.js): the decision no longer binds and the head decides again. */
export function decisionVoided(decision, termsHash) {
  return Boolean(decision && decision.terms_hash && termsHash && decision.terms_hash !== termsHash);
}

/** A head's decision on an offer above the engineer's discount limit:
 * not_needed | waiting | approved | declined. Pass the offer's `termsHash` so a decision made
 * on other terms (a discount raised after the head approved) counts as none. */
export function discountState(offer, decision, limitPct, termsHash) {
  // An engineer with no limit on record has the server's default one (discounts.NO_LIMIT_PCT).
  const limit = limitPct == null || limitPct === '' ? NO_LIMIT_PCT : limitPct;
  if (!(maxDiscount(offer) > Number(limit))) return 'not_needed';
  if (!decision || decisionVoided(decision, termsHash)) return 'waiting';
  return decision.outcome;
}

/** Why the offer waits for the head, for people; '' when it does not wait on changed terms.
 * The server's reason (the offer's receipt for the revision on the phone) wins; offline the
 * phone says the same from the decision it holds. */
export function discountReason(offer, decision, termsHash, receipt) {
  if (!decisionVoided(decision, termsHash)) return '';
  const current = receipt && receipt.state === 'accepted' ? receipt.reason : '';
  if (current) return current;
  const verb = decision.outcome === 'approved' ? 'approved' : 'declined';
  const was = decision.terms ? ` ${decision.terms}` : '';
  return `terms changed after the head ${verb}${was}: now ${maxDiscount(offer)}%; waiting for `
    + 'your sales head to decide again';
}

/** The receipt state of `doc` given receipts by id and the gateway's refusals by document id. */
export function receiptOf(doc, receipts, denied) {
  return receiptState(doc, receipts[`receipt:${doc._id}`], denied && denied[doc._id]);
}

/** Where each phone document's current revision is, given:
 * `current` = [{id, rev}] the phone's documents as they are now;
 * `unsent` = ids whose latest change comes after the push checkpoint of its pass;
 * `denied` = {id: {rev}} the gateway's refusals; `fromServer` = {id: rev} revisions the phone
 * received from the server; `checked` = {id: doc_rev} the revisions the server's receipts name.
 * Returns {notSent, checking, refused}, lists of ids: not sent (the server does not have this
 * revision), waiting for the server's check (sent, no receipt for it yet), refused at the door. */
export function pendingState({ current, unsent, denied = {}, fromServer = {}, checked = {} }) {
  const out = { notSent: [], checking: [], refused: [] };
  const later = new Set(unsent);
  for (const { id, rev } of current) {
    if (!isPhoneDoc(id)) continue;
    const receiptRev = checked[id];
    const hasReceipt = receiptRev !== undefined && generation(receiptRev) >= generation(rev);
    if (denied[id] && denied[id].rev === rev) out.refused.push(id);
    else if (later.has(id) && !hasReceipt && fromServer[id] !== rev) out.notSent.push(id);
    else if (!hasReceipt) out.checking.push(id);
  }
  return out;
}

const NOUNS = { offer: ['offer', 'offers'], approval: ['customer approval', 'customer approvals'],
  order: ['order', 'orders'], lead: ['lead', 'leads'], visit: ['visit', 'visits'],
  expense: ['expense', 'expenses'], todo: ['to-do', 'to-dos'], track: ['GPS trail', 'GPS trails'] };

/** A short name a person recognises for one document ("Send the AMC quote"). */
export function docLabel(doc) {
  const type = String(doc._id).split(':', 1)[0];
  const name = doc.title || doc.purpose || (doc.prospect && doc.prospect.name) || doc.signed_by
    || (doc.from_place && doc.to_place ? `${doc.from_place} → ${doc.to_place}` : '')
    || doc.customer_id || '';
  return { type, noun: (NOUNS[type] || [type])[0], name: String(name).slice(0, 60) };
}

/** "1 to-do, 2 offers" for a list of documents. */
export function countByType(docs) {
  const counts = new Map();
  for (const doc of docs) {
    const type = String(doc._id).split(':', 1)[0];
    counts.set(type, (counts.get(type) || 0) + 1);
  }
  return [...counts].map(([type, n]) => `${n} ${(NOUNS[type] || [type, type])[n === 1 ? 0 : 1]}`).join(', ');
}

/** What the sales head decided on an expense, for the engineer: {state, label, note}.
 * state is none | waiting | approved | declined | reimbursed; a decision made on other terms
 * (the expense changed after it) counts as none, and the expense waits for her again. Pass the
 * expense's `termsHash` (null while it is being computed: then the decision is not shown). */
export function expenseDecision(decision, termsHash) {
  if (!decision || (decision.terms_hash && !termsHash)) return { state: 'none', label: '', note: '' };
  if (decisionVoided(decision, termsHash)) {
    const was = decision.terms ? ` ${decision.terms}` : '';
    return { state: 'waiting', note: '',
      label: `Changed after your sales head ${decision.outcome}${was}: waiting for her to decide again` };
  }
  const note = decision.note || '';
  if (decision.outcome === 'declined') return { state: 'declined', label: 'Declined by your sales head', note };
  if (decision.reimbursed) return { state: 'reimbursed', label: 'Reimbursed', note };
  return { state: 'approved', label: 'Approved by your sales head', note };
}
