// The document contract on the phone: the shared example documents (tests/vectors/documents.json)
// through the Ajv-compiled schema and the phone's rules, the generated validators kept fresh, and
// the cases engineers met: quantity 0, "two hundred" as an amount, -5 km, a 3,000-character
// to-do, a discount over 100, each refused before it is saved with a sentence for people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VALIDATORS_PATH, compileContract, readContract } from '../scripts/compile-contract.js';
import { DocumentError, loadContract, schemaProblems } from '../src/contract.js';
import { buildOffer, buildTodo, buildExpense } from '../src/documents.js';
import { documentProblems, phoneFacts } from '../src/rules.js';
import { checkBeforeSave } from '../src/session.js';

const { MESSAGES } = await loadContract();
const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('../../tests/vectors/documents.json',
  import.meta.url)), 'utf8'));

function factsOf(f) {
  const byId = (list, kind) => Object.fromEntries(list.map((x) => [`${kind}:${x[`${kind}_id`]}`, x]));
  return phoneFacts({ customers: byId(f.customers, 'customer'), products: byId(f.products, 'product'),
    priceLists: f.price_lists, companyState: f.company_state });
}
const facts = factsOf(vectors.facts);

test('the shipped validators are what Ajv compiles from the shipped contract now', () => {
  assert.equal(readFileSync(VALIDATORS_PATH, 'utf8'), compileContract(readContract()),
    'run `npm run contract` in phone-data after `fieldsync contract`');
});

for (const c of vectors.cases) {
  test(`vector: ${c.name}`, () => {
    const found = c.scope === 'structure' ? schemaProblems(c.doc) : documentProblems(c.doc, facts);
    const pairs = (list) => list.map((p) => `${p.field} ${p.key}`).sort();
    assert.deepEqual(pairs(found), pairs(c.problems));
    for (const p of found) assert.equal(p.text, MESSAGES[p.key].text);
  });
}

test('every message is written for people: no field names, no patterns', () => {
  for (const [key, { text }] of Object.entries(MESSAGES)) {
    assert.doesNotMatch(text, /[a-z]+_[a-z]+|\[|\^|\\|\{/, key);
    assert.match(text, /^[A-Z]/, key);
  }
});

const ctx = { owner: 'asha', deviceId: 'web-1', now: new Date('2026-11-29T10:15:00Z'),
  loc: { lat: 12.97, lon: 77.59, accuracy_m: 10, at: '2026-11-29T10:15:00+00:00', mock: false } };
const line = { product_id: 'P-100', quantity: 2, unit_price: '500.00', discount_pct: '0', gst_rate: '18' };
const refusal = (fn) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DocumentError, err.message);
    return err;
  }
  return assert.fail('the document was not refused');
};
const memoryDbs = { me: null, customers: null, catalog: null };
const save = (doc) => checkBeforeSave(memoryDbs, doc, '29');

test('quantity 0 is refused before it is saved, not turned into a ₹0.00 offer', async () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs: [{ ...line, quantity: 0 }] });
  await assert.rejects(save(offer), (err) => {
    assert.deepEqual(err.problems.map((p) => [p.field, p.key]), [['lines[0].quantity', 'lines.quantity.too_small']]);
    assert.equal(err.message, 'Quantity must be more than 0');
    return true;
  });
});

test('a discount over 100 says so in words, not "discount_pct must be at most 100"', () => {
  const err = refusal(() => buildOffer(ctx, { customer_id: 'C-1', supply: 'intra',
    inputs: [{ ...line, discount_pct: '101' }] }));
  assert.equal(err.message, 'Discount can be at most 100 %');
  assert.equal(err.problems[0].field, 'lines[0].discount_pct');
});

test('a negative quantity says so in words, not "quantity must be a number >= 0"', () => {
  const err = refusal(() => buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs: [{ ...line, quantity: -1 }] }));
  assert.equal(err.message, 'Quantity must be more than 0');
});

test('"two hundred" as an amount and -5 km are refused before the expense is saved', async () => {
  const fields = { date: '2026-11-29', from_place: 'Mysuru', to_place: 'Mandya', mode: 'bike', purpose: 'Visit' };
  await assert.rejects(save(buildExpense(ctx, { ...fields, km: '12', amount: 'two hundred' })),
    { message: 'Amount must be in rupees, like 1180 or 1180.50' });
  await assert.rejects(save(buildExpense(ctx, { ...fields, km: '-5', amount: '200.00' })),
    { message: 'Distance cannot be less than 0 km' });
  const ok = buildExpense(ctx, { ...fields, km: '12', amount: '200.00' });
  assert.equal(await save(ok), ok);
});

test('30 February, 31 April and 29 February of 2027 are refused before saving, in the server\'s words', async () => {
  await assert.rejects(save(buildTodo(ctx, { title: 'Call Kaveri Agro', due_date: '2026-02-30' })), (err) => {
    assert.deepEqual(err.problems.map((p) => [p.field, p.key]), [['due_date', 'due_date.format']]);
    assert.equal(err.message, 'Due date must be a date from the calendar');
    assert.equal(err.message, MESSAGES['due_date.format'].text);
    return true;
  });
  const fields = { from_place: 'Mysuru', to_place: 'Mandya', mode: 'bike', purpose: 'Visit', km: '12', amount: '200.00' };
  await assert.rejects(save(buildExpense(ctx, { ...fields, date: '2027-04-31' })),
    { message: MESSAGES['date.format'].text });
  await assert.rejects(save(buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs: [line], valid_until: '2027-02-29' })),
    { message: 'Valid until must be a date from the calendar' });
  const leap = buildTodo(ctx, { title: 'Call Kaveri Agro', due_date: '2028-02-29' });
  assert.equal(await save(leap), leap);
});

test('a 3,000-character to-do is refused before it is saved', async () => {
  await assert.rejects(save(buildTodo(ctx, { title: 'x'.repeat(3000) })),
    (err) => err.problems[0].key === 'title.too_long' && err.message === 'Title can be at most 200 characters');
});

test('master data the phone holds: a product priced above the list is refused', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs: [{ ...line, unit_price: '600.00' }] });
  assert.deepEqual(documentProblems(offer, facts).map((p) => p.key), ['lines.unit_price.above_list']);
  assert.deepEqual(documentProblems(offer, { ...facts, priceLists: [] }), []);
});

test('a receipt or gateway refusal with the catalogue\'s words shows them, older ones their reason', async () => {
  const { receiptState } = await import('../src/receipts.js');
  const doc = { _id: 'expense:1', _rev: '2-b' };
  const errors = [{ field: 'km', key: 'km.too_large', message: 'km must be at most 100000, not 450000',
    text: 'Distance can be at most 100,000 km' }];
  const receipt = { doc_rev: '2-b', status: 'rejected', reason: 'km must be at most 100000, not 450000', errors };
  assert.equal(receiptState(doc, receipt).reason, 'Distance can be at most 100,000 km');
  assert.equal(receiptState(doc, undefined, { rev: '2-b', reason: 'x', errors }).reason,
    'Distance can be at most 100,000 km');
  assert.equal(receiptState(doc, { ...receipt, errors: [] }).reason, 'km must be at most 100000, not 450000');
});
