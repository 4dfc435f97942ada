// The shared GST and canonical-content vectors, run against the phone's data layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { priceDocument, priceLine } from '../src/gst.js';
import { businessKey, canonicalContent, offerHash, webCryptoSha256 } from '../src/canonical.js';

const vectors = (name) => JSON.parse(readFileSync(
  fileURLToPath(new URL(`../../tests/vectors/${name}`, import.meta.url)), 'utf8'));
const nodeSha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const gst = vectors('gst.json');
const canonical = vectors('canonical.json');

test('the GST vectors are there', () => {
  assert.ok(gst.cases.length >= 5);
  assert.ok(canonical.cases.length >= 3);
});

for (const c of gst.cases) {
  test(`gst: ${c.name}`, () => {
    c.lines.forEach((line, i) => {
      assert.deepEqual(priceLine(line, c.supply), line.expected, `line ${i + 1}`);
    });
    const { totals } = priceDocument(c.lines, c.supply);
    assert.deepEqual(totals, c.expected_totals);
  });
}

for (const c of canonical.cases) {
  test(`canonical: ${c.name}`, async () => {
    assert.equal(canonicalContent(c.offer), c.canonical_content);
    assert.equal(businessKey(c.offer), c.business_key);
    assert.equal(await offerHash(c.offer, nodeSha256), c.offer_hash);
    assert.equal(await offerHash(c.offer, webCryptoSha256(webcrypto.subtle)), c.offer_hash);
  });
}

test('a price with more decimals than paise is still exact', () => {
  const line = { quantity: 3, unit_price: '0.335', discount_pct: '0', gst_rate: '18' };
  assert.equal(priceLine(line, 'intra').taxable, '1.01');
});

test('a discount above 100 percent is refused', () => {
  const line = { quantity: 1, unit_price: '10.00', discount_pct: '101', gst_rate: '18' };
  assert.throws(() => priceLine(line, 'intra'), /at most 100/);
});

test('a string quantity cannot be hashed', async () => {
  const offer = { ...canonical.cases[0].offer, lines: [{ ...canonical.cases[0].offer.lines[0], quantity: '2' }] };
  await assert.rejects(offerHash(offer, nodeSha256), /quantity must be a number/);
});
