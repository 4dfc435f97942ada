// Any report as a table with filters and CSV/XLSX export; logins is the default.
import { useState } from 'react';
import { hrefWith } from '../routes.js';
import { ExportButtons, Loading, Message, Section, Table, defaultRange, useLoad } from '../ui.jsx';
import ReportFilters from './reportFilters.jsx';

const NAMES = ['logins', 'sales_performance', 'order_history', 'lead_funnel', 'visits', 'verifications', 'travel', 'integrity', 'conflicts'];

function Summary({ summary }) {
  const items = Object.entries(summary || {}).filter(([, v]) => v !== null && typeof v !== 'object');
  if (!items.length) return null;
  return <dl className="fs-kpis">{items.map(([k, v]) => <div key={k}><dt>{k.replace(/_/g, ' ')}</dt><dd>{String(v)}</dd></div>)}</dl>;
}

export default function Reports({ api, route }) {
  const name = NAMES.includes(route.params.name) ? route.params.name : 'logins';
  const [filters, setFilters] = useState(defaultRange(30));
  const [error, setError] = useState(null);
  const path = `/api/v1/reports/${name}`;
  const state = useLoad(() => api.get(path, filters), [path, JSON.stringify(filters)]);
  const data = state.data;
  return (
    <>
      <nav className="fs-tabs" aria-label="reports">
        {NAMES.map((n) => <a key={n} href={hrefWith('reports', { name: n })} className={n === name ? 'fs-active' : ''}>{n.replace(/_/g, ' ')}</a>)}
      </nav>
      <ReportFilters values={filters} onChange={setFilters} />
      <Message error={error} />
      <Section title={(data && data.title) || name} actions={<ExportButtons api={api} path={path} params={filters} onError={setError} />}>
        <Loading state={state}>
          {data ? <><Summary summary={data.summary} /><Table label={name} columns={data.columns} rows={data.rows} empty="Nothing in this period." /></> : null}
        </Loading>
      </Section>
    </>
  );
}
