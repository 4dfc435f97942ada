// PouchDB where the app runs without a device (the web export): databases in memory.
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import MemoryAdapter from 'pouchdb-adapter-memory';

export const LocalPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(MemoryAdapter);
export const localOptions = { adapter: 'memory' };
