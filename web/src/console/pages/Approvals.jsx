// Discounts above an engineer's limit and travel expenses waiting for a head's decision.
import { useState } from 'react';
import { Loading, Message, Pager, Section, Table, money, useLoad } from '../ui.jsx';

function Decide({ api, path, label, onDone }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const decide = async (outcome) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(path, { outcome, note });
      onDone(outcome);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="fs-decide">
      <input aria-label={`note for ${label}`} placeholder="note (optional)" value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="button" className="fs-ok" disabled={busy} onClick={() => decide('approved')} aria-label={`approve ${label}`}>Approve</button>
      <button type="button" className="fs-danger" disabled={busy} onClick={() => decide('declined')} aria-label={`decline ${label}`}>Decline</button>
      <Message error={error} />
    </div>
  );
}

function Offers({ api, onDecided }) {
  const [page, setPage] = useState(1);
  const state = useLoad(() => api.get('/api/v1/offers', { awaiting_decision: true, page, page_size: 20, sort: 'created_at' }), [page]);
  const done = (outcome) => { onDecided(`Discount ${outcome}; the engineer's phone receives it on its next sync.`); state.reload(); };
  const columns = [
    { key: 'doc_id', title: 'Offer' },
    { key: 'owner', title: 'Engineer' },
    { key: 'customer_id', title: 'Customer' },
    { key: 'max_discount_pct', title: 'Highest discount', kind: 'pct' },
    { key: 'discount', title: 'Discount', kind: 'money' },
    { key: 'grand_total', title: 'Total', kind: 'money' },
    { key: 'created_at', title: 'Created', kind: 'datetime' },
    { key: 'decide', title: 'Decision', render: (r) => <Decide api={api} label={r.doc_id} path={`/api/v1/offers/${encodeURIComponent(r.doc_id)}/decision`} onDone={done} /> },
  ];
  return (
    <Section title="Discounts above the engineer's limit">
      <Loading state={state}>
        {state.data ? <Table label="discounts awaiting a decision" columns={columns} rows={state.data.items} rowKey={(r) => r.doc_id} empty="No discounts are waiting for a decision." /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
    </Section>
  );
}

function Reimburse({ api, row, onDone }) {
  const [error, setError] = useState(null);
  const run = () => api.post(`/api/v1/expenses/${encodeURIComponent(row.doc_id)}/reimbursed`).then(onDone, setError);
  return <><button type="button" onClick={run} aria-label={`reimbursed ${row.doc_id}`}>Mark reimbursed</button><Message error={error} /></>;
}

function Expenses({ api, onDecided }) {
  const [status, setStatus] = useState('pending');
  const [page, setPage] = useState(1);
  const params = { approval_status: status, page, page_size: 20, ...(status === 'approved' ? { reimbursed: false } : {}) };
  const state = useLoad(() => api.get('/api/v1/expenses', params), [JSON.stringify(params)]);
  const done = (outcome) => { onDecided(`Expense ${outcome || 'marked reimbursed'}.`); state.reload(); };
  const columns = [
    { key: 'owner', title: 'Engineer' },
    { key: 'date', title: 'Date' },
    { key: 'trip', title: 'Trip', render: (r) => `${r.from_place} → ${r.to_place}` },
    { key: 'mode', title: 'Mode', render: (r) => `${r.mode}, ${r.km} km` },
    { key: 'amount', title: 'Claimed', kind: 'money' },
    { key: 'allowance', title: 'Allowance', kind: 'money', render: (r) => (r.allowance ? money(r.allowance) : 'no rate') },
    { key: 'purpose', title: 'Purpose' },
    { key: 'act', title: 'Decision', render: (r) => (status === 'pending'
      ? <Decide api={api} label={r.doc_id} path={`/api/v1/expenses/${encodeURIComponent(r.doc_id)}/decision`} onDone={done} />
      : <Reimburse api={api} row={r} onDone={() => done('')} />) },
  ];
  return (
    <Section title="Travel expenses" actions={
      <select aria-label="expense status" value={status} onChange={(e) => { setPage(1); setStatus(e.target.value); }}>
        <option value="pending">waiting for a decision</option>
        <option value="approved">approved, not yet reimbursed</option>
      </select>}>
      <Loading state={state}>
        {state.data ? <Table label="expenses" columns={columns} rows={state.data.items} rowKey={(r) => r.doc_id} empty="No expenses here." /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
    </Section>
  );
}

export default function Approvals({ api }) {
  const [ok, setOk] = useState('');
  return (
    <>
      <Message ok={ok} />
      <Offers api={api} onDecided={setOk} />
      <Expenses api={api} onDecided={setOk} />
    </>
  );
}
