// Shared console building blocks: data loading, tables, filters, pagination, messages.
import { useCallback, useEffect, useState } from 'react';
import { describeErrors } from './api.js';
import { money } from './money.js';

export { money, sumMoney } from './money.js';

// Runs `load` on mount and when deps change; `reload` runs it again.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

// HTTP's own reason phrases say nothing to a person; the field problems do.
const BARE = /^(Unprocessable Entity|Bad Request|\d{3} .*)$/;

export function errorText(error) {
  if (!error) return '';
  const detail = describeErrors(error.errors);
  if (detail && BARE.test(error.message || '')) return `Please check: ${detail}`;
  return detail ? `${error.message} (${detail})` : error.message || String(error);
}

export function Message({ error, ok }) {
  if (error) return <p className="fs-msg fs-msg-error" role="alert">{errorText(error)}</p>;
  if (ok) return <p className="fs-msg fs-msg-ok" role="status">{ok}</p>;
  return null;
}

export function Loading({ state, children }) {
  if (state.error) return <Message error={state.error} />;
  if (state.loading && !state.data) return <p className="fs-muted">Loading…</p>;
  return children;
}

export function when(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

export function cell(value, kind) {
  if (value === null || value === undefined) return '';
  if (kind === 'money') return money(value);
  if (kind === 'datetime') return when(value);
  if (kind === 'pct' || kind === 'percent') return `${value}%`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// columns: [{key, title, kind?, render?(row)}]
export function Table({ columns, rows, empty = 'Nothing to show.', rowKey, label }) {
  if (!rows || !rows.length) return <p className="fs-muted fs-empty">{empty}</p>;
  return (
    <div className="fs-table-wrap">
      <table className="fs-table" aria-label={label}>
        <thead><tr>{columns.map((c) => <th key={c.key} className={c.kind === 'money' ? 'num' : ''}>{c.title}</th>)}</tr></thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey ? rowKey(row) : i}>
              {columns.map((c) => (
                <td key={c.key} data-label={c.title} className={c.kind === 'money' || c.kind === 'number' ? 'num' : ''}>
                  {c.render ? c.render(row) : cell(row[c.key], c.kind)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ page, onPage }) {
  if (!page || page.total <= page.page_size) return null;
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  return (
    <nav className="fs-pager" aria-label="pages">
      <button type="button" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>Previous</button>
      <span>Page {page.page} of {pages} ({page.total})</span>
      <button type="button" disabled={page.page >= pages} onClick={() => onPage(page.page + 1)}>Next</button>
    </nav>
  );
}

// fields: [{name, label, type?, options?}]; values and onChange hold the filter state.
export function Filters({ fields, values, onChange, children }) {
  return (
    <form className="fs-filters" onSubmit={(e) => e.preventDefault()}>
      {fields.map((f) => (
        <label key={f.name}>
          <span>{f.label}</span>
          {f.options ? (
            <select name={f.name} value={values[f.name] ?? ''} onChange={(e) => onChange({ ...values, [f.name]: e.target.value })}>
              {f.options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
            </select>
          ) : (
            <input name={f.name} type={f.type || 'text'} value={values[f.name] ?? ''}
              onChange={(e) => onChange({ ...values, [f.name]: e.target.value })} />
          )}
        </label>
      ))}
      {children}
    </form>
  );
}

export function Section({ title, actions, children }) {
  return (
    <section className="fs-card">
      <header className="fs-card-head"><h2>{title}</h2>{actions ? <div className="fs-actions">{actions}</div> : null}</header>
      {children}
    </section>
  );
}

export function ExportButtons({ api, path, params, onError }) {
  const run = (format) => api.download(path, { ...params, format }).catch(onError);
  return (
    <>
      <button type="button" onClick={() => run('csv')}>Export CSV</button>
      <button type="button" onClick={() => run('xlsx')}>Export XLSX</button>
    </>
  );
}

export function isoDay(date) {
  const d = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 10);
}

export function defaultRange(days = 30) {
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86400000);
  return { date_from: isoDay(from), date_to: isoDay(to) };
}
