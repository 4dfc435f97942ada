// React hooks over the local databases: documents by prefix, kept live as they change.
import { useEffect, useState } from 'react';
import { makeDocHooks, statusReader, watch } from 'fieldsync-phone-data/live.js';
import { receiptOf } from 'fieldsync-phone-data/receipts.js';

export { watch };
export const { useDocs, useIndex } = makeDocHooks({ useEffect, useState });

/** The sync loop's view: online, last sync, pending count, gateway refusals. */
export function useSyncStatus(session) {
  const [status, setStatus] = useState({ online: navigator.onLine, lastSync: null, pending: 0,
    checking: 0, refused: 0, notSent: [], denied: {}, error: '' });
  useEffect(() => {
    let alive = true;
    const refresh = statusReader(session.sync, (now) => { if (alive) setStatus((s) => ({ ...s, ...now })); });
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
  return receiptOf(doc, receipts, denied);
}
