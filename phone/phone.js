// A FieldSync test phone: PouchDB 9 with the memory adapter, driven by JSON lines on stdin.
// Each input line is {"op": ..., ...}; each answer is one JSON line {"ok": true, ...} or
// {"ok": false, "error": ...}. The process keeps its local databases until stdin closes.
'use strict';

const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'))
  .plugin(require('pouchdb-mapreduce'));
const readline = require('readline');

const state = { gateway: '', token: '', locals: {}, live: {}, denied: [] };

function local(name) {
  if (!state.locals[name]) {
    state.locals[name] = new PouchDB('phone-' + process.pid + '-' + name, { adapter: 'memory' });
  }
  return state.locals[name];
}

// op.direct names a store database URL and op.authorization its header (benchmarks only).
function remote(logical, url, op) {
  const direct = op && op.direct;
  const header = direct ? op.authorization : 'Bearer ' + state.token;
  return new PouchDB(direct || (url || state.gateway) + '/sync/' + logical, {
    fetch: (target, opts) => {
      opts.headers.set('Authorization', header);
      return PouchDB.fetch(target, opts);
    },
  });
}

// Capped so that tests and benchmarks see a gateway restart within about a second.
const backOff = (delay) => (delay === 0 ? 100 : Math.min(delay * 2, 1000));

function summary(result) {
  return {
    docs_read: result.docs_read, docs_written: result.docs_written,
    doc_write_failures: result.doc_write_failures, status: result.status,
    errors: (result.errors || []).map((e) => ({ id: e.id, name: e.name, reason: e.reason })),
  };
}

function replicate(op, from, to) {
  const opts = { batch_size: op.batch_size || 100, batches_limit: op.batches_limit || 10 };
  const rep = PouchDB.replicate(from, to, opts);
  rep.on('denied', (err) => state.denied.push({ id: err.id, reason: err.reason }));
  return rep.then(summary);
}

function startLive(op, from, to) {
  const rep = PouchDB.replicate(from, to, {
    live: true, retry: true, back_off_function: backOff, heartbeat: op.heartbeat || 10000,
    batch_size: op.batch_size || 100,
  });
  const key = op.key || op.db;
  state.live[key] = { rep, changes: 0, errors: [], paused: 0 };
  rep.on('change', (info) => { state.live[key].changes += info.docs_written || 0; });
  rep.on('denied', (err) => state.denied.push({ id: err.id, reason: err.reason }));
  rep.on('paused', () => { state.live[key].paused += 1; });
  rep.on('error', (err) => state.live[key].errors.push(String(err)));
  return { started: key };
}

async function waitFor(op) {
  const db = local(op.db);
  const deadline = Date.now() + (op.timeout_ms || 10000);
  for (;;) {
    try {
      const doc = await db.get(op.id, op.options || {});
      if (!op.field || doc[op.field] === op.equals) return { doc, waited_ms: Date.now() - op.started };
    } catch (err) {
      if (err.status !== 404) throw err;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + op.id);
    await new Promise((r) => setTimeout(r, op.every_ms || 5));
  }
}

// The phone-data layer's sync (the PWA's and the Android app's), for what a screen does with it.
let phoneSync = null;
async function sync() {
  if (!phoneSync) {
    const { createSync } = await import('../phone-data/src/sync.js');
    const fetch = (target, opts) => {
      opts.headers.set('Authorization', 'Bearer ' + state.token);
      return PouchDB.fetch(target, opts);
    };
    const dbs = { me: local('me'), catalog: local('catalog'), customers: local('customers') };
    phoneSync = createSync({ PouchDB, dbs, baseUrl: state.gateway, fetch });
  }
  return phoneSync;
}

const ops = {
  config: (op) => { Object.assign(state, { gateway: op.gateway || state.gateway,
                                           token: op.token || state.token }); return {}; },
  put: async (op) => local(op.db).put(op.doc),
  bulk: async (op) => local(op.db).bulkDocs(op.docs),
  get: async (op) => local(op.db).get(op.id, op.options || {}),
  remove: async (op) => local(op.db).remove(await local(op.db).get(op.id)),
  all_docs: async (op) => local(op.db).allDocs(op.options || {}),
  info: async (op) => local(op.db).info(),
  push: (op) => replicate(op, local(op.db), remote(op.remote || op.db, op.url, op)),
  pull: (op) => replicate(op, remote(op.remote || op.db, op.url, op), local(op.db)),
  live_push: (op) => startLive(op, local(op.db), remote(op.remote || op.db, op.url, op)),
  live_pull: (op) => startLive(op, remote(op.remote || op.db, op.url, op), local(op.db)),
  live_status: (op) => { const l = state.live[op.key]; return { changes: l.changes,
                                                               errors: l.errors, paused: l.paused }; },
  live_stop: (op) => { state.live[op.key].rep.cancel(); delete state.live[op.key]; return {}; },
  wait_doc: (op) => waitFor({ ...op, started: op.started || Date.now() }),
  denied: () => ({ denied: state.denied }),
  discard: async (op) => (await sync()).discardChange(op.id), // "Discard my change"
  sync_once: async () => (await sync()).syncOnce(), // a round of the apps' sync loop
  pending: async () => (await sync()).pending(), // {notSent, checking, refused}
  remote_info: async (op) => remote(op.remote || op.db, op.url, op).info(),
};

async function run(line) {
  let op;
  try {
    op = JSON.parse(line);
    const fn = ops[op.op];
    if (!fn) throw new Error('unknown op ' + op.op);
    return { ok: true, result: await fn(op) };
  } catch (err) {
    return { ok: false, error: String(err && (err.message || err.reason || err)),
             status: err && err.status, name: err && err.name };
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(() => run(line)).then((answer) => {
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
});
rl.on('close', () => { queue.then(() => {
  Object.values(state.live).forEach((l) => l.rep.cancel());
  setTimeout(() => process.exit(0), 50);
}); });
