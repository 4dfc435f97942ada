// The phone refuses a customer of another territory in the worker's words, and only when it knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLead, buildOffer, checkIn, DocumentError } from '../src/documents.js';
import { territoryRefusal } from '../src/territory.js';

const asha = { username: 'asha', territory_code: 'BLR', extra_territories: [] };
const mumbai = { customer_id: 'C-9', city: 'Mumbai', territory: 'MUM', state_code: '27' };
const line = { product_id: 'P-1', quantity: 1, unit_price: '100.00', discount_pct: '0', gst_rate: '18' };
const ctx = (user) => ({ owner: 'asha', deviceId: 'd-1', user,
  loc: { lat: 19, lon: 72.8, accuracy_m: 5, at: '2026-11-30T10:00:00+05:30', mock: false } });
const WHY = 'Customer C-9 (Mumbai) is outside your territory BLR: ask an admin to allow MUM';

test('a customer of another territory is refused with the reason the worker gives', () => {
  assert.equal(territoryRefusal(asha, mumbai), WHY);
  assert.throws(() => buildOffer(ctx(asha), { customer_id: 'C-9', customer: mumbai, supply: 'inter',
    inputs: [line] }), (err) => err instanceof DocumentError && err.message === WHY);
  assert.throws(() => buildLead(ctx(asha), { customer_id: 'C-9', customer: mumbai, title: 'Chiller' }),
    new RegExp(WHY.replace(/[()]/g, '\\$&')));
  assert.throws(() => checkIn(ctx(asha), { customer_id: 'C-9', customer: mumbai, purpose: 'Demo' }),
    /outside your territory BLR/);
});

test('an allowed territory, the own one, or what the phone does not know passes', () => {
  assert.equal(territoryRefusal({ ...asha, extra_territories: ['MUM'] }, mumbai), null);
  assert.equal(territoryRefusal(asha, { ...mumbai, territory: 'BLR' }), null);
  assert.equal(territoryRefusal({ username: 'asha', territory_code: 'BLR' }, mumbai), null);
  assert.equal(territoryRefusal(asha, { customer_id: 'C-9' }), null);
  const offer = buildOffer(ctx({ ...asha, extra_territories: ['MUM'] }),
    { customer_id: 'C-9', customer: mumbai, supply: 'inter', inputs: [line] });
  assert.equal(offer.customer_id, 'C-9');
  assert.equal('customer' in offer, false);
  assert.equal('user' in offer, false);
});
