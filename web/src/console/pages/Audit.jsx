// The audit trail (admins): who changed what, when and from where, with before/after,
// filtered and exported; "Verify chain" checks the hash chain on the server.
import { useState } from 'react';
import { ExportButtons, Filters, Loading, Message, Pager, Section, Table, useLoad } from '../ui.jsx';

const ENTITIES = ['customer', 'product', 'price_list', 'territory', 'import', 'user', 'team', 'target',
  'offer', 'expense', 'lead', 'travel_rate', 'conflict', 'order'];

const FIELDS = [
  { name: 'actor', label: 'Who' },
  { name: 'action', label: 'Action' },
  { name: 'entity_type', label: 'Entity', options: [['', 'any entity'], ...ENTITIES.map((e) => [e, e])] },
  { name: 'entity_id', label: 'Entity id' },
  { name: 'from', label: 'From', type: 'date' },
  { name: 'to', label: 'To', type: 'date' },
];

function Change({ value }) {
  if (value === null || value === undefined) return <span className="fs-muted">—</span>;
  return <pre className="fs-json">{JSON.stringify(value, null, 1)}</pre>;
}

const COLUMNS = [
  { key: 'seq', title: 'No.' },
  { key: 'at', title: 'When', kind: 'datetime' },
  { key: 'actor', title: 'Who', render: (r) => (r.actor_role ? `${r.actor} (${r.actor_role})` : r.actor) },
  { key: 'address', title: 'From', render: (r) => [r.address, r.device_id].filter(Boolean).join(' · ') || '—' },
  { key: 'action', title: 'Action' },
  { key: 'entity_id', title: 'Entity', render: (r) => `${r.entity_type} ${r.entity_id}` },
  { key: 'before', title: 'Before', render: (r) => <Change value={r.before} /> },
  { key: 'after', title: 'After', render: (r) => <Change value={r.after} /> },
];

function ChainCheck({ api }) {
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const check = () => { setError(null); api.get('/api/v1/audit/verify').then(setResult, setError); };
  return (
    <>
      <button type="button" onClick={check}>Verify chain</button>
      <Message error={error} />
      {result ? (
        <p className={`fs-msg ${result.intact ? 'fs-msg-ok' : 'fs-msg-error'}`} role="status">
          {result.intact ? `Chain intact: ${result.rows} rows.` : `Chain broken at row ${result.broken_at}: ${result.problem}`}
        </p>
      ) : null}
    </>
  );
}

export default function Audit({ api }) {
  const [filters, setFilters] = useState({});
  const [page, setPage] = useState(1);
  const [error, setError] = useState(null);
  const wanted = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  const params = { ...wanted, page, page_size: 25 };
  const state = useLoad(() => api.get('/api/v1/audit', params), [JSON.stringify(params)]);
  return (
    <>
      <Filters fields={FIELDS} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} />
      <Message error={error} />
      <Section title="Audit trail" actions={<><ExportButtons api={api} path="/api/v1/audit/export" params={wanted} onError={setError} /><ChainCheck api={api} /></>}>
        <Loading state={state}>
          {state.data ? <Table label="audit trail" columns={COLUMNS} rows={state.data.items} rowKey={(r) => r.seq} empty="No recorded changes match." /> : null}
          <Pager page={state.data} onPage={setPage} />
        </Loading>
      </Section>
    </>
  );
}
