// A signed-in session on memory databases, with the territory's customers and the catalog
// already on the phone and no server reachable: the app as the engineer has it offline.
import { createHash } from 'node:crypto';
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import MemoryAdapter from 'pouchdb-adapter-memory';
import { openMobileSession } from '../src/session';

const MemoryPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(MemoryAdapter);
let opened = 0;

export const FIX = { lat: 12.9716, lon: 77.5946, accuracy_m: 9, at: '2026-11-30T10:15:00+05:30', mock: false };

export const CUSTOMERS = [
  { _id: 'customer:C-1003', type: 'customer', customer_id: 'C-1003', name: 'Kaveri Agro Mills', city: 'Mysuru', state_code: '29' },
  { _id: 'customer:C-2001', type: 'customer', customer_id: 'C-2001', name: 'Godavari Foods', city: 'Hyderabad', state_code: '36' },
];
export const CATALOG = [
  { _id: 'product:P-100', type: 'product', product_id: 'P-100', name: 'Rice huller RH-2', gst_rate: '18' },
  { _id: 'product:P-200', type: 'product', product_id: 'P-200', name: 'Spare belt kit', gst_rate: '12' },
  { _id: 'price_list:standard', type: 'price_list', prices: { 'P-100': '185000.00', 'P-200': '2400.00' } },
];

/** `user` may set discount_limit_pct; the gateway URL points at a closed port. */
export async function offlineSession(user = {}) {
  opened += 1;
  const session = openMobileSession({
    PouchDB: MemoryPouch, localOptions: { adapter: 'memory' },
    user: { username: `asha${opened}`, role: 'engineer', discount_limit_pct: '10', ...user },
    deviceId: 'android-test', baseUrl: 'http://127.0.0.1:9', fetch: (url, opts) => fetch(url, opts),
    config: { company_state: '29' }, locate: async () => FIX, live: false, syncEveryMs: 600000,
    sha256Hex: (bytes) => createHash('sha256').update(bytes).digest('hex'),
  });
  await session.dbs.customers.bulkDocs(CUSTOMERS);
  await session.dbs.catalog.bulkDocs(CATALOG);
  return session;
}

/** Stop the session's sync loop and drop its databases. */
export async function closeSession(session) {
  session.close();
  await Promise.all(Object.values(session.dbs).map((db) => db.destroy()));
}

export async function docsOfType(session, type) {
  const all = await session.dbs.me.allDocs({ startkey: `${type}:`, endkey: `${type}:\ufff0`, include_docs: true, attachments: true });
  return all.rows.map((r) => r.doc);
}
