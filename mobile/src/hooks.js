// React hooks over the phone's databases (the shared live queries) and the sync status.
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { makeDocHooks, statusReader, watch } from 'fieldsync-phone-data/live.js';
import { activePrices } from 'fieldsync-phone-data/forms.js';

export const { useDocs, useIndex } = makeDocHooks({ useEffect, useState });

export const SessionContext = createContext(null);

export function useSession() {
  return useContext(SessionContext);
}

/** Online, last sync, pending count and gateway refusals, kept current. */
export function useSyncStatus(session) {
  const [status, setStatus] = useState({ online: null, lastSync: null, pending: 0, checking: 0, refused: 0,
    notSent: [], denied: {}, error: '' });
  useEffect(() => {
    let alive = true;
    const refresh = statusReader(session.sync, (now) => { if (alive) setStatus((s) => ({ ...s, ...now })); });
    refresh();
    const off = session.listen((name, detail) => {
      if (name === 'synced') refresh({ online: true, error: '' });
      else if (name === 'failed') refresh({ online: false, error: String((detail.err && detail.err.message) || detail.err) });
      else if (name === 'offline') refresh({ online: false });
      else refresh();
    });
    const stop = watch(session.dbs.me, () => refresh());
    return () => { alive = false; off(); stop(); };
  }, [session]);
  return status;
}

/** Everything the field screens read: master data, the engineer's documents, receipts. */
export function useFieldData(session) {
  const { me, catalog, customers } = session.dbs;
  const priceLists = useDocs(catalog, 'price_list:');
  const prices = useMemo(() => activePrices(priceLists || []), [priceLists]);
  const status = useSyncStatus(session);
  return {
    products: useIndex(catalog, 'product:'), prices, customers: useIndex(customers, 'customer:'),
    offers: useDocs(me, 'offer:'), approvals: useDocs(me, 'approval:') || [], orders: useDocs(me, 'order:') || [],
    leads: useDocs(me, 'lead:'), visits: useDocs(me, 'visit:'), expenses: useDocs(me, 'expense:'),
    todos: useDocs(me, 'todo:'), receipts: useIndex(me, 'receipt:'), decisions: useIndex(me, 'decision:'),
    denied: status.denied, status,
  };
}

export const FieldDataContext = createContext(null);

export function useData() {
  return useContext(FieldDataContext);
}
