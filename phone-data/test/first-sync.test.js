// A sync round on a slow network: nothing to send costs no request, the engineer's own
// documents come before customers and catalog, and the master-data pulls report progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSync } from '../src/sync.js';

/** A local database with a changes feed and a `_local` state document. */
function localDb(name, docs = []) {
  const held = new Map();
  return {
    name,
    changes: async ({ since }) => ({
      results: docs.map((id, i) => ({ id, seq: i + 1, changes: [{ rev: '1-a' }] })).slice(since),
    }),
    get: async (id) => { if (!held.has(id)) throw Object.assign(new Error('missing'), { status: 404 }); return held.get(id); },
    put: async (doc) => { held.set(doc._id, { ...doc, _rev: 'x' }); return { rev: 'x' }; },
    info: async () => ({ doc_count: docs.length }),
    docs,
  };
}

/** PouchDB as createSync uses it: remote databases by URL, and replicate() recorded. */
function fakePouch({ remoteCounts }) {
  const calls = [];
  function PouchDB(url) { this.url = url; }
  PouchDB.prototype.info = async function info() {
    return { doc_count: remoteCounts[this.url.split('/').pop()] || 0 };
  };
  PouchDB.replicate = (source, target, options) => {
    const from = source.url ? source.url.split('/').pop() : source.name;
    calls.push({ from, to: target.url ? 'server' : target.name, options });
    const handlers = {};
    const arrived = source.url && target.docs ? remoteCounts[from] || 0 : 0;
    const done = (async () => {
      await Promise.resolve();
      for (let i = 0; i < arrived; i += options.batch_size) {
        target.docs.push(...Array.from({ length: Math.min(options.batch_size, arrived - i) }, (_, k) => `${from}:${i + k}`));
        if (handlers.change) handlers.change({ docs_written: target.docs.length });
      }
      return { docs_written: arrived, last_seq: 0 };
    })();
    return Object.assign(done, { on: (event, fn) => { handlers[event] = fn; return done; } });
  };
  return { PouchDB, calls };
}

test('a round with nothing to send pushes nothing and pulls own documents first', async () => {
  const { PouchDB, calls } = fakePouch({ remoteCounts: { customers: 2500, catalog: 300 } });
  const dbs = { me: localDb('me'), catalog: localDb('catalog'), customers: localDb('customers') };
  const sync = createSync({ PouchDB, dbs, fetch: () => {} });
  await sync.syncOnce();
  assert.deepEqual(calls.map((c) => c.from), ['me', 'customers', 'catalog']);
  assert.ok(calls.every((c) => c.to !== 'server'), 'an idle phone sends no push at all');
});

test('only the passes with local changes push, still in their order', async () => {
  const { PouchDB, calls } = fakePouch({ remoteCounts: {} });
  const me = localDb('me', ['todo:t1', 'order:o1', 'receipt:offer:x']);
  const sync = createSync({ PouchDB, dbs: { me, catalog: localDb('catalog'), customers: localDb('customers') }, fetch: () => {} });
  await sync.syncOnce();
  const pushes = calls.filter((c) => c.to === 'server').map((c) => c.options.query_params.pass);
  assert.deepEqual(pushes, ['orders', 'field']);
});

test('customers and catalog report how far they got, ending complete', async () => {
  const { PouchDB } = fakePouch({ remoteCounts: { customers: 2500, catalog: 300 } });
  const dbs = { me: localDb('me'), catalog: localDb('catalog'), customers: localDb('customers') };
  const events = [];
  const sync = createSync({ PouchDB, dbs, fetch: () => {}, onEvent: (name, detail) => events.push([name, detail]) });
  await sync.syncOnce();
  const customers = events.filter(([name, d]) => name === 'pulling' && d.db === 'customers').map(([, d]) => d);
  assert.ok(customers.some((d) => d.done > 0 && d.done < 2500 && d.total === 2500), 'a partial step is reported');
  assert.deepEqual(customers.at(-1), { db: 'customers', done: 2500, total: 2500, complete: true });
  const order = events.map(([name, d]) => (name === 'pulling' ? `pulling:${d.db}` : name));
  assert.ok(order.indexOf('pulled') < order.indexOf('pulling:customers'), 'own documents come first');
  assert.equal(order.at(-1), 'synced');
});

test('a burst of changes re-reads a list once more, not once per change', async () => {
  let reads = 0;
  let release;
  const { coalesced } = await import('../src/live.js');
  const read = coalesced(() => { reads += 1; return new Promise((resolve) => { release = resolve; }); });
  const first = read();
  for (let i = 0; i < 1000; i += 1) read();
  release();
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await first;
  assert.equal(reads, 2);
});
