// The offline offer: customer and product from the phone's own data, GST computed on the
// phone, saved and waiting for the server; then the customer's signature and the order.
import { act, fireEvent, screen, waitFor } from '@testing-library/react-native';
import { closeSession, docsOfType, offlineSession } from './support';
import { renderApp } from './render';

let session;
beforeEach(async () => { session = await offlineSession(); });
afterEach(async () => { await closeSession(session); });

async function buildOffer() {
  fireEvent.press(await screen.findByRole('button', { name: 'New offer' }));
  fireEvent.changeText(await screen.findByLabelText('Search customer'), 'kaveri');
  fireEvent.press(await screen.findByRole('button', { name: 'Kaveri Agro Mills · Mysuru' }));
  fireEvent.changeText(screen.getByLabelText('Search product'), 'huller');
  fireEvent.press(await screen.findByRole('button', { name: 'Rice huller RH-2 · GST 18%' }));
  await waitFor(() => expect(screen.getByLabelText('Price ₹').props.value).toBe('185000.00'));
  fireEvent.changeText(screen.getByLabelText('Qty'), '2');
  fireEvent.changeText(screen.getByLabelText('Disc. %'), '5');
}

test('an offer built offline carries intra-state GST and waits for the server', async () => {
  renderApp(session);
  await buildOffer();
  // 2 x 185000.00 less 5 % = 351500.00; CGST and SGST 9 % each = 31635.00
  expect(screen.getByTestId('total-taxable')).toHaveTextContent('₹3,51,500.00');
  expect(screen.getByTestId('total-cgst')).toHaveTextContent('₹31,635.00');
  expect(screen.getByTestId('total-sgst')).toHaveTextContent('₹31,635.00');
  expect(screen.getByTestId('grand-total')).toHaveTextContent('₹4,14,770.00');
  fireEvent.press(screen.getByRole('button', { name: 'Save offer' }));
  await screen.findByTestId('offer-detail');
  expect(screen.getByTestId('receipt-pending')).toHaveTextContent('Waiting for server');
  expect(screen.getAllByTestId('line-row')).toHaveLength(1);
  const [offer] = await docsOfType(session, 'offer');
  expect(offer).toMatchObject({ customer_id: 'C-1003', supply: 'intra', status: 'draft', owner: session.user.username });
  expect(offer.totals.grand_total).toBe('414770.00');
  expect(offer.loc.lat).toBe(12.9716);
  expect(await session.sync.pendingCount()).toBe(1);
});

test('a customer in another state pays IGST', async () => {
  renderApp(session);
  fireEvent.press(await screen.findByRole('button', { name: 'New offer' }));
  fireEvent.changeText(await screen.findByLabelText('Search customer'), 'godavari');
  fireEvent.press(await screen.findByRole('button', { name: 'Godavari Foods · Hyderabad' }));
  fireEvent.changeText(screen.getByLabelText('Search product'), 'belt');
  fireEvent.press(await screen.findByRole('button', { name: 'Spare belt kit · GST 12%' }));
  expect(await screen.findByTestId('total-igst')).toHaveTextContent('₹288.00');
  expect(screen.queryByTestId('total-cgst')).toBeNull();
  expect(screen.getByTestId('grand-total')).toHaveTextContent('₹2,688.00');
});

async function signature() {
  const pad = screen.getByTestId('signature-pad');
  const at = (x, y) => ({ nativeEvent: { locationX: x, locationY: y } });
  await act(async () => {
    fireEvent(pad, 'responderGrant', at(20, 100));
    fireEvent(pad, 'responderMove', at(80, 40));
    fireEvent(pad, 'responderMove', at(140, 110));
    fireEvent(pad, 'responderRelease', at(140, 110));
  });
}

test('the customer signs on the phone and the approved offer becomes an order', async () => {
  renderApp(session);
  await buildOffer();
  fireEvent.press(screen.getByRole('button', { name: 'Save offer' }));
  fireEvent.press(await screen.findByRole('button', { name: 'Capture approval' }));
  expect(screen.getByRole('button', { name: 'Save approval' })).toBeDisabled();
  fireEvent.changeText(screen.getByLabelText("Customer's name"), 'K. Ramesh');
  await signature();
  fireEvent.press(screen.getByRole('button', { name: 'Save approval' }));
  expect(await screen.findByText('Approved by K. Ramesh')).toBeTruthy();
  const [approval] = await docsOfType(session, 'approval');
  const [offer] = await docsOfType(session, 'offer');
  expect(offer.status).toBe('approved');
  expect(approval.offer_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(approval.loc.accuracy_m).toBe(9);
  const png = Buffer.from(approval._attachments['signature.png'].data, 'base64');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  fireEvent.changeText(await screen.findByLabelText("Customer's PO number"), 'KAP/PO/2026/118');
  fireEvent.changeText(screen.getByLabelText('Delivery date'), '2026-12-20');
  fireEvent.press(await screen.findByRole('button', { name: 'Convert to order' }));
  await screen.findByTestId('order');
  expect(screen.getByTestId('order-po')).toHaveTextContent('PO KAP/PO/2026/118 · delivery 2026-12-20');
  const [order] = await docsOfType(session, 'order');
  expect(order).toMatchObject({ offer_id: offer._id, approval_id: approval._id, customer_id: 'C-1003',
    po_number: 'KAP/PO/2026/118', delivery_date: '2026-12-20' });
  expect(order.totals).toEqual(offer.totals);
  expect(await session.sync.pendingCount()).toBe(3);
});
