// Documents the server refused, with the reason the engineer must act on and the body as sent.
import { useState } from 'react';
import { PHONE_TYPES } from 'fieldsync-phone-data/vocabulary.js';
import { Filters, Loading, Pager, Section, Table, useLoad } from '../ui.jsx';

const FIELDS = [
  { name: 'owner', label: 'Engineer' },
  { name: 'doc_type', label: 'Document type', options: [['', 'any type'], ...PHONE_TYPES.map((t) => [t, t])] },
  { name: 'source', label: 'Refused', options: [['', 'anywhere'], ['gateway', 'at sync'], ['worker', 'after sync'], ['frozen', 'archived, undone']] },
];

// A gateway refusal never reached the server's store: it lives on the phone until fixed or deleted.
const SOURCES = { gateway: 'At sync (only on the phone)', worker: 'After sync',
  frozen: 'Change of an archived document, undone' };

function Problems({ row }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <ul className="fs-problems">
        {(row.errors || []).map((e, i) => <li key={i}>{e.field || e.path ? <code>{e.field || e.path}</code> : null} {e.message || JSON.stringify(e)}</li>)}
      </ul>
      <button type="button" className="fs-link" onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'} document</button>
      {open ? <pre className="fs-json">{JSON.stringify(row.body, null, 2)}</pre> : null}
    </>
  );
}

const COLUMNS = [
  { key: 'doc_id', title: 'Document' },
  { key: 'doc_type', title: 'Type' },
  { key: 'owner', title: 'Engineer' },
  { key: 'device_id', title: 'Device' },
  { key: 'source', title: 'Refused', render: (r) => SOURCES[r.source] || r.source },
  { key: 'reason', title: 'Reason' },
  { key: 'errors', title: 'Problems', render: (r) => <Problems row={r} /> },
  { key: 'rejected_at', title: 'Rejected', kind: 'datetime' },
];

export default function Rejections({ api }) {
  const [filters, setFilters] = useState({});
  const [page, setPage] = useState(1);
  const params = { ...filters, page, page_size: 25 };
  const state = useLoad(() => api.get('/api/v1/rejections', params), [JSON.stringify(params)]);
  return (
    <>
      <Filters fields={FIELDS} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} />
      <Section title="Rejected documents">
        <Loading state={state}>
          {state.data ? <Table label="rejected documents" columns={COLUMNS} rows={state.data.items} rowKey={(r) => r.db_name + r.doc_id} empty="No rejected documents." /> : null}
          <Pager page={state.data} onPage={setPage} />
        </Loading>
      </Section>
    </>
  );
}
