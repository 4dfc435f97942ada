// A phone and its gateway in one Node process, for tests that drive the real sync: real PouchDB 9
// (the test phone's packages, memory adapter), with `/sync/me` a second local database standing
// in for the gateway, so the replication checkpoints are PouchDB's own. Holds no tests.
import { createRequire } from 'node:module';
import { createSync } from '../src/sync.js';

let pouchDB = null;

export function pouch() {
  if (!pouchDB) {
    const require = createRequire(new URL('../../phone/package.json', import.meta.url));
    const PouchDB = require('pouchdb-core');
    PouchDB.plugin(require('pouchdb-adapter-memory')).plugin(require('pouchdb-replication'));
    pouchDB = PouchDB.defaults({ adapter: 'memory' });
  }
  return pouchDB;
}

/** The phone's three databases, the server's `/sync/me`, and the sync between them; `close`
 * destroys every database so the next test starts empty. */
export async function phoneAndServer(name) {
  const PouchDB = pouch();
  const dbs = { me: new PouchDB(`${name}-me`), catalog: new PouchDB(`${name}-catalog`),
    customers: new PouchDB(`${name}-customers`) };
  const server = new PouchDB('/sync/me');
  const sync = createSync({ PouchDB, dbs, baseUrl: '', fetch: undefined });
  return { PouchDB, dbs, server, sync, close: async () => {
    sync.stop();
    await Promise.all([...Object.values(dbs), server, new PouchDB('/sync/catalog'),
      new PouchDB('/sync/customers')].map((db) => db.destroy()));
  } };
}

/** Makes the server's `/sync/me` refuse writes, as a dropped network does, from the first batch
 * for which `dropsOn(docs, call)` holds (`call` counts the batches from 1); every later batch
 * fails too. Returns the ids of every batch tried and `restore` for the network's return. */
export function dropNetworkOn(sync, dropsOn) {
  const bulkDocs = sync.remotes.me.bulkDocs.bind(sync.remotes.me);
  const batches = [];
  let dropped = false;
  sync.remotes.me.bulkDocs = (req, ...rest) => {
    const docs = Array.isArray(req) ? req : req.docs;
    batches.push(docs.map((d) => d._id));
    dropped = dropped || dropsOn(docs, batches.length);
    if (dropped) return Promise.reject(Object.assign(new Error('Failed to fetch'), { status: 0 }));
    return bulkDocs(req, ...rest);
  };
  return { batches, restore: () => { sync.remotes.me.bulkDocs = bulkDocs; } };
}

/** Makes the server's `/sync/me` refuse, as the gateway does, each document `reasonFor(doc)`
 * gives a reason for: not stored, a `forbidden` entry with the reason in the answer. */
export function refuseAtTheDoor(sync, reasonFor) {
  const bulkDocs = sync.remotes.me.bulkDocs.bind(sync.remotes.me);
  sync.remotes.me.bulkDocs = async (req, ...rest) => {
    const docs = Array.isArray(req) ? req : req.docs;
    const refused = docs.map((d) => [d, reasonFor(d)]).filter(([, reason]) => reason)
      .map(([d, reason]) => ({ id: d._id, error: 'forbidden', name: 'forbidden', status: 403, reason }));
    const taken = docs.filter((d) => !refused.some((r) => r.id === d._id));
    const stored = taken.length ? await bulkDocs({ ...req, docs: taken }, ...rest) : [];
    return [...stored, ...refused];
  };
}
