// The session's pure parts: which local writes trigger a push, lookups by key, the sync status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexBy, statusReader, syncStatus } from '../src/live.js';
import { LOCAL_DBS, isLocalEdit, openLocalDbs } from '../src/session.js';

test('only what the engineer writes triggers a push', () => {
  assert.equal(isLocalEdit('offer:abc'), true);
  assert.equal(isLocalEdit('receipt:offer:abc'), false);
  assert.equal(isLocalEdit('decision:offer:abc'), false);
  assert.equal(isLocalEdit('_local/fieldsync-sync'), false);
});

test('the local databases are named per user and take the platform adapter', () => {
  const made = [];
  class Fake { constructor(name, options) { made.push([name, options]); } }
  const dbs = openLocalDbs(Fake, 'asha', { adapter: 'memory' });
  assert.deepEqual(Object.keys(dbs), LOCAL_DBS);
  assert.deepEqual(made[0], ['fieldsync-asha-me', { adapter: 'memory' }]);
});

test('lookups by id or by another key; the status joins state and pending count', async () => {
  const docs = [{ _id: 'customer:C-1', customer_id: 'C-1' }, { _id: 'customer:C-2', customer_id: 'C-2' }];
  assert.deepEqual(Object.keys(indexBy(docs)), ['customer:C-1', 'customer:C-2']);
  assert.deepEqual(Object.keys(indexBy(docs, (d) => d.customer_id)), ['C-1', 'C-2']);
  assert.deepEqual(indexBy(null), {});
  const sync = { state: async () => ({ last_sync: '2026-11-30T10:00:00Z', denied: { x: 1 } }),
    pending: async () => ({ notSent: ['todo:a', 'todo:b', 'offer:c'], checking: ['lead:d'], refused: [] }) };
  assert.deepEqual(await syncStatus(sync), { lastSync: '2026-11-30T10:00:00Z', denied: { x: 1 }, pending: 3,
    checking: 1, refused: 0, notSent: ['todo:a', 'todo:b', 'offer:c'] });
});

test('status reads asked for while one runs fold into one more read, patches kept', async () => {
  let reads = 0;
  let release;
  const gate = new Promise((r) => { release = r; });
  const sync = { state: async () => { reads += 1; await gate; return { last_sync: null, denied: {} }; },
    pending: async () => ({ notSent: [], checking: [], refused: [] }) };
  const seen = [];
  const refresh = statusReader(sync, (s) => seen.push(s));
  const first = refresh({ online: true });
  for (let i = 0; i < 50; i += 1) refresh();
  refresh({ error: 'x' });
  release();
  await first;
  assert.equal(reads, 2);
  assert.deepEqual(seen.map((s) => [s.online, s.error]), [[true, undefined], [undefined, 'x']]);
});
