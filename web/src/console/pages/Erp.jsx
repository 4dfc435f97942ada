// Orders on their way to the ERP: health, the outbox, dead letters and retries.
import { useState } from 'react';
import { Loading, Message, Section, Table, money, useLoad } from '../ui.jsx';

// Only these can be sent again; the server refuses the others.
const RETRYABLE = ['failed', 'not_sent'];
const STATUSES = [['', 'any status'], ['queued', 'queued'], ['sent', 'sent'], ['accepted', 'accepted'], ['failed', 'failed'], ['not_sent', 'not sent']];

function Health({ api }) {
  const state = useLoad(() => api.get('/api/v1/erp/health'), []);
  const columns = ['erp_kind', 'queued', 'sent', 'accepted', 'failed', 'not_sent'].map((k) => ({ key: k, title: k.replace('_', ' ') }))
    .concat([{ key: 'oldest_waiting_s', title: 'oldest waiting', render: (r) => (r.oldest_waiting_s == null ? '' : `${Math.round(r.oldest_waiting_s)} s`) },
      { key: 'last_error', title: 'last error' }]);
  return (
    <Section title="ERP health" actions={<button type="button" onClick={state.reload}>Refresh</button>}>
      <Loading state={state}>{state.data ? <Table label="erp health" columns={columns} rows={state.data} empty="No orders sent yet." /> : null}</Loading>
    </Section>
  );
}

function rowColumns(retry) {
  return [
    { key: 'order_id', title: 'Order' },
    { key: 'owner', title: 'Engineer' },
    { key: 'customer_id', title: 'Customer' },
    { key: 'grand_total', title: 'Total', kind: 'money', render: (r) => money(r.grand_total) },
    { key: 'status', title: 'Status' },
    { key: 'attempts', title: 'Attempts' },
    { key: 'erp_number', title: 'ERP number' },
    { key: 'last_error', title: 'Last error', render: (r) => r.reason || r.last_error },
    { key: 'retry', title: '', render: (r) => (RETRYABLE.includes(r.status) ? <button type="button" onClick={() => retry(r.order_id)} aria-label={`retry ${r.order_id}`}>Retry</button> : null) },
  ];
}

export default function Erp({ api }) {
  const [status, setStatus] = useState('');
  const [msg, setMsg] = useState({ error: null, ok: '' });
  const outbox = useLoad(() => api.get('/api/v1/erp/outbox', { status, limit: 100 }), [status]);
  const dead = useLoad(() => api.get('/api/v1/erp/dead-letters', { limit: 100 }), []);
  const act = async (run, ok) => {
    try {
      const answer = await run();
      setMsg({ error: null, ok: ok(answer) });
      outbox.reload();
      dead.reload();
    } catch (error) {
      setMsg({ error, ok: '' });
    }
  };
  const retry = (id) => act(() => api.post(`/api/v1/erp/outbox/${encodeURIComponent(id)}/retry`), () => `Order ${id} is queued to be sent again.`);
  const retryAll = () => act(() => api.post('/api/v1/erp/dead-letters/retry'), (a) => `${a.requeued} dead letter(s) queued to be sent again.`);
  return (
    <>
      <Message error={msg.error} ok={msg.ok} />
      <Health api={api} />
      <Section title="Dead letters" actions={<button type="button" onClick={retryAll} disabled={!dead.data || !dead.data.length}>Retry all</button>}>
        <Loading state={dead}>{dead.data ? <Table label="dead letters" columns={rowColumns(retry)} rows={dead.data} rowKey={(r) => r.order_id} empty="No dead letters." /> : null}</Loading>
      </Section>
      <Section title="Outbox" actions={
        <select aria-label="outbox status" value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>}>
        <Loading state={outbox}>{outbox.data ? <Table label="outbox" columns={rowColumns(retry)} rows={outbox.data} rowKey={(r) => r.order_id} empty="The outbox is empty." /> : null}</Loading>
      </Section>
    </>
  );
}
