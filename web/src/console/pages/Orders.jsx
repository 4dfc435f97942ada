// Order history with filters and CSV/XLSX export (the order_history report).
import { useState } from 'react';
import { ExportButtons, Loading, Message, Pager, Section, Table, defaultRange, useLoad } from '../ui.jsx';
import ReportFilters from './reportFilters.jsx';
import Cancellations from './Cancellations.jsx';
import SignedOffers from './SignedOffers.jsx';
import OrderDetail from './OrderDetail.jsx';
import { href } from '../routes.js';

const PATH = '/api/v1/reports/order_history';
const PAGE_SIZE = 50;
const STATUS = [['', 'any ERP status'], ['queued', 'queued'], ['sent', 'sent'], ['accepted', 'accepted'], ['failed', 'failed'], ['not_sent', 'not sent']];

// The order's id opens its details.
const linked = (columns) => columns.map((c) => (c.key === 'order_id'
  ? { ...c, render: (r) => <a href={href('orders', r.order_id)}>{r.order_id}</a> } : c));

export default function Orders({ api, route }) {
  if (route && route.rest && route.rest[0]) return <OrderDetail api={api} id={route.rest[0]} />;
  return <OrderList api={api} />;
}

function OrderList({ api }) {
  const [filters, setFilters] = useState({ ...defaultRange(90), status: '' });
  const [page, setPage] = useState(1);
  const [error, setError] = useState(null);
  const params = { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
  const state = useLoad(() => api.get(PATH, params), [JSON.stringify(params)]);
  const data = state.data;
  const total = data && data.summary && Number(data.summary.orders ?? data.summary.total ?? data.rows.length);
  const change = (values) => { setPage(1); setFilters(values); };
  return (
    <>
      <Cancellations api={api} />
      <SignedOffers api={api} />
      <ReportFilters values={filters} onChange={change}>
        <label><span>ERP status</span>
          <select name="status" value={filters.status} onChange={(e) => change({ ...filters, status: e.target.value })}>
            {STATUS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
          </select>
        </label>
      </ReportFilters>
      <Message error={error} />
      <Section title="Orders" actions={<ExportButtons api={api} path={PATH} params={filters} onError={setError} />}>
        <Loading state={state}>
          {data ? <Table label="orders" columns={linked(data.columns)} rows={data.rows} rowKey={(r) => r.order_id} empty="No orders match these filters." /> : null}
          {data && Number.isFinite(total) ? <Pager page={{ page, page_size: PAGE_SIZE, total }} onPage={setPage} /> : null}
        </Loading>
      </Section>
    </>
  );
}
