// The browser's parts handed to the data layer: PouchDB, storage, WebCrypto, fetch.
import { createAuth, authorizedFetch } from 'fieldsync-phone-data/auth.js';
import { webCryptoSha256 } from 'fieldsync-phone-data/canonical.js';
import { newKey } from 'fieldsync-phone-data/documents.js';
import { serverUrl } from './config.js';

export const storage = {
  get: (key) => window.localStorage.getItem(key),
  set: (key, value) => window.localStorage.setItem(key, value),
  remove: (key) => window.localStorage.removeItem(key),
};

export const sha256Hex = webCryptoSha256(window.crypto.subtle);

/** Only when the engineer asks on sign-out: this user's databases go (the device id stays).
 * PouchDB comes with the field app's download, not the sign-in screen's. */
async function wipeLocal(user) {
  const { openLocalDbs } = await import('./localdb.js');
  await Promise.all(Object.values(openLocalDbs(user.username)).map((db) => db.destroy()));
  storage.remove('fieldsync.user');
}

export const baseUrl = serverUrl();
export const auth = createAuth({ baseUrl, fetch: (...a) => window.fetch(...a), storage,
  subtle: (window.crypto && window.crypto.subtle) || null, wipe: wipeLocal });
export const syncFetch = authorizedFetch(auth, (...a) => window.fetch(...a));

/** This browser's device id, made once. */
export function deviceId() {
  let id = storage.get('fieldsync.device');
  if (!id) {
    id = `web-${newKey()}`;
    storage.set('fieldsync.device', id);
  }
  return id;
}

/** Server settings the phone needs (the company's GST state), kept for offline use. */
export async function loadServerConfig() {
  try {
    const response = await window.fetch(`${baseUrl}/app-config.json`, { cache: 'no-store' });
    if (response.ok) storage.set('fieldsync.config', JSON.stringify(await response.json()));
  } catch {
    // offline: the copy from the last sign-in stays
  }
  return JSON.parse(storage.get('fieldsync.config') || '{"company_state": "29"}');
}
