// Leads and their stages, a visit checked in and out, and a to-do, all offline.
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { closeSession, docsOfType, offlineSession } from './support';
import { renderApp } from './render';

let session;
beforeEach(async () => { session = await offlineSession(); });
afterEach(async () => { await closeSession(session); });

async function pickCustomer(text, name) {
  fireEvent.changeText(await screen.findByLabelText('Search customer'), text);
  fireEvent.press(await screen.findByRole('button', { name }));
}

test('a lead is added and moved to proposal with its value', async () => {
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /Leads/ }));
  fireEvent.changeText(await screen.findByLabelText('Title'), 'Second huller line');
  await pickCustomer('kaveri', 'Kaveri Agro Mills · Mysuru');
  fireEvent.press(screen.getByRole('button', { name: 'Add lead' }));
  const card = await screen.findByTestId('lead-card');
  expect(within(card).getByTestId('lead-stage')).toHaveTextContent('potential');
  fireEvent.changeText(within(card).getByLabelText('proposal value'), '370000.00');
  fireEvent.press(within(card).getByRole('button', { name: 'Move to proposal' }));
  await waitFor(() => expect(within(screen.getByTestId('lead-card')).getByTestId('lead-stage')).toHaveTextContent('proposal'));
  const [lead] = await docsOfType(session, 'lead');
  expect(lead.history.map((h) => h.stage)).toEqual(['potential', 'proposal']);
  expect(lead.details.proposal.value).toBe('370000.00');
});

test('a visit is checked in and out where the phone is', async () => {
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /Visits/ }));
  await pickCustomer('godavari', 'Godavari Foods · Hyderabad');
  fireEvent.changeText(screen.getByLabelText('Purpose'), 'Site survey');
  fireEvent.press(screen.getByRole('button', { name: 'Check in' }));
  const card = await screen.findByTestId('visit-card');
  fireEvent.changeText(within(card).getByLabelText('Outcome'), 'Needs a quote');
  fireEvent.press(within(card).getByRole('button', { name: 'Check out' }));
  await waitFor(async () => expect((await docsOfType(session, 'visit'))[0].check_out).toBeTruthy());
  const [visit] = await docsOfType(session, 'visit');
  expect(visit).toMatchObject({ customer_id: 'C-2001', purpose: 'Site survey', outcome: 'Needs a quote' });
  expect(visit.check_in.loc.lat).toBe(12.9716);
});

test('a to-do is added and ticked off', async () => {
  renderApp(session);
  fireEvent.press(await screen.findByRole('tab', { name: /More/ }));
  fireEvent.press(await screen.findByRole('button', { name: 'To-dos' }));
  fireEvent.changeText(await screen.findByLabelText('To-do'), 'Call about the advance');
  fireEvent.press(screen.getByRole('button', { name: 'Add to-do' }));
  fireEvent(await screen.findByLabelText('Done: Call about the advance'), 'valueChange', true);
  await waitFor(async () => expect((await docsOfType(session, 'todo'))[0].done).toBe(true));
});
