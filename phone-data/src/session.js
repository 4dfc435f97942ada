// One engineer's working session on a device: local databases, the sync loop and its events.
// The platform hands in PouchDB (with its adapter), fetch, timers and the device id.
import { createSync, createSyncLoop } from './sync.js';

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

/** `listen(fn)` hears sync events; `save(doc)` writes into the phone's own database. */
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
    save: async (doc) => ({ ...doc, _rev: (await dbs.me.put(doc)).rev }) };
  const changes = dbs.me.changes({ since: 'now', live: true })
    .on('change', (c) => { if (isLocalEdit(c.id)) loop.soon(); });
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
