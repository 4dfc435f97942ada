// PouchDB on the phone: SQLite (op-sqlite) for the local databases, HTTP for the gateway.
import PouchDB from 'pouchdb-core';
import HttpPouch from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import SQLiteAdapter from 'pouchdb-adapter-react-native-sqlite';

export const LocalPouch = PouchDB.plugin(HttpPouch).plugin(replication).plugin(SQLiteAdapter);
export const localOptions = { adapter: 'react-native-sqlite' };
