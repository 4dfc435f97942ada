// Which price list the phone pre-fills an offer from: the one the server prices it by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customerPrices } from '../src/forms.js';

const list = (id, reach, prices, from = '2020-01-01', to = null) => ({
  _id: `price_list:${id}`, valid_from: from, valid_to: to, prices, ...reach });
const customer = { customer_id: 'C-1', customer_group: 'dealers', territory: 'BLR' };
const fallback = { 'P-1': '999.00' };

test('a customer list wins over its group, territory and the default list', () => {
  const lists = [list('default', {}, { 'P-1': '100.00' }),
    list('blr', { territory: 'BLR' }, { 'P-1': '90.00' }),
    list('dealers', { customer_group: 'dealers' }, { 'P-1': '80.00' }),
    list('c1', { customer_id: 'C-1' }, { 'P-1': '70.00' })];
  assert.deepEqual(customerPrices(lists, customer, fallback), { 'P-1': '70.00' });
  assert.deepEqual(customerPrices(lists.slice(0, 3), customer, fallback), { 'P-1': '80.00' });
  assert.deepEqual(customerPrices(lists.slice(0, 2), customer, fallback), { 'P-1': '90.00' });
  assert.deepEqual(customerPrices(lists.slice(0, 1), customer, fallback), { 'P-1': '100.00' });
});

test('lists of other customers, expired or inactive lists are never used', () => {
  const lists = [list('other', { customer_id: 'C-2' }, { 'P-1': '1.00' }),
    list('old', {}, { 'P-1': '2.00' }, '2020-01-01', '2020-12-31'),
    { ...list('off', {}, { 'P-1': '3.00' }), active: false },
    list('later', {}, { 'P-1': '4.00' }, '2999-01-01')];
  assert.deepEqual(customerPrices(lists, customer, fallback), fallback);
});

test('of two lists of the same reach, the newest valid one applies', () => {
  const lists = [list('2024', {}, { 'P-1': '100.00' }, '2024-01-01'),
    list('2025', {}, { 'P-1': '110.00' }, '2025-01-01')];
  assert.deepEqual(customerPrices(lists, customer, fallback), { 'P-1': '110.00' });
});

test('without a customer yet, the phone falls back to the active prices', () => {
  assert.equal(customerPrices([list('d', {}, {})], undefined, fallback), fallback);
});
