// How far the pull of customers and catalog has got, shown while it runs: on a first sign-in
// over 2G it takes a minute, and the engineer should see it moving rather than an empty list.
import React, { useEffect, useState } from 'react';

const grouped = (n) => Number(n).toLocaleString('en-IN');
const LABELS = { customers: 'Customers', catalog: 'Products and prices' };

export function useSyncProgress(session) {
  const [progress, setProgress] = useState({});
  useEffect(() => {
    let alive = true;
    const set = (db, patch) => { if (alive) setProgress((p) => ({ ...p, [db]: { ...p[db], ...patch } })); };
    // What the phone already holds counts from the start, before any event arrives.
    for (const db of Object.keys(LABELS)) {
      session.dbs[db].info().then((info) => set(db, { done: info.doc_count })).catch(() => {});
    }
    const off = session.listen((name, detail) => {
      if (name === 'pulling') set(detail.db, { done: detail.done, total: detail.total, complete: !!detail.complete });
    });
    return () => { alive = false; off(); };
  }, [session]);
  return progress;
}

export default function SyncProgress({ session }) {
  const progress = useSyncProgress(session);
  const running = Object.entries(LABELS).filter(([db]) => {
    const p = progress[db];
    return p && !p.complete && p.total && p.done < p.total;
  });
  const done = (db) => String((progress[db] && progress[db].done) ?? 0);
  return (
    <div className="sync-progress" data-testid="first-sync" data-customers={done('customers')}
      data-products={done('catalog')} data-complete={running.length ? 'no' : 'yes'}
      role="status" aria-live="polite" hidden={!running.length}>
      {running.map(([db, label]) => (
        <p key={db}>
          {label} {grouped(progress[db].done)} of {grouped(progress[db].total)}
          <progress max={progress[db].total} value={progress[db].done} />
        </p>
      ))}
    </div>
  );
}
