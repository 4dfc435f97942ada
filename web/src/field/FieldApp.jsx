// The engineer's app: sync header, tabs, and the screens; works with or without a network.
import React, { useEffect, useMemo, useState } from 'react';
import { activePrices, ago } from 'fieldsync-phone-data/forms.js';
import { stateOf, useDocs, useIndex, useSyncStatus } from './hooks.js';
import { openSession } from './session.js';
import { auth } from '../shell/platform.js';
import { PasswordNeeded, SignOutPanel, useAuthState } from './SignOut.jsx';
import { OfferEditor, OfferList, OfferPresent } from './Offers.jsx';
import OfferDetail from './OfferDetail.jsx';
import { Leads, Todos, Visits } from './Activity.jsx';
import { ExpenseForm, Expenses } from './Expenses.jsx';
import SyncProgress from './SyncProgress.jsx';
import { Orders } from './Orders.jsx';
import './field.css';

const TABS = [['offers', 'Offers'], ['leads', 'Leads'], ['visits', 'Visits'], ['expenses', 'Expenses'], ['todos', 'To-dos'], ['orders', 'Orders']];

function SyncHeader({ session, user, onLogout }) {
  const status = useSyncStatus(session);
  const signIn = useAuthState(auth);
  const [leaving, setLeaving] = useState(false);
  // Syncs fail while the password is needed, but the server answered: the phone is online.
  const online = status.online || signIn.needsPassword;
  const [, tick] = useState(0);
  useEffect(() => { const t = setInterval(() => tick((n) => n + 1), 5000); return () => clearInterval(t); }, []);
  return (
    <>
      <header className="sync-header" data-testid="sync-header" data-online={online ? 'yes' : 'no'}>
        <span className={`dot ${online ? 'on' : 'off'}`} data-testid="sync-online">{online ? 'Online' : 'Offline'}</span>
        <span data-testid="last-sync">Synced {ago(status.lastSync)}</span>
        <span data-testid="pending-count" data-count={status.pending}>{status.pending} not sent</span>
        {status.checking ? (
          <span data-testid="checking-count" data-count={status.checking}>
            {status.checking} waiting for the server&apos;s check</span>) : null}
        <button type="button" className="link" onClick={() => session.loop.now()}>Sync now</button>
        <span className="who">{user.username}{signIn.offline ? ' (signed in offline)' : ''}</span>
        <button type="button" className="link" onClick={() => setLeaving(true)}>Sign out</button>
      </header>
      {signIn.needsPassword ? <PasswordNeeded auth={auth} session={session} unsent={status.pending} /> : null}
      {leaving ? <SignOutPanel session={session} status={status} onCancel={() => setLeaving(false)}
        onSignOut={onLogout} /> : null}
    </>
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
    cancellations: useDocs(me, 'cancellation:') || [],
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
  if (section === 'expenses') return <Expenses session={session} data={data} />;
  if (section === 'orders') return <Orders data={data} />;
  return <OfferList data={data} />;
}

function Field({ session, route, onLogout }) {
  const data = useFieldData(session);
  const section = route.split('/').filter(Boolean)[0] || 'offers';
  const presenting = route.endsWith('/present');
  return (
    <div className={`field-app${presenting ? ' presenting' : ''}`}>
      {presenting ? null : <SyncHeader session={session} user={session.user} onLogout={onLogout} />}
      {presenting ? null : <SyncProgress session={session} />}
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
  return <Field session={session} route={route}
    onLogout={async (options) => { session.close(); await onLogout(options); }} />;
}
