// Engineers' requests to cancel orders: heads and admins approve (the ERP is told) or decline
// with a note the engineer reads on the phone.
import { useState } from 'react';
import { CANCELLATION_STATUSES } from 'fieldsync-phone-data/vocabulary.js';
import { Loading, Message, Pager, Section, Table, useLoad } from '../ui.jsx';

const STATE_NAMES = { requested: 'waiting for a decision' };
const STATES = CANCELLATION_STATUSES.map((s) => [s, STATE_NAMES[s] || s]);
const WORDS = { requested: 'cancellation requested', cancelled: 'cancelled', declined: 'cancellation declined' };

/** "cancellation declined (Goods already dispatched)": what the order shows. */
export function cancellationText(c) {
  if (!c) return '';
  return c.status === 'declined' && c.note ? `${WORDS.declined} (${c.note})` : WORDS[c.status] || c.status;
}

function Decide({ api, row, onDone }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const decide = async (outcome) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/orders/${encodeURIComponent(row.doc_id)}/cancellation/decision`, { outcome, note });
      onDone(outcome);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="fs-decide">
      <input aria-label={`note for cancelling ${row.doc_id}`} placeholder="note (needed to decline)" value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="button" className="fs-ok" disabled={busy} onClick={() => decide('approved')} aria-label={`approve cancelling ${row.doc_id}`}>Cancel the order</button>
      <button type="button" className="fs-danger" disabled={busy} onClick={() => decide('declined')} aria-label={`decline cancelling ${row.doc_id}`}>Decline</button>
      <Message error={error} />
    </div>
  );
}

export default function Cancellations({ api }) {
  const [status, setStatus] = useState('requested');
  const [page, setPage] = useState(1);
  const [ok, setOk] = useState('');
  const state = useLoad(() => api.get('/api/v1/orders', { cancellation: status, page, page_size: 20 }), [status, page]);
  const done = (outcome) => {
    setOk(outcome === 'approved' ? 'Order cancelled; the ERP is told on the next run.' : 'Cancellation declined; the engineer sees your note on the next sync.');
    state.reload();
  };
  const columns = [
    { key: 'doc_id', title: 'Order' },
    { key: 'owner', title: 'Engineer' },
    { key: 'customer_id', title: 'Customer' },
    { key: 'grand_total', title: 'Total', kind: 'money' },
    { key: 'erp_number', title: 'ERP number' },
    { key: 'reason', title: 'Reason', render: (r) => r.cancellation && r.cancellation.reason },
    { key: 'state', title: 'Cancellation', render: (r) => <span data-testid="cancellation-state">{cancellationText(r.cancellation)}</span> },
    { key: 'erp', title: 'In the ERP', render: (r) => (r.cancellation && r.cancellation.erp_status) || '' },
    { key: 'act', title: 'Decision', render: (r) => (status === 'requested' ? <Decide api={api} row={r} onDone={done} /> : (r.cancellation && r.cancellation.decided_by) || '') },
  ];
  return (
    <Section title="Order cancellations" actions={
      <select aria-label="cancellation status" value={status} onChange={(e) => { setPage(1); setStatus(e.target.value); }}>
        {STATES.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
      </select>}>
      <Message ok={ok} />
      <Loading state={state}>
        {state.data ? <Table label="order cancellations" columns={columns} rows={state.data.items} rowKey={(r) => r.doc_id} empty="No orders here." /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
    </Section>
  );
}
