// Revisions and cancellation requests built on the phone, in plain Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApproval, buildOffer, buildOrder, updateOffer } from '../src/documents.js';
import { buildCancellation, buildRevision, canRevise, cancellationId, cancellationLabel, cancellationState,
  quotationOf, supersededBy } from '../src/revisions.js';

const ctx = { owner: 'asha', deviceId: 'web-1', now: new Date('2026-11-29T10:15:00Z'),
  loc: { lat: 12.3, lon: 76.6, accuracy_m: 10, at: '2026-11-29T10:15:00+00:00', mock: false } };
const inputs = [{ product_id: 'P-100', quantity: 2, unit_price: '500.00', discount_pct: '0', gst_rate: '18' }];

test('a revision is a new offer that names the one it supersedes, numbered 1, 2, 3', () => {
  const first = updateOffer(buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs }), ctx, { status: 'approved' });
  const one = buildRevision(ctx, first, { inputs: [{ ...inputs[0], quantity: 3 }] });
  assert.notEqual(one._id, first._id);
  assert.deepEqual([one.supersedes, one.revision, one.quotation_id, one.status], [first._id, 1, first._id, 'draft']);
  assert.equal(one.customer_id, 'C-1');
  assert.equal(one.totals.grand_total, '1770.00');
  const two = buildRevision(ctx, { ...one, status: 'presented' });
  assert.deepEqual([two.supersedes, two.revision, quotationOf(two)], [one._id, 2, first._id]);
  assert.equal(two.lines[0].quantity, 3);
  assert.equal(supersededBy(first, [first, one, two]), one);
  assert.equal(canRevise(first, [first, one]), false);
  assert.equal(canRevise({ ...one, status: 'presented' }, [first, one]), true);
});

test('a draft is edited, not revised', () => {
  const draft = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs });
  assert.throws(() => buildRevision(ctx, draft), /edit a draft/);
  assert.equal(canRevise(draft, [draft]), false);
});

test('a cancellation request needs a reason and shows the head decision', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs });
  const approval = buildApproval(ctx, offer, { signedBy: 'K', offerHash: 'sha256:x', signaturePngBase64: 'iV' });
  const order = buildOrder(ctx, offer, approval);
  assert.throws(() => buildCancellation(ctx, order, '  '), /say why/);
  const request = buildCancellation(ctx, order, ' Project postponed ');
  assert.equal(request._id, cancellationId(order));
  assert.deepEqual([request.type, request.order_id, request.reason], ['cancellation', order._id, 'Project postponed']);
  assert.equal(cancellationLabel(cancellationState(request, null)), 'Cancellation requested');
  const declined = { outcome: 'declined', note: 'Goods already shipped', terms: 'Project postponed' };
  assert.equal(cancellationLabel(cancellationState(request, declined)), 'Cancellation declined (Goods already shipped)');
  const again = buildCancellation(ctx, order, 'Customer went bankrupt', request);
  assert.equal(again._id, request._id);
  assert.equal(cancellationState(again, declined).state, 'requested');
  assert.equal(cancellationLabel(cancellationState(request, { outcome: 'approved', terms: 'Project postponed' })), 'Cancelled');
});
