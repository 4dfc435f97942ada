// Leads with filters by engineer, stage and customer.
import { useState } from 'react';
import { LEAD_STAGES } from 'fieldsync-phone-data/vocabulary.js';
import { Filters, Loading, Pager, Section, Table, money, useLoad } from '../ui.jsx';

const STAGES = ['', ...LEAD_STAGES];
const FIELDS = [
  { name: 'owner', label: 'Engineer' },
  { name: 'stage', label: 'Stage', options: STAGES.map((s) => [s, s ? s.replace('_', ' ') : 'any stage']) },
  { name: 'customer_id', label: 'Customer id' },
  { name: 'sort', label: 'Sort', options: [['-updated_at', 'recently changed'], ['-created_at', 'newest'], ['stage', 'stage'], ['owner', 'engineer']] },
];
const COLUMNS = [
  { key: 'title', title: 'Lead' },
  { key: 'owner', title: 'Engineer' },
  { key: 'stage', title: 'Stage' },
  { key: 'customer', title: 'Customer', render: (r) => r.customer_id || (r.prospect_name ?? '') },
  { key: 'expected_value', title: 'Expected value', kind: 'money', render: (r) => money(r.expected_value) },
  { key: 'lost_reason', title: 'Lost reason' },
  { key: 'updated_at', title: 'Updated', kind: 'datetime' },
];

export default function Leads({ api }) {
  const [filters, setFilters] = useState({ sort: '-updated_at' });
  const [page, setPage] = useState(1);
  const params = { ...filters, page, page_size: 50 };
  const state = useLoad(() => api.get('/api/v1/leads', params), [JSON.stringify(params)]);
  return (
    <>
      <Filters fields={FIELDS} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} />
      <Section title="Leads">
        <Loading state={state}>
          {state.data ? <Table label="leads" columns={COLUMNS} rows={state.data.items} rowKey={(r) => r.doc_id} empty="No leads match these filters." /> : null}
          <Pager page={state.data} onPage={setPage} />
        </Loading>
      </Section>
    </>
  );
}
