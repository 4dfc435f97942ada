// One engineer's working session on a device: local databases, the sync loop and its events.
// The platform hands in PouchDB (with its adapter), fetch, timers and the device id.
import { createSync, createSyncLoop } from './sync.js';
import { isPhoneDoc } from './receipts.js';
import { checked, loadFacts } from './rules.js';
import { loadContract } from './contract.js';

export const LOCAL_DBS = ['me', 'catalog', 'customers'];

/** The phone's local databases for one user; `options` go to PouchDB (e.g. {adapter}). */
export function openLocalDbs(PouchDB, username, options = {}) {
  return Object.fromEntries(LOCAL_DBS.map((name) => [name,
    new PouchDB(`fieldsync-${username}-${name}`, options)]));
}

/** What the phone writes itself (not receipts, decisions or checkpoints) triggers a push. */
export function isLocalEdit(id) {
  return !id.startsWith('receipt:') && !id.startsWith('decision:') && !id.startsWith('_local');
}

/** `doc` checked as the server will check it, with the master data on this phone; throws a
 * DocumentError (problems with message keys, fields and texts for people) instead of saving. */
export async function checkBeforeSave(dbs, doc, companyState) {
  if (!isPhoneDoc(doc._id) || doc._deleted) return doc;
  await loadContract();
  return checked(doc, await loadFacts(dbs, doc, companyState));
}

/** `listen(fn)` hears sync events; `save(doc)` checks a document and writes it into the phone's
 * own database. */
export function openPhoneSession({ PouchDB, dbs, user, deviceId, baseUrl = '', fetch, config = {},
  syncEveryMs = 15000, timers = globalThis, live = true }) {
  const listeners = new Set();
  const emit = (name, detail) => listeners.forEach((fn) => fn(name, detail));
  const sync = createSync({ PouchDB, dbs, baseUrl, fetch, onEvent: emit });
  const loop = createSyncLoop(sync, { everyMs: syncEveryMs, timers,
    onError: (err) => emit('failed', { err }) });
  const session = { user, dbs, sync, loop, config, emit,
    // `user` lets the builders refuse a customer of another territory before the server does.
    ctx: () => ({ owner: user.username, deviceId, user }),
    listen: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
    save: async (doc) => {
      await checkBeforeSave(dbs, doc, config.company_state);
      return { ...doc, _rev: (await dbs.me.put(doc)).rev };
    } };
  // A local edit is pushed soon, unless the caller drives sync itself (`live: false`): a push
  // started between two saves would otherwise race the caller's own.
  const changes = dbs.me.changes({ since: 'now', live: true })
    .on('change', (c) => { if (live && isLocalEdit(c.id)) loop.soon(); });
  // The contract's validators load now, while the engineer looks at the first screen.
  loadContract().catch((err) => emit('failed', { err }));
  if (live) {
    sync.startLivePull();
    loop.now();
  }
  session.close = () => {
    changes.cancel();
    loop.stop();
    sync.stop();
  };
  return session;
}
