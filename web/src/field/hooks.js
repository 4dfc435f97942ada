// React hooks over the local databases: documents by prefix, kept live as they change.
import { useEffect, useState } from 'react';
import { receiptState } from '../data/receipts.js';

const watchers = new WeakMap();

/** One live changes feed per database, shared by every screen that listens to it. */
export function watch(db, listener) {
  let entry = watchers.get(db);
  if (!entry) {
    entry = { listeners: new Set(), feed: null };
    entry.feed = db.changes({ since: 'now', live: true })
      .on('change', (c) => entry.listeners.forEach((fn) => fn(c)));
    watchers.set(db, entry);
  }
  entry.listeners.add(listener);
  return () => {
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) {
      entry.feed.cancel();
      watchers.delete(db);
    }
  };
}

/** Documents whose id starts with `prefix` (newest first), re-read on every change. */
export function useDocs(db, prefix) {
  const [docs, setDocs] = useState(null);
  useEffect(() => {
    let alive = true;
    const read = () => db.allDocs({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true,
      attachments: false }).then((r) => { if (alive) setDocs(r.rows.map((row) => row.doc).reverse()); });
    read();
    const stop = watch(db, (c) => { if (c.id.startsWith(prefix)) read(); });
    return () => { alive = false; stop(); };
  }, [db, prefix]);
  return docs;
}

/** Documents by id, for lookups (customers, products, receipts, decisions). */
export function useIndex(db, prefix, key = (d) => d._id) {
  const docs = useDocs(db, prefix) || [];
  return Object.fromEntries(docs.map((d) => [key(d), d]));
}

/** The sync loop's view: online, last sync, pending count, gateway refusals. */
export function useSyncStatus(session) {
  const [status, setStatus] = useState({ online: navigator.onLine, lastSync: null, pending: 0,
    denied: {}, error: '' });
  useEffect(() => {
    let alive = true;
    const refresh = async (patch = {}) => {
      const state = await session.sync.state();
      const pending = await session.sync.pendingCount();
      if (alive) setStatus((s) => ({ ...s, ...patch, lastSync: state.last_sync, denied: state.denied, pending }));
    };
    refresh();
    const off = session.listen((name, detail) => {
      if (name === 'synced') refresh({ online: true, error: '' });
      else if (name === 'failed') refresh({ online: false, error: String(detail.err && (detail.err.message || detail.err)) });
      else if (name === 'offline') refresh({ online: false });
      else refresh();
    });
    const stopWatch = watch(session.dbs.me, () => refresh());
    const offline = () => refresh({ online: false });
    const online = () => refresh({ online: true });
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      alive = false; off(); stopWatch();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, [session]);
  return status;
}

/** A document's receipt state, given the receipts index and the gateway refusals. */
export function stateOf(doc, receipts, denied) {
  return receiptState(doc, receipts[`receipt:${doc._id}`], denied && denied[doc._id]);
}
