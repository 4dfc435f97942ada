// The Android app's working session: the shared data layer's session over the phone's PouchDB,
// plus what the screens need from the device (location fix, SHA-256), and its sign-in. Imports
// nothing native, so the same module runs in Node (memory adapter) against a real gateway.
import { authorizedFetch, createAuth } from 'fieldsync-phone-data/auth.js';
import { openLocalDbs, openPhoneSession } from 'fieldsync-phone-data/session.js';
import { provideContract } from 'fieldsync-phone-data/contract.js';
import * as contract from 'fieldsync-phone-data/validators.js';
import { noblePbkdf2 } from './platform/pbkdf2.js';

// The app is bundled whole: the document contract's validators come with it.
provideContract(contract);

/** `PouchDB` carries the local adapter named in `localOptions` and the HTTP adapter. */
export function openMobileSession({ PouchDB, localOptions = {}, user, deviceId, baseUrl, fetch,
  config = { company_state: '29' }, locate = async () => null, noFixReason = () => '', sha256Hex, syncEveryMs, timers,
  live = true }) {
  const dbs = openLocalDbs(PouchDB, user.username, localOptions);
  const session = openPhoneSession({ PouchDB, dbs, user, deviceId, baseUrl, fetch, config, syncEveryMs,
    timers, live });
  return Object.assign(session, { locate, noFixReason, sha256Hex });
}

/** Sign-in for the server in `baseUrlRef.current` (chosen at sign-in), kept in `storage` with the
 * offline sign-in's hash; `wipe(user)` erases that engineer's databases on "remove data".
 * `iterations` is auth.js's production figure unless a test passes fewer. */
export function createMobileAuth({ baseUrlRef, storage, wipe, fetch = (url, opts) => globalThis.fetch(url, opts),
  derive = noblePbkdf2(), iterations, now }) {
  // undefined `iterations` and `now` take auth.js's defaults
  const auth = createAuth({ baseUrl: '', storage, wipe, derive, iterations, now,
    fetch: (url, opts) => fetch(`${baseUrlRef.current}${url}`, opts) });
  return { auth, syncFetch: authorizedFetch(auth, fetch) };
}

/** Bytes the phone holds for this engineer (documents and attachments), for the settings. */
export async function storageUsed(dbs) {
  let bytes = 0;
  for (const db of Object.values(dbs)) {
    const all = await db.allDocs({ include_docs: true, attachments: true, binary: false });
    for (const row of all.rows) bytes += JSON.stringify(row.doc).length;
  }
  return bytes;
}

/** Human size: 512 B, 12.3 kB, 4.5 MB. */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
