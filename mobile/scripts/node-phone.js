// The Android app's sync module in Node with the memory adapter, against a real FieldSync:
// sign in, pull the master data, write the day's documents offline, push them and wait for the
// server's receipts. `node --experimental-default-type=module scripts/node-phone.js '{json}'`
// with {server, username, password, timeout_ms}; prints one JSON line of what happened.
import { createHash } from 'node:crypto';
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import MemoryAdapter from 'pouchdb-adapter-memory';
import { authorizedFetch, createAuth } from 'fieldsync-phone-data/auth.js';
import { offerHash } from 'fieldsync-phone-data/canonical.js';
import { buildApproval, buildExpense, buildOffer, buildOrder, buildTodo, updateOffer } from 'fieldsync-phone-data/documents.js';
import { supplyFor } from 'fieldsync-phone-data/gst.js';
import { receiptOf } from 'fieldsync-phone-data/receipts.js';
import { readDocs, indexBy } from 'fieldsync-phone-data/live.js';
import { activePrices } from 'fieldsync-phone-data/forms.js';
import { openMobileSession } from '../src/session.js';
import { signaturePng } from '../src/signature/png.js';

const MemoryPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(MemoryAdapter);
const args = JSON.parse(process.argv[2]);
const FIX = { lat: 12.3052, lon: 76.6552, accuracy_m: 12, at: new Date().toISOString(), mock: false };
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==', 'base64').toString('base64');

const memory = new Map();
const storage = { get: (k) => memory.get(k) ?? null, set: (k, v) => memory.set(k, v), remove: (k) => memory.delete(k) };

async function dayOfWork(session) {
  const customers = await readDocs(session.dbs.customers, 'customer:');
  const products = (await readDocs(session.dbs.catalog, 'product:')).filter((p) => p.active !== false);
  const prices = activePrices(await readDocs(session.dbs.catalog, 'price_list:'));
  const customer = customers.find((c) => c.active !== false);
  const product = products.find((p) => prices[p.product_id]);
  const ctx = { ...session.ctx(), loc: { ...FIX, at: new Date().toISOString() } };
  const inputs = [{ product_id: product.product_id, quantity: 2, unit_price: prices[product.product_id],
    discount_pct: '0', gst_rate: product.gst_rate }];
  const offer = await session.save(buildOffer(ctx, { customer_id: customer.customer_id,
    supply: supplyFor(customer.state_code, session.config.company_state), inputs }));
  const signature = signaturePng([[{ x: 10, y: 60 }, { x: 120, y: 20 }, { x: 200, y: 90 }]], 320, 160);
  const approval = await session.save(buildApproval(ctx, offer, { signedBy: 'K. Ramesh',
    offerHash: await offerHash(offer, session.sha256Hex), signaturePngBase64: signature }));
  const approved = await session.save(updateOffer(offer, ctx, { status: 'approved' }));
  const order = await session.save(buildOrder(ctx, approved, approval));
  const todo = await session.save(buildTodo(ctx, { title: 'Send the installation schedule' }));
  const expense = await session.save(buildExpense(ctx, { date: new Date().toISOString().slice(0, 10),
    from_place: 'Mysuru', to_place: 'Mandya', mode: 'bike', km: 45, amount: '450.00', purpose: 'Demo' },
  { base64: JPEG, contentType: 'image/jpeg' }));
  return [approved, approval, order, todo, expense];
}

async function receiptsOf(session, docs) {
  const receipts = indexBy(await readDocs(session.dbs.me, 'receipt:'));
  const { denied } = await session.sync.state();
  return docs.map((doc) => ({ id: doc._id, ...receiptOf(doc, receipts, denied) }));
}

async function main() {
  const auth = createAuth({ baseUrl: args.server, fetch, storage });
  const { user } = await auth.login(args.username, args.password);
  const config = await (await fetch(`${args.server}/app-config.json`)).json();
  const session = openMobileSession({ PouchDB: MemoryPouch, localOptions: { adapter: 'memory' }, user,
    deviceId: 'android-node-1', baseUrl: args.server, fetch: authorizedFetch(auth, fetch), config, live: false,
    locate: async () => FIX, sha256Hex: (bytes) => createHash('sha256').update(bytes).digest('hex') });
  try {
    const started = Date.now();
    await session.sync.syncOnce();
    const initial = { customers: (await session.dbs.customers.info()).doc_count,
      catalog: (await session.dbs.catalog.info()).doc_count, ms: Date.now() - started };
    let docs = await dayOfWork(session);
    const pendingBefore = await session.sync.pendingCount();
    const first = await session.sync.syncOnce();
    let states = await receiptsOf(session, docs);
    const deadline = Date.now() + (args.timeout_ms || 60000);
    const settled = (s) => s.every((r) => r.state !== 'pending') && s[2].erp && s[2].erp.number;
    while (!settled(states) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await session.sync.syncOnce();
      docs = await Promise.all(docs.map((d) => session.dbs.me.get(d._id)));
      states = await receiptsOf(session, docs);
    }
    console.log(JSON.stringify({ ok: true, initial, pending_before: pendingBefore, pushed: first.pushed,
      pending_after: await session.sync.pendingCount(), receipts: states }));
  } finally {
    session.close();
  }
}

main().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: String((err && err.stack) || err) }));
  process.exitCode = 1;
});
