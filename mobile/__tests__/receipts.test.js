// What the server said, on the phone: receipt badges, the ERP number, a refused expense with
// its reason, and the fix that sends it again.
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { buildExpense, buildOffer } from 'fieldsync-phone-data/documents.js';
import { closeSession, docsOfType, offlineSession } from './support';
import { renderApp } from './render';

let session;
beforeEach(async () => { session = await offlineSession(); });
afterEach(async () => { await closeSession(session); });

/** A receipt as the server's worker writes it into the engineer's database. */
const receipt = (doc, status, extra = {}) => ({ _id: `receipt:${doc._id}`, type: 'receipt', doc_id: doc._id,
  doc_rev: doc._rev, status, processed_at: '2026-11-30T10:20:00+05:30', ...extra });

async function saved(doc) {
  return session.save(doc);
}

test('offer cards show accepted, ERP number and waiting badges', async () => {
  const inputs = [{ product_id: 'P-200', quantity: 1, unit_price: '2400.00', discount_pct: '0', gst_rate: '12' }];
  const sent = await saved(buildOffer(session.ctx(), { customer_id: 'C-1003', supply: 'intra', inputs }));
  const accepted = await saved(buildOffer(session.ctx(), { customer_id: 'C-2001', supply: 'inter', inputs }));
  await saved(buildOffer(session.ctx(), { customer_id: 'C-1003', supply: 'intra', inputs }));
  await session.dbs.me.bulkDocs([receipt(sent, 'accepted', { erp: { status: 'accepted', number: 'SO-4500012345' } }),
    receipt(accepted, 'accepted')]);
  renderApp(session);
  await waitFor(() => expect(screen.getAllByTestId('offer-card')).toHaveLength(3));
  expect(await screen.findByText('ERP SO-4500012345')).toBeTruthy();
  expect(screen.getByText('In ERP')).toBeTruthy();
  expect(screen.getByText('Accepted')).toBeTruthy();
  expect(screen.getByText('Waiting for server')).toBeTruthy();
});

test('a rejected expense shows the reason, and its fix goes back as a new revision', async () => {
  const expense = await saved(buildExpense(session.ctx(), { date: '2026-11-30', from_place: 'Mysuru',
    to_place: 'Mandya', mode: 'bike', km: 4500, amount: '450.00', purpose: 'Demo' }));
  await session.dbs.me.put(receipt(expense, 'rejected', { reason: 'km must be at most 2000 for a day',
    errors: [{ field: 'km', message: 'km must be at most 2000 for a day' }] }));
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /Expenses/ }));
  const card = await screen.findByTestId('expense-card');
  expect(within(card).getByTestId('receipt-reason')).toHaveTextContent('km must be at most 2000 for a day');
  fireEvent.press(within(card).getByRole('button', { name: 'Fix and resend' }));
  const km = await screen.findByLabelText('Km');
  expect(km.props.value).toBe('4500');
  fireEvent.changeText(km, '45');
  fireEvent.press(screen.getByRole('button', { name: 'Save and resend' }));
  await waitFor(async () => expect((await docsOfType(session, 'expense'))[0].km).toBe(45));
  const [fixed] = await docsOfType(session, 'expense');
  expect(fixed._rev).toMatch(/^2-/);
  expect(fixed.created_at).toBe(expense.created_at);
  // the old receipt names revision 1: the fixed expense waits for the server again
  expect(await within(await screen.findByTestId('expense-card')).findByText('Waiting for server')).toBeTruthy();
});

test('a document the gateway refused shows its reason on the receipts screen', async () => {
  const expense = await saved(buildExpense(session.ctx(), { date: '2026-11-30', from_place: 'A', to_place: 'B',
    mode: 'bus', km: 10, amount: '60.00', purpose: 'Visit' }));
  const state = await session.sync.state();
  await session.dbs.me.put({ ...state, denied: { [expense._id]: { rev: expense._rev, reason: 'the receipt photo is 7.2 MB; the limit is 5 MB' } } });
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /More/ }));
  fireEvent.press(await screen.findByRole('button', { name: 'Receipts and rejections' }));
  expect(await screen.findByText('1 refused: fix and resend')).toBeTruthy();
  expect(screen.getByTestId('receipt-reason')).toHaveTextContent('the receipt photo is 7.2 MB; the limit is 5 MB');
  expect(await session.sync.pendingCount()).toBe(0);
});

test('settings show the storage used and sign out', async () => {
  const signedOut = [];
  renderApp(session, { onSignOut: () => signedOut.push(true) });
  fireEvent.press(await screen.findByRole('tab', { name: /More/ }));
  fireEvent.press(await screen.findByRole('button', { name: 'Settings' }));
  await waitFor(() => expect(screen.getByTestId('storage-used')).toHaveTextContent(/Storage used: \d+(\.\d)? (B|kB)$/));
  fireEvent.press(screen.getByRole('button', { name: 'Sign out' }));
  expect(signedOut).toEqual([true]);
});
