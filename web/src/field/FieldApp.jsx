// The engineer's app: sync header, tabs, and the screens; works with or without a network.
import React, { useEffect, useMemo, useState } from 'react';
import { activePrices, ago } from 'fieldsync-phone-data/forms.js';
import { stateOf, useDocs, useIndex, useSyncStatus } from './hooks.js';
import { openSession } from './session.js';
import { OfferEditor, OfferList, OfferPresent } from './Offers.jsx';
import OfferDetail from './OfferDetail.jsx';
import { Leads, Todos, Visits } from './Activity.jsx';
import { ExpenseForm, Expenses } from './Expenses.jsx';
import './field.css';

const TABS = [['offers', 'Offers'], ['leads', 'Leads'], ['visits', 'Visits'], ['expenses', 'Expenses'], ['todos', 'To-dos']];

function SyncHeader({ session, user, onLogout }) {
  const status = useSyncStatus(session);
  const [, tick] = useState(0);
  useEffect(() => { const t = setInterval(() => tick((n) => n + 1), 5000); return () => clearInterval(t); }, []);
  return (
    <header className="sync-header" data-testid="sync-header" data-online={status.online ? 'yes' : 'no'}>
      <span className={`dot ${status.online ? 'on' : 'off'}`} data-testid="sync-online">{status.online ? 'Online' : 'Offline'}</span>
      <span data-testid="last-sync">Synced {ago(status.lastSync)}</span>
      <span data-testid="pending-count" data-count={status.pending}>{status.pending} not on server</span>
      <button type="button" className="link" onClick={() => session.loop.now()}>Sync now</button>
      <span className="who">{user.username}</span>
      <button type="button" className="link" onClick={onLogout}>Sign out</button>
    </header>
  );
}

function useFieldData(session) {
  const { me, catalog, customers: customerDb } = session.dbs;
  const products = useIndex(catalog, 'product:');
  const priceLists = useDocs(catalog, 'price_list:') || [];
  const prices = useMemo(() => activePrices(priceLists), [priceLists]);
  const status = useSyncStatus(session);
  return {
    products, prices, priceLists, customers: useIndex(customerDb, 'customer:'),
    offers: useDocs(me, 'offer:'), approvals: useDocs(me, 'approval:') || [], orders: useDocs(me, 'order:') || [],
    leads: useDocs(me, 'lead:'), visits: useDocs(me, 'visit:'), expenses: useDocs(me, 'expense:'),
    todos: useDocs(me, 'todo:'), receipts: useIndex(me, 'receipt:'), decisions: useIndex(me, 'decision:'),
    denied: status.denied,
  };
}

function Screen({ session, data, route }) {
  const parts = route.split('/').filter(Boolean);
  const [section = 'offers', id, action] = parts;
  if (section === 'offers' && id === 'new') return <OfferEditor session={session} data={data} />;
  if (section === 'offers' && id) {
    const offer = (data.offers || []).find((o) => o._id === id);
    if (!offer) return <p>Loading offer…</p>;
    if (action === 'present') return <OfferPresent data={data} offer={offer} />;
    if (action === 'edit') {
      return <OfferEditor key={offer._rev} session={session} data={data} offer={offer}
        state={stateOf(offer, data.receipts, data.denied)} />;
    }
    return <OfferDetail session={session} data={data} offer={offer} />;
  }
  if (section === 'leads') return <Leads session={session} data={data} />;
  if (section === 'visits') return <Visits session={session} data={data} />;
  if (section === 'todos') return <Todos session={session} data={data} />;
  if (section === 'expenses' && id === 'new') return <ExpenseForm session={session} />;
  if (section === 'expenses' && id) {
    const expense = (data.expenses || []).find((x) => x._id === id);
    return expense ? <ExpenseForm key={expense._rev} session={session} expense={expense} customers={data.customers}
      state={stateOf(expense, data.receipts, data.denied)} /> : <p>Loading…</p>;
  }
  if (section === 'expenses') return <Expenses data={data} />;
  return <OfferList data={data} />;
}

function Field({ session, route, onLogout }) {
  const data = useFieldData(session);
  const section = route.split('/').filter(Boolean)[0] || 'offers';
  const presenting = route.endsWith('/present');
  return (
    <div className={`field-app${presenting ? ' presenting' : ''}`}>
      {presenting ? null : <SyncHeader session={session} user={session.user} onLogout={onLogout} />}
      {presenting ? null : (
        <nav className="tabs">{TABS.map(([key, label]) => (
          <a key={key} href={`#/${key}`} className={section === key ? 'active' : ''}>{label}</a>))}</nav>)}
      <main className="field-main"><Screen session={session} data={data} route={route} /></main>
    </div>
  );
}

export default function FieldApp({ user, route, onLogout }) {
  const [session, setSession] = useState(null);
  useEffect(() => {
    const opened = openSession(user);
    setSession(opened);
    return () => opened.close();
  }, [user]);
  if (!session) return <p className="page">Opening…</p>;
  return <Field session={session} route={route} onLogout={async () => { session.close(); await onLogout(); }} />;
}
