// Customers, products and price lists, with CSV/XLSX import (all rows or none).
import { useEffect, useRef, useState } from 'react';
import { describeErrors } from '../api.js';
import { Filters, Loading, Message, Pager, Section, Table, useLoad } from '../ui.jsx';

// An upload answers with a job that the server runs on its own; the page polls it.
const POLL_MS = 500;
const FINISHED = ['done', 'failed'];
const count = (n) => Number(n || 0).toLocaleString('en-IN');
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function progressText(job, kind) {
  if (job.status === 'queued') return `Waiting to read the ${kind} file…`;
  const of = job.rows_total === null || job.rows_total === undefined ? '' : ` of ${count(job.rows_total)}`;
  return `${job.status === 'saving' ? 'Saving' : 'Checking'} ${kind}: ${count(job.rows_read)}${of} rows`;
}

function ImportProgress({ job, kind }) {
  if (!job) return null;
  const known = job.rows_total !== null && job.rows_total !== undefined && job.rows_total > 0;
  return (
    <p className="fs-muted fs-import-progress" role="status" aria-live="polite">
      {progressText(job, kind)}{' '}
      {known ? <progress max={job.rows_total} value={job.rows_read} aria-label={`${kind} import progress`} /> : null}
    </p>
  );
}

function Import({ api, kind, onImported }) {
  const [file, setFile] = useState(null);
  const [msg, setMsg] = useState({ error: null, ok: '', rows: [] });
  const [job, setJob] = useState(null);
  const mounted = useRef(true);
  useEffect(() => { mounted.current = true; return () => { mounted.current = false; }; }, []);

  const follow = async (queued) => {
    let current = queued;
    while (mounted.current && !FINISHED.includes(current.status)) {
      setJob(current);
      await sleep(POLL_MS);
      current = await api.get(`/api/v1/imports/jobs/${encodeURIComponent(current.id)}`);
    }
    return current;
  };

  const send = async (e) => {
    e.preventDefault();
    if (!file) {
      setMsg({ error: { message: 'Choose a CSV or XLSX file first.' }, ok: '', rows: [] });
      return;
    }
    const form = new FormData();
    form.append('file', file);
    setMsg({ error: null, ok: '', rows: [] });
    try {
      const finished = await follow(await api.upload(`/api/v1/imports/${kind}`, form));
      if (!mounted.current) return;
      setJob(null);
      if (finished.status === 'done') {
        setMsg({ error: null, ok: `Imported ${count(finished.imported)} ${kind}.`, rows: [] });
        onImported();
      } else {
        setMsg({ error: { message: finished.message }, ok: '', rows: finished.errors || [] });
      }
    } catch (error) {
      if (!mounted.current) return;
      setJob(null);
      setMsg({ error: { message: error.message }, ok: '', rows: [] });
    }
  };
  return (
    <form className="fs-form fs-import" onSubmit={send} aria-label={`import ${kind}`}>
      <label><span>Import {kind} (CSV or XLSX)</span>
        <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.target.files[0] || null)} />
      </label>
      <button type="submit" disabled={Boolean(job)}>Import</button>
      <ImportProgress job={job} kind={kind} />
      <Message error={msg.error} ok={msg.ok} />
      {msg.rows.length ? (
        <ul className="fs-problems" aria-label="rows with problems">
          {msg.rows.map((r, i) => <li key={`${r.row}-${i}`}>Row {r.row} ({r.key}): {describeErrors(r.errors)}</li>)}
        </ul>
      ) : null}
    </form>
  );
}

function Listing({ api, path, title, columns, rowKey, kind, filters: fields = [], admin }) {
  const [filters, setFilters] = useState({});
  const [page, setPage] = useState(1);
  const params = { ...filters, page, page_size: 50 };
  const state = useLoad(() => api.get(path, params), [path, JSON.stringify(params)]);
  return (
    <Section title={title}>
      {fields.length ? <Filters fields={fields} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} /> : null}
      <Loading state={state}>
        {state.data ? <Table label={title.toLowerCase()} columns={columns} rows={state.data.items} rowKey={rowKey} /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
      {kind && admin ? <Import api={api} kind={kind} onImported={state.reload} /> : null}
    </Section>
  );
}

const SEARCH = [{ name: 'q', label: 'Name contains' }];

export default function MasterData({ api, principal }) {
  const admin = principal.role === 'admin';
  return (
    <>
      <Listing api={api} admin={admin} kind="customers" path="/api/v1/customers" title="Customers" rowKey={(r) => r.customer_id}
        filters={[...SEARCH, { name: 'territory_code', label: 'Territory' }]}
        columns={[{ key: 'customer_id', title: 'Id' }, { key: 'name', title: 'Name' }, { key: 'gstin', title: 'GSTIN' },
          { key: 'state_code', title: 'State' }, { key: 'city', title: 'City' }, { key: 'territory_code', title: 'Territory' },
          { key: 'active', title: 'Active' }]} />
      <Listing api={api} admin={admin} kind="products" path="/api/v1/products" title="Products" rowKey={(r) => r.product_id}
        filters={SEARCH}
        columns={[{ key: 'product_id', title: 'Id' }, { key: 'name', title: 'Name' }, { key: 'hsn_code', title: 'HSN' },
          { key: 'gst_rate', title: 'GST', kind: 'pct' }, { key: 'unit', title: 'Unit' }, { key: 'active', title: 'Active' }]} />
      <Listing api={api} admin={admin} path="/api/v1/price-lists" title="Price lists" rowKey={(r) => r.price_list_id}
        columns={[{ key: 'price_list_id', title: 'Id' }, { key: 'name', title: 'Name' }, { key: 'valid_from', title: 'From' },
          { key: 'valid_to', title: 'To' }, { key: 'items', title: 'Products', render: (r) => Object.keys(r.items || {}).length },
          { key: 'active', title: 'Active' }]} />
    </>
  );
}
