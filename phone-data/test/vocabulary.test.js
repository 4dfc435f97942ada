// The document vocabulary the server exports (vocabulary.js, written by `fieldsync contract`):
// the push passes send every type a phone writes, and the phone's discount rule is the server's
// (tests/integration/test_discount_rule.py holds the server's paths to the same cases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_LIMIT_PCT, PHONE_TYPES } from '../src/vocabulary.js';
import { PUSH_PASSES } from '../src/sync.js';
import { discountState, isPhoneDoc } from '../src/receipts.js';

test('every phone document type has exactly one push pass, and no pass names another type', () => {
  const passed = PUSH_PASSES.flatMap((pass) => pass.types);
  for (const type of PHONE_TYPES) {
    assert.equal(passed.filter((t) => t === type).length, 1, `"${type}" needs exactly one push pass`);
  }
  assert.deepEqual([...passed].sort(), [...PHONE_TYPES].sort());
});

test('the phone counts as its own exactly the types the server accepts from phones', () => {
  for (const type of PHONE_TYPES) assert.equal(isPhoneDoc(`${type}:k1`), true, type);
  for (const type of ['receipt', 'decision', 'customer', 'product']) assert.equal(isPhoneDoc(`${type}:k1`), false, type);
});

const offerOf = (pct) => ({ lines: [{ discount_pct: '0' }, { discount_pct: pct }] });
// (limit on record, largest discount, waits for the head) as in test_discount_rule.py.
const CASES = [['10', '10', false], ['5', '5.01', true], [null, '10', true], [null, '0', false],
  [undefined, '10', true], ['', '0.01', true]];

for (const [limit, pct, waits] of CASES) {
  test(`an offer of ${pct}% with limit ${JSON.stringify(limit)} ${waits ? 'waits' : 'does not wait'} for the head`, () => {
    assert.equal(discountState(offerOf(pct), undefined, limit), waits ? 'waiting' : 'not_needed');
  });
}

test('an engineer without a limit has the server default, which lets no discount through', () => {
  assert.equal(Number(NO_LIMIT_PCT), 0);
});
