// One engineer's working session on this device: local databases, sync loop, location.
import { createSync, createSyncLoop } from '../data/sync.js';
import { PouchDB, deviceId, openLocalDbs, storage, syncFetch, baseUrl } from '../shell/platform.js';
import { tuning } from '../shell/config.js';
import { startBreadcrumbs } from './location.js';

/** Everything the field screens need; `listen(fn)` hears sync events. */
export function openSession(user) {
  const dbs = openLocalDbs(user.username);
  const listeners = new Set();
  const emit = (name, detail) => listeners.forEach((fn) => fn(name, detail));
  const sync = createSync({ PouchDB, dbs, baseUrl, fetch: syncFetch, onEvent: emit });
  const { trackEveryMs, syncEveryMs } = tuning();
  const loop = createSyncLoop(sync, { everyMs: syncEveryMs, onError: (err) => emit('failed', { err }) });
  const config = JSON.parse(storage.get('fieldsync.config') || '{"company_state": "29"}');
  const ctx = () => ({ owner: user.username, deviceId: deviceId() });
  const session = { user, dbs, sync, loop, config, ctx,
    listen: (fn) => { listeners.add(fn); return () => listeners.delete(fn); } };
  const changes = dbs.me.changes({ since: 'now', live: true }).on('change', (c) => {
    if (!c.id.startsWith('receipt:') && !c.id.startsWith('decision:') && !c.id.startsWith('_local')) loop.soon();
  });
  const online = () => loop.now();
  window.addEventListener('online', online);
  const stopTrack = startBreadcrumbs(session, trackEveryMs);
  sync.startLivePull();
  loop.now();
  session.close = () => {
    changes.cancel();
    window.removeEventListener('online', online);
    stopTrack();
    loop.stop();
    sync.stop();
  };
  return session;
}

/** Write a document into the phone's own database; returns the saved document. */
export async function save(session, doc) {
  const result = await session.dbs.me.put(doc);
  return { ...doc, _rev: result.rev };
}
