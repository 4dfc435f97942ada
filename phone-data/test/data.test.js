// The data layer's documents, receipts and sync rules, in plain Node (no browser, no network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { businessKey, expenseTermsHash, offerHash, termsHash } from '../src/canonical.js';
import { buildApproval, buildLead, buildOffer, buildOrder, checkIn, isoWithOffset, moveLead, updateOffer } from '../src/documents.js';
import { discountReason, discountState, expenseDecision, receiptLabel, receiptState } from '../src/receipts.js';
import { MAX_BACKOFF_MS, backOff } from '../src/sync.js';
import { supplyFor } from '../src/gst.js';

const ctx = { owner: 'asha', deviceId: 'web-1', now: new Date('2026-11-29T10:15:00Z'),
  loc: { lat: 12.3, lon: 76.6, accuracy_m: 10, at: '2026-11-29T10:15:00+00:00', mock: false } };
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const inputs = [{ product_id: 'P-100', quantity: 2, unit_price: '500.00', discount_pct: '0', gst_rate: '18' }];

test('an offer carries the common fields and the priced lines', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: supplyFor('29', '29'), inputs });
  assert.match(offer._id, /^offer:[A-Za-z0-9_.-]{1,64}$/);
  assert.equal(offer.schema_version, 2);
  assert.match(offer.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.deepEqual(offer.totals, { taxable: '1000.00', discount: '0.00', cgst: '90.00', sgst: '90.00',
    igst: '0.00', gst: '180.00', grand_total: '1180.00' });
  assert.equal(offer.lines[0].total, '1180.00');
});

test('an order keeps its offer business key and an approval signs the hash', async () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'inter', inputs });
  const hash = await offerHash(offer, sha);
  const approval = buildApproval(ctx, offer, { signedBy: 'K. Ramesh', offerHash: hash, signaturePngBase64: 'iVBOR' });
  assert.equal(approval.signature, 'signature.png');
  assert.equal(approval._attachments['signature.png'].content_type, 'image/png');
  const order = buildOrder(ctx, offer, approval);
  assert.equal(businessKey(order), businessKey(offer));
  assert.equal(order.approval_id, approval._id);
});

test('an approval without a location fix is refused on the phone', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs });
  assert.throws(() => buildApproval({ ...ctx, loc: undefined }, offer, { signedBy: 'A', offerHash: 'x',
    signaturePngBase64: 'y' }), /location/);
});

test('a lead moves one stage at a time and its history ends at its stage', () => {
  const lead = buildLead(ctx, { customer_id: 'C-1', title: 'Chiller' });
  const moved = moveLead(lead, ctx, 'proposal', { details: { value: '50000.00' } });
  assert.deepEqual(moved.history.map((h) => h.stage), ['potential', 'proposal']);
  assert.equal(moved.details.proposal.value, '50000.00');
  assert.throws(() => moveLead(moved, ctx, 'installation'), /can move only to po/);
  assert.throws(() => moveLead(moved, ctx, 'lost', {}), /why/);
});

test('a visit needs a purpose and a fix', () => {
  assert.throws(() => checkIn(ctx, { customer_id: 'C-1', purpose: ' ' }), /purpose/);
  assert.equal(checkIn(ctx, { customer_id: 'C-1', purpose: 'Survey' }).check_in.loc.lat, 12.3);
});

test('dates carry the device offset', () => {
  assert.match(isoWithOffset(new Date()), /[+-]\d\d:\d\d$/);
});

test('receipts: pending until the server answers the revision the phone holds', () => {
  const doc = { _id: 'order:1', _rev: '2-b' };
  assert.equal(receiptState(doc, undefined).state, 'pending');
  assert.equal(receiptState(doc, { doc_rev: '1-a', status: 'rejected' }).state, 'pending');
  const sent = receiptState(doc, { doc_rev: '2-b', status: 'accepted', erp: { status: 'accepted', number: 'SO-7' } });
  assert.equal(sent.erp.number, 'SO-7');
  assert.equal(receiptLabel(sent), 'In ERP');
  const refused = receiptState(doc, undefined, { rev: '2-b', reason: 'km must be at most 100000' });
  assert.deepEqual([refused.state, refused.reason], ['rejected', 'km must be at most 100000']);
  assert.equal(receiptState(doc, undefined, { rev: '1-a', reason: 'old' }).state, 'pending');
});

test('a discount above the limit waits for the head', () => {
  const offer = { lines: [{ discount_pct: '8' }] };
  assert.equal(discountState(offer, undefined, '5'), 'waiting');
  assert.equal(discountState(offer, { outcome: 'approved' }, '5'), 'approved');
  assert.equal(discountState(offer, undefined, '10'), 'not_needed');
});

test('a decision made on other terms no longer binds: the offer waits again, with the reason', async () => {
  const offer = { customer_id: 'C-1003', supply: 'intra', valid_until: '2026-12-31',
    totals: { grand_total: '371260.00' },
    lines: [{ product_id: 'P-100', quantity: 2, unit_price: '185000.00', discount_pct: '15', gst_rate: '18' }] };
  // The server's terms_hash of the same offer (sync/documents/canonical.py)
  const approvedHash = 'sha256:889b2ed72dd23b799e4fb26f8467fa787aa1b0bac863616e717fdb53f0ec06e8';
  assert.equal(await termsHash(offer, sha), approvedHash);
  const decision = { outcome: 'approved', terms_hash: approvedHash, terms: '15%' };
  assert.equal(discountState(offer, decision, '5', approvedHash), 'approved');
  assert.equal(discountReason(offer, decision, approvedHash), '');
  const raised = { ...offer, totals: { grand_total: '262080.00' },
    lines: [{ ...offer.lines[0], discount_pct: '40' }] };
  const now = await termsHash(raised, sha);
  assert.notEqual(now, approvedHash);
  assert.equal(discountState(raised, decision, '5', now), 'waiting');
  assert.equal(discountReason(raised, decision, now),
    'terms changed after the head approved 15%: now 40%; waiting for your sales head to decide again');
  const receipt = { state: 'accepted', reason: 'terms changed after the head approved 15%: now 40.5%' };
  assert.equal(discountReason(raised, decision, now, receipt), receipt.reason);
});

test('sync: the live pull\'s retry back-off doubles from 0.5 s and is capped', () => {
  const delays = [];
  let delay = 0;
  for (let i = 0; i < 20; i += 1) delays.push(delay = backOff(delay));
  assert.deepEqual(delays.slice(0, 5), [500, 1000, 2000, 4000, MAX_BACKOFF_MS]);
  assert.equal(delay, MAX_BACKOFF_MS);
  assert.ok(MAX_BACKOFF_MS <= 5000);
});

test('an edit on another device names that device', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs });
  const edited = updateOffer(offer, { ...ctx, deviceId: 'web-2' }, { inputs: [{ ...inputs[0], quantity: 3 }] });
  assert.equal(edited.device_id, 'web-2');
  assert.equal(edited.created_at, offer.created_at);
  assert.equal(edited.lines[0].quantity, 3);
});

test('forms: typed lines become offer inputs with the catalog GST rate, money reads Indian', async () => {
  const { activePrices, ago, normaliseMoney, previewOffer, rupees, toInputs } = await import('../src/forms.js');
  const products = { 'product:P-100': { gst_rate: '18' } };
  const typed = [{ product_id: 'P-100', quantity: '2', unit_price: '500', discount_pct: '' }, { product_id: '' }];
  const made = toInputs(typed, products);
  assert.deepEqual(made, [{ product_id: 'P-100', quantity: 2, unit_price: '500.00', discount_pct: '0', gst_rate: '18' }]);
  assert.equal(previewOffer(made, 'intra').totals.grand_total, '1180.00');
  assert.equal(previewOffer([{ ...made[0], unit_price: 'abc' }], 'intra'), null);
  assert.equal(normaliseMoney('12.5'), '12.50');
  assert.equal(rupees('271400.00'), '₹2,71,400.00');
  assert.deepEqual(activePrices([{ prices: { A: '1.00' } }, { active: false, prices: { A: '9.00' } }]), { A: '1.00' });
  assert.equal(ago(null), 'never');
  assert.equal(ago('2026-11-29T10:00:00Z', Date.parse('2026-11-29T10:04:00Z')), '4 min ago');
});

test('the head\'s decision on an expense reads as approved, declined with her note, or reimbursed', () => {
  const at = { terms_hash: 'sha256:aa', terms: '₹500.00 for 12 km by bike' };
  assert.deepEqual(expenseDecision(undefined, 'sha256:aa'), { state: 'none', label: '', note: '' });
  assert.equal(expenseDecision({ ...at, outcome: 'approved' }, 'sha256:aa').label, 'Approved by your sales head');
  assert.deepEqual(expenseDecision({ ...at, outcome: 'declined', note: 'Take the bus next time' }, 'sha256:aa'),
    { state: 'declined', label: 'Declined by your sales head', note: 'Take the bus next time' });
  assert.equal(expenseDecision({ ...at, outcome: 'approved', reimbursed: true }, 'sha256:aa').label, 'Reimbursed');
  // changed after the decision: it waits for the head again
  const changed = expenseDecision({ ...at, outcome: 'approved', reimbursed: true }, 'sha256:bb');
  assert.equal(changed.state, 'waiting');
  assert.match(changed.label, /Changed after your sales head approved ₹500.00 for 12 km by bike/);
  // while the hash is being computed nothing is claimed
  assert.equal(expenseDecision({ ...at, outcome: 'approved' }, null).state, 'none');
});

test('an expense\'s terms hash covers the amount, the kilometres and the mode, as the server\'s', async () => {
  const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const expected = `sha256:${sha(Buffer.from('expense|450.00|12.5|bike'))}`;
  assert.equal(await expenseTermsHash({ amount: '450.00', km: 12.5, mode: 'bike' }, sha), expected);
  assert.equal(await expenseTermsHash({ amount: '450.00', km: '12.50', mode: 'bike' }, sha), expected);
  assert.notEqual(await expenseTermsHash({ amount: '450.00', km: 13, mode: 'bike' }, sha), expected);
});
