// The head's decision on the phone: it binds the terms it was made on, and her note shows.
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { expenseTermsHash, termsHash } from 'fieldsync-phone-data/canonical.js';
import { buildExpense, buildOffer, updateOffer } from 'fieldsync-phone-data/documents.js';
import { closeSession, offlineSession } from './support';
import { renderApp } from './render';

let session;
beforeEach(async () => { session = await offlineSession(); });
afterEach(async () => { await closeSession(session); });

const line = (discount) => [{ product_id: 'P-200', quantity: 1, unit_price: '2400.00', discount_pct: discount, gst_rate: '12' }];

/** The `decision:<offer>` document the server writes back after the head decided. */
const decision = (offer, outcome, hash, extra = {}) => ({ _id: `decision:${offer._id}`, type: 'decision', kind: 'discount',
  subject_id: offer._id, outcome, by: 'priya', at: '2026-11-30T11:00:00+05:30', note: '', terms_hash: hash, ...extra });

async function openOffer() {
  renderApp(session);
  fireEvent.press(await screen.findByTestId('offer-card'));
  return screen.findByTestId('offer-detail');
}

test('a head approval of other terms does not read as approved: the offer waits again', async () => {
  const first = await session.save(buildOffer(session.ctx(), { customer_id: 'C-1003', supply: 'intra', inputs: line('12') }));
  const approvedTerms = await termsHash(first, session.sha256Hex);
  await session.dbs.me.put(decision(first, 'approved', approvedTerms, { terms: '12%' }));
  // the engineer raises the discount after the head approved 12 %
  await session.save(updateOffer(first, session.ctx(), { inputs: line('18') }));
  await openOffer();
  await waitFor(() => expect(screen.getByTestId('discount-state')).toHaveTextContent(/terms changed after the head approved 12%: now 18%/));
  expect(screen.queryByRole('button', { name: 'Capture approval' })).toBeNull();
});

test('a head approval of the current terms lets the customer sign', async () => {
  const offer = await session.save(buildOffer(session.ctx(), { customer_id: 'C-1003', supply: 'intra', inputs: line('18') }));
  await session.dbs.me.put(decision(offer, 'approved', await termsHash(offer, session.sha256Hex), { terms: '18%' }));
  await openOffer();
  expect(await screen.findByRole('button', { name: 'Capture approval' })).toBeTruthy();
  expect(screen.getByTestId('discount-state')).toHaveTextContent('Your sales head approved the discount.');
});

test('a declined discount shows the head\'s note', async () => {
  const offer = await session.save(buildOffer(session.ctx(), { customer_id: 'C-1003', supply: 'intra', inputs: line('18') }));
  await session.dbs.me.put(decision(offer, 'declined', await termsHash(offer, session.sha256Hex),
    { terms: '18%', note: 'Keep it at 10%, the price list already has a project rate' }));
  await openOffer();
  expect(await screen.findByTestId('decision-note')).toHaveTextContent('Note from your sales head: Keep it at 10%, the price list already has a project rate');
  expect(screen.getByTestId('discount-state')).toHaveTextContent(/^Your sales head declined the discount/);
});

test('an approved and reimbursed expense says so, not just "Accepted"', async () => {
  const expense = await session.save(buildExpense(session.ctx(), { date: '2026-11-30', from_place: 'Mysuru',
    to_place: 'Mandya', mode: 'bike', km: 45, amount: '450.00', purpose: 'Demo' }));
  await session.dbs.me.put({ _id: `receipt:${expense._id}`, type: 'receipt', doc_id: expense._id, doc_rev: expense._rev,
    status: 'accepted', processed_at: '2026-11-30T10:20:00+05:30' });
  await session.dbs.me.put({ ...decision(expense, 'approved', await expenseTermsHash(expense, session.sha256Hex)),
    kind: 'expense', terms: '₹450.00 for 45 km by bike', reimbursed: true });
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /Expenses/ }));
  const card = await screen.findByTestId('expense-card');
  expect(await within(card).findByTestId('expense-decision')).toHaveTextContent('Reimbursed');
});
