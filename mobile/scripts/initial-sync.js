// Benchmark: a fresh phone store (the shared data layer's sync, memory adapter) pulling the
// master data through the gateway, then the same pull straight from the store.
// `node --experimental-default-type=module scripts/initial-sync.js '{json}'` with {server,
// username, password, store: {catalog, customers, authorization}}; prints one JSON line.
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import MemoryAdapter from 'pouchdb-adapter-memory';
import { authorizedFetch, createAuth } from 'fieldsync-phone-data/auth.js';
import { MASTER_BATCH } from 'fieldsync-phone-data/sync.js';
import { openMobileSession } from '../src/session.js';

const MemoryPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(MemoryAdapter);
const args = JSON.parse(process.argv[2]);
const memory = new Map();
const storage = { get: (k) => memory.get(k) ?? null, set: (k, v) => memory.set(k, v), remove: (k) => memory.delete(k) };

async function throughGateway() {
  const auth = createAuth({ baseUrl: args.server, fetch, storage });
  const { user } = await auth.login(args.username, args.password);
  const session = openMobileSession({ PouchDB: MemoryPouch, localOptions: { adapter: 'memory' }, user,
    deviceId: 'bench-phone', baseUrl: args.server, fetch: authorizedFetch(auth, fetch), live: false });
  try {
    const started = performance.now();
    await session.sync.syncOnce();
    const seconds = (performance.now() - started) / 1000;
    const docs = (await session.dbs.catalog.info()).doc_count + (await session.dbs.customers.info()).doc_count;
    return { docs, seconds };
  } finally {
    session.close();
  }
}

async function straightFromStore() {
  const storeFetch = (url, opts = {}) => {
    const headers = new Headers(opts.headers || {});
    headers.set('Authorization', args.store.authorization);
    return fetch(url, { ...opts, headers });
  };
  const started = performance.now();
  let docs = 0;
  for (const [name, url] of [['catalog', args.store.catalog], ['customers', args.store.customers]]) {
    const local = new MemoryPouch(`direct-${name}`, { adapter: 'memory' });
    const remote = new MemoryPouch(url, { fetch: storeFetch, skip_setup: true });
    // the same batch size as the phone's master-data pull
    const result = await MemoryPouch.replicate(remote, local, { batch_size: MASTER_BATCH });
    docs += result.docs_written;
  }
  return { docs, seconds: (performance.now() - started) / 1000 };
}

try {
  const gateway = await throughGateway();
  const direct = await straightFromStore();
  console.log(JSON.stringify({ ok: true, gateway, direct }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: String((err && err.stack) || err) }));
  process.exitCode = 1;
}
