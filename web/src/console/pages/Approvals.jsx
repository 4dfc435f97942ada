// Discounts above an engineer's limit and travel expenses waiting for a head's decision.
import { useEffect, useState } from 'react';
import { Loading, Message, Pager, Section, Table, money, useLoad, when } from '../ui.jsx';

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

const OUTCOME = { approved: 'approved', declined: 'declined' };

// What the head said before on this offer or expense, with the terms she said it on.
function Earlier({ decision }) {
  if (!decision) return null;
  const on = decision.terms ? ` ${decision.terms}` : '';
  const note = decision.note ? `: "${decision.note}"` : '';
  const voided = decision.binds ? '' : ' (the terms have changed since)';
  return (
    <p className="fs-small fs-muted" data-testid="previous-decision">
      Earlier: {decision.decided_by} {OUTCOME[decision.outcome] || decision.outcome}{on} on {when(decision.decided_at)}{note}{voided}
    </p>);
}

const LINE_COLUMNS = [
  { key: 'product_name', title: 'Product' },
  { key: 'quantity', title: 'Qty', kind: 'number' },
  { key: 'list_price', title: 'List price', kind: 'money', render: (l) => (l.list_price ? money(l.list_price) : 'no price list') },
  { key: 'unit_price', title: 'Price', kind: 'money' },
  { key: 'discount_pct', title: 'Discount', kind: 'pct' },
  { key: 'taxable', title: 'Taxable', kind: 'money' },
];

function OfferCase({ api, row, onDone }) {
  return (
    <article className="fs-case" data-testid="offer-case" aria-label={`offer for ${row.customer_name}`}>
      <header className="fs-case-head">
        <h3 data-testid="case-customer">{row.customer_name}{row.customer_city ? ` · ${row.customer_city}` : ''}</h3>
        <span className="fs-muted">{row.engineer_name} · {when(row.created_at)}</span>
      </header>
      <p>
        Highest discount <strong>{row.max_discount_pct}%</strong>
        {row.discount_limit_pct != null ? ` (the engineer may give up to ${row.discount_limit_pct}%)` : ''}
        {' · '}discount {money(row.discount)} · total {money(row.grand_total)} incl. GST {money(row.gst)}
      </p>
      <Table label={`lines of the offer for ${row.customer_name}`} columns={LINE_COLUMNS} rows={row.lines} rowKey={(l) => l.line_no} />
      <Earlier decision={row.previous_decision} />
      <Decide api={api} label={`offer for ${row.customer_name}`} path={`/api/v1/offers/${encodeURIComponent(row.doc_id)}/decision`} onDone={onDone} />
    </article>);
}

function Offers({ api, onDecided }) {
  const [page, setPage] = useState(1);
  const state = useLoad(() => api.get('/api/v1/approvals/offers', { page, page_size: 10 }), [page]);
  const done = (outcome) => { onDecided(`Discount ${outcome}; the engineer's phone receives it on its next sync.`); state.reload(); };
  const rows = state.data ? state.data.items : [];
  return (
    <Section title="Discounts above the engineer's limit">
      <Loading state={state}>
        {state.data && !rows.length ? <p className="fs-muted fs-empty">No discounts are waiting for a decision.</p> : null}
        {rows.map((r) => <OfferCase key={r.doc_id} api={api} row={r} onDone={done} />)}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
    </Section>
  );
}

// The receipt photo, fetched with the head's token (an <img src> cannot send it).
function ReceiptPhoto({ api, row }) {
  const [url, setUrl] = useState(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!row.has_receipt_photo) return undefined;
    let made = null;
    api.blob(`/api/v1/approvals/expenses/${encodeURIComponent(row.doc_id)}/receipt-photo`).then(
      (blob) => { made = URL.createObjectURL(blob); setUrl(made); }, () => setFailed(true));
    return () => { if (made) URL.revokeObjectURL(made); };
  }, [api, row.doc_id, row.has_receipt_photo]);
  if (!row.has_receipt_photo) return <span className="fs-muted">no receipt photo</span>;
  if (failed) return <span className="fs-muted">the receipt photo cannot be shown now</span>;
  if (!url) return <span className="fs-muted">loading the photo…</span>;
  return <a href={url} target="_blank" rel="noreferrer"><img className="fs-receipt" src={url} alt={`receipt photo of ${row.engineer_name}'s trip`} data-testid="receipt-photo" /></a>;
}

function Reimburse({ api, row, onDone }) {
  const [error, setError] = useState(null);
  const run = () => api.post(`/api/v1/expenses/${encodeURIComponent(row.doc_id)}/reimbursed`).then(onDone, setError);
  return <><button type="button" onClick={run} aria-label={`Mark reimbursed: expense of ${row.engineer_name} on ${row.date}`}>Mark reimbursed</button><Message error={error} /></>;
}

const MODE = { bike: 'bike', car: 'car', bus: 'bus', train: 'train', auto: 'auto-rickshaw', taxi: 'taxi' };

function Expenses({ api, onDecided }) {
  const [status, setStatus] = useState('pending');
  const [page, setPage] = useState(1);
  const params = { status, page, page_size: 20 };
  const state = useLoad(() => api.get('/api/v1/approvals/expenses', params), [JSON.stringify(params)]);
  const done = (outcome) => { onDecided(`Expense ${outcome || 'marked reimbursed'}.`); state.reload(); };
  const columns = [
    { key: 'engineer_name', title: 'Engineer' },
    { key: 'date', title: 'Date' },
    { key: 'trip', title: 'Trip', render: (r) => `${r.from_place} → ${r.to_place}` },
    { key: 'mode', title: 'Mode', render: (r) => `${MODE[r.mode] || r.mode}, ${r.km} km` },
    { key: 'amount', title: 'Claimed', kind: 'money' },
    { key: 'allowance', title: 'Allowance (km × rate)', kind: 'money', render: (r) => (r.allowance ? money(r.allowance) : 'no rate set for this mode') },
    { key: 'purpose', title: 'Purpose' },
    { key: 'photo', title: 'Receipt', render: (r) => <ReceiptPhoto api={api} row={r} /> },
    { key: 'act', title: 'Decision', render: (r) => (status === 'pending'
      ? <><Earlier decision={r.previous_decision} /><Decide api={api} label={`expense of ${r.engineer_name} on ${r.date}`} path={`/api/v1/expenses/${encodeURIComponent(r.doc_id)}/decision`} onDone={done} /></>
      : <Reimburse api={api} row={r} onDone={() => done('')} />) },
  ];
  return (
    <Section title="Travel expenses" actions={
      <select aria-label="expense status" value={status} onChange={(e) => { setPage(1); setStatus(e.target.value); }}>
        <option value="pending">waiting for a decision</option>
        <option value="to_reimburse">approved, not yet reimbursed</option>
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
