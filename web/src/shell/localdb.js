// The phone's local databases (PouchDB on IndexedDB): loaded with the field app, not before.
import PouchDB from 'pouchdb-browser';

const LOCAL_DBS = ['me', 'catalog', 'customers'];

/** The phone's local databases (IndexedDB), one set per user. */
export function openLocalDbs(username) {
  return Object.fromEntries(LOCAL_DBS.map((name) => [name, new PouchDB(`fieldsync-${username}-${name}`)]));
}

export { PouchDB };
