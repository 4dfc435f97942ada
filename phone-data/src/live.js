// Local documents kept live as the database changes, for the screens of either app. The
// package imports no React: an app hands its own hooks to makeDocHooks.

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

/** Documents whose id starts with `prefix`, newest first (ids are time-ordered keys). */
export async function readDocs(db, prefix) {
  const result = await db.allDocs({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true,
    attachments: false });
  return result.rows.map((row) => row.doc).reverse();
}

/** Documents by key, for lookups (customers, products, receipts, decisions). */
export function indexBy(docs, key = (d) => d._id) {
  return Object.fromEntries((docs || []).map((d) => [key(d), d]));
}

/** `read` run at most once at a time, with one more run queued for whatever asked meanwhile:
 * a pull writing 1,000 customers re-reads the customer list a few times, not 1,000 times. */
export function coalesced(read) {
  let running = false;
  let again = false;
  return async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      do { again = false; await read(); } while (again);
    } finally {
      running = false;
    }
  };
}

/** `useDocs(db, prefix)` and `useIndex(db, prefix, key?)` built on the app's React hooks. */
export function makeDocHooks({ useEffect, useState }) {
  function useDocs(db, prefix) {
    const [docs, setDocs] = useState(null);
    useEffect(() => {
      let alive = true;
      const read = coalesced(() => readDocs(db, prefix).then((d) => { if (alive) setDocs(d); }, () => {}));
      read();
      const stop = watch(db, (c) => { if (c.id.startsWith(prefix)) read(); });
      return () => { alive = false; stop(); };
    }, [db, prefix]);
    return docs;
  }
  function useIndex(db, prefix, key) {
    return indexBy(useDocs(db, prefix), key);
  }
  return { useDocs, useIndex };
}

/** What the sync header shows: last sync, documents not sent, sent but waiting for the server's
 * check, refused at the door, and the gateway's refusals. */
export async function syncStatus(sync) {
  const state = await sync.state();
  const where = await sync.pending();
  return { lastSync: state.last_sync, denied: state.denied, pending: where.notSent.length,
    checking: where.checking.length, refused: where.refused.length, notSent: where.notSent };
}

/** `refresh(patch)` reads the sync status and hands `{...patch, ...status}` to `onStatus`; calls
 * made while one read runs are folded into one more read, so a pull writing hundreds of
 * documents does not start hundreds of counts. */
export function statusReader(sync, onStatus) {
  let running = false;
  let queued = null;
  async function refresh(patch = {}) {
    queued = { ...(queued || {}), ...patch };
    if (running) return;
    running = true;
    try {
      while (queued) {
        const next = queued;
        queued = null;
        onStatus({ ...next, ...(await syncStatus(sync)) });
      }
    } catch {
      queued = null; // the database closed with the session
    } finally {
      running = false;
    }
  }
  return refresh;
}
