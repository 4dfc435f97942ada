// PouchDB where the app runs in a browser (its web export): IndexedDB for the local databases.
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import IdbAdapter from 'pouchdb-adapter-idb';

export const LocalPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(IdbAdapter);
export const localOptions = { adapter: 'idb' };
