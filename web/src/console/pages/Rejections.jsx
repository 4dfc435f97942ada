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

// The label, less its last part when the text already starts by naming that field
// ("Lines, product 1" + "Quantity must be more than 0").
function place(label, text) {
  const parts = (label || '').split(': ').filter(Boolean);
  return parts.length && text.startsWith(parts[parts.length - 1]) ? parts.slice(0, -1).join(': ') : parts.join(': ');
}

// What is wrong in the words the engineer reads (the field's label and the catalogue's text);
// the rule's own wording stays a detail line for whoever has to look deeper.
function Problems({ row }) {
  const problems = row.problems || [];
  if (!problems.length) return <p className="fs-problem-text">{row.reason}</p>;
  return (
    <div className="fs-cell fs-problems-cell">
      <ul className="fs-problems">
        {problems.map((p, i) => (
          <li key={i} data-testid="problem">{place(p.label, p.text) ? <strong>{place(p.label, p.text)}: </strong> : null}{p.text}</li>
        ))}
      </ul>
      <p className="fs-muted fs-detail" data-testid="technical-reason">Technical reason: {row.reason}</p>
    </div>
  );
}

function Document({ row }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="fs-cell">
      <button type="button" className="fs-link" onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'} document</button>
      {open ? <pre className="fs-json">{JSON.stringify(row.body, null, 2)}</pre> : null}
    </div>
  );
}

const COLUMNS = [
  { key: 'doc_id', title: 'Document' },
  { key: 'doc_type', title: 'Type' },
  { key: 'owner', title: 'Engineer' },
  { key: 'device_id', title: 'Device' },
  { key: 'source', title: 'Refused', render: (r) => SOURCES[r.source] || r.source },
  { key: 'problems', title: 'What is wrong', render: (r) => <Problems row={r} /> },
  { key: 'body', title: 'As sent', render: (r) => <Document row={r} /> },
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
