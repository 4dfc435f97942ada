// Charts of the reports: sales against targets, the lead funnel and orders per day.
import { useState } from 'react';
import { Columns, Funnel, TargetBars } from '../charts.jsx';
import { ExportButtons, Loading, Message, Section, defaultRange, money, sumMoney, useLoad } from '../ui.jsx';
import ReportFilters from './reportFilters.jsx';

const REPORT = '/api/v1/reports/';

function ordersPerDay(rows, range) {
  const counts = new Map();
  for (const row of rows) {
    const day = String(row.created_at || '').slice(0, 10);
    counts.set(day, (counts.get(day) || 0) + 1);
  }
  const points = [];
  const end = new Date(`${range.date_to}T00:00:00Z`);
  for (let d = new Date(`${range.date_from}T00:00:00Z`); d <= end && points.length < 400; d = new Date(d.getTime() + 86400000)) {
    const day = d.toISOString().slice(0, 10);
    points.push({ label: day, value: counts.get(day) || 0 });
  }
  return points;
}

function Totals({ summary }) {
  if (!summary) return null;
  const items = Object.entries(summary).filter(([, v]) => v !== null && typeof v !== 'object');
  return (
    <dl className="fs-kpis">
      {items.slice(0, 6).map(([k, v]) => (
        <div key={k}><dt>{k.replace(/_/g, ' ')}</dt><dd>{/value|total/.test(k) ? money(v) : String(v)}</dd></div>
      ))}
    </dl>
  );
}

function Sales({ api, filters, onError }) {
  const state = useLoad(() => api.get(REPORT + 'sales_performance', filters), [JSON.stringify(filters)]);
  const rows = (state.data && state.data.rows) || [];
  return (
    <Section title="Sales performance against targets" actions={<ExportButtons api={api} path={REPORT + 'sales_performance'} params={filters} onError={onError} />}>
      <Loading state={state}>
        <Totals summary={state.data && state.data.summary} />
        {rows.length
          ? <TargetBars title="Order value by engineer" rows={rows.map((r) => ({ label: r.engineer, value: r.order_value, target: r.target_value }))} valueLabel="order value" />
          : <p className="fs-muted">No sales in this period.</p>}
      </Loading>
    </Section>
  );
}

function LeadFunnel({ api, filters, onError }) {
  const state = useLoad(() => api.get(REPORT + 'lead_funnel', filters), [JSON.stringify(filters)]);
  const rows = ((state.data && state.data.rows) || []).filter((r) => r.section === 'stage' && r.stage !== 'lost');
  return (
    <Section title="Lead funnel" actions={<ExportButtons api={api} path={REPORT + 'lead_funnel'} params={filters} onError={onError} />}>
      <Loading state={state}>
        {rows.length
          ? <Funnel title="Leads that reached each stage" stages={rows.map((r) => ({ label: r.stage, count: r.reached ?? r.leads ?? 0, value: r.value }))} />
          : <p className="fs-muted">No leads in this period.</p>}
      </Loading>
    </Section>
  );
}

function OrdersChart({ api, filters, onError }) {
  const state = useLoad(() => api.get(REPORT + 'order_history', { ...filters, limit: 1000 }), [JSON.stringify(filters)]);
  const rows = (state.data && state.data.rows) || [];
  return (
    <Section title="Orders per day" actions={<ExportButtons api={api} path={REPORT + 'order_history'} params={filters} onError={onError} />}>
      <Loading state={state}>
        <p className="fs-muted">{rows.length} orders, {money(sumMoney(rows.map((r) => r.grand_total)))} in total.</p>
        <Columns title="Orders per day" points={ordersPerDay(rows, filters)} />
      </Loading>
    </Section>
  );
}

export default function Dashboard({ api }) {
  const [filters, setFilters] = useState(defaultRange(30));
  const [error, setError] = useState(null);
  return (
    <div className="fs-dashboard">
      <ReportFilters values={filters} onChange={setFilters} />
      <Message error={error} />
      <div className="fs-grid">
        <Sales api={api} filters={filters} onError={setError} />
        <LeadFunnel api={api} filters={filters} onError={setError} />
        <OrdersChart api={api} filters={filters} onError={setError} />
      </div>
    </div>
  );
}
