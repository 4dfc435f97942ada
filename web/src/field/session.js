// One engineer's working session on this device: local databases, sync loop, location.
import { openPhoneSession } from 'fieldsync-phone-data/session.js';
import { deviceId, storage, syncFetch, baseUrl } from '../shell/platform.js';
import { PouchDB, openLocalDbs } from '../shell/localdb.js';
import { tuning } from '../shell/config.js';
import { startBreadcrumbs } from './location.js';

/** Everything the field screens need; `listen(fn)` hears sync events. */
export function openSession(user) {
  const { syncEveryMs, trackEveryMs } = tuning();
  const config = JSON.parse(storage.get('fieldsync.config') || '{"company_state": "29"}');
  const session = openPhoneSession({ PouchDB, dbs: openLocalDbs(user.username), user,
    deviceId: deviceId(), baseUrl, fetch: syncFetch, config, syncEveryMs });
  const { loop } = session;
  const online = () => loop.now();
  window.addEventListener('online', online);
  const stopTrack = startBreadcrumbs(session, trackEveryMs);
  const close = session.close;
  session.close = () => {
    window.removeEventListener('online', online);
    stopTrack();
    close();
  };
  return session;
}

/** Write a document into the phone's own database; returns the saved document. */
export function save(session, doc) {
  return session.save(doc);
}
