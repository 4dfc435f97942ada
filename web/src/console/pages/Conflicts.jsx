// The conflict queue: business differences side by side, resolved by keeping a side or per field.
import { useState } from 'react';
import { href } from '../routes.js';
import { Filters, Loading, Message, Pager, Section, Table, when, useLoad } from '../ui.jsx';

const FIELDS = [
  { name: 'status', label: 'Status', options: [['open', 'open'], ['resolved', 'resolved'], ['all', 'all']] },
  { name: 'doc_type', label: 'Document type', options: [['', 'any type'], ...['offer', 'order', 'lead', 'visit', 'expense', 'todo', 'approval'].map((t) => [t, t])] },
  { name: 'owner', label: 'Engineer' },
];

function Queue({ api }) {
  const [filters, setFilters] = useState({ status: 'open' });
  const [page, setPage] = useState(1);
  const params = { ...filters, page, page_size: 25 };
  const state = useLoad(() => api.get('/api/v1/conflicts', params), [JSON.stringify(params)]);
  const columns = [
    { key: 'doc_id', title: 'Document', render: (r) => <a href={href('conflicts', r.id)}>{r.doc_id}</a> },
    { key: 'doc_type', title: 'Type' },
    { key: 'owner', title: 'Engineer' },
    { key: 'summary', title: 'What differs' },
    { key: 'status', title: 'Status' },
    { key: 'opened_at', title: 'Opened', kind: 'datetime' },
  ];
  return (
    <>
      <Filters fields={FIELDS} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} />
      <Section title="Conflict queue">
        <Loading state={state}>
          {state.data ? <Table label="conflicts" columns={columns} rows={state.data.items} rowKey={(r) => r.id} empty="No conflicts here." /> : null}
          <Pager page={state.data} onPage={setPage} />
        </Loading>
      </Section>
    </>
  );
}

function Edit({ edit }) {
  if (!edit) return <span className="fs-muted">unchanged</span>;
  const where = edit.loc && edit.loc.lat !== undefined ? ` at ${Number(edit.loc.lat).toFixed(4)}, ${Number(edit.loc.lon).toFixed(4)}` : '';
  return <span className="fs-muted fs-small">{edit.changed_by} on {edit.device || 'a device'}, {when(edit.changed_at)}{where}</span>;
}

function Differences({ conflict, picks, onPick, canResolve }) {
  return (
    <div className="fs-table-wrap">
      <table className="fs-table fs-diff" aria-label="differences">
        <thead><tr><th>Field</th><th>Before</th><th>This version (winner)</th><th>Other device</th></tr></thead>
        <tbody>
          {conflict.differences.map((d) => (
            <tr key={d.field + d.theirs_rev} data-field={d.field}>
              <th scope="row" data-label="Field">{d.label || d.field}</th>
              <td data-label="Before">{d.ancestor_known ? (d.ancestor ?? '—') : <span className="fs-muted">unknown</span>}</td>
              {[['ours', d.ours, d.ours_edit], [d.theirs_rev, d.theirs, d.theirs_edit]].map(([rev, value, edit], i) => (
                <td key={rev} data-label={i ? 'Other device' : 'This version'} className={picks[d.field] === rev ? 'fs-picked' : ''}>
                  <label className="fs-pick">
                    {canResolve ? <input type="radio" name={`pick-${d.field}`} checked={picks[d.field] === rev} onChange={() => onPick(d.field, rev)} aria-label={`${d.label || d.field}: ${value ?? 'empty'}`} /> : null}
                    <strong>{value ?? '—'}</strong>
                  </label>
                  <Edit edit={edit} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Resolutions({ items }) {
  if (!items || !items.length) return null;
  return (
    <Section title="Resolution">
      <ul>{items.map((r) => <li key={r.resolved_at}>{r.summary || r.method} — {r.resolved_by}, {when(r.resolved_at)}</li>)}</ul>
    </Section>
  );
}

function Detail({ api, id, principal }) {
  const state = useLoad(() => api.get(`/api/v1/conflicts/${id}`), [id]);
  const [picks, setPicks] = useState({});
  const [result, setResult] = useState({ error: null, ok: '' });
  const canResolve = principal.role === 'admin' && state.data && state.data.status === 'open';
  const resolve = async (body) => {
    setResult({ error: null, ok: '' });
    try {
      await api.post(`/api/v1/conflicts/${id}/resolve`, body);
      setResult({ error: null, ok: 'Resolved: the merged version is in the store and reaches both devices on their next sync.' });
      state.reload();
    } catch (error) {
      setResult({ error, ok: '' });
    }
  };
  const c = state.data;
  return (
    <Loading state={state}>
      {c ? (
        <>
          <p><a href={href('conflicts')}>← Conflict queue</a></p>
          <Section title={`${c.doc_type} ${c.doc_id}`}>
            <p>{c.summary}</p>
            <p className="fs-muted">Engineer {c.owner} · status <strong data-testid="conflict-status">{c.status}</strong> · opened {when(c.opened_at)}</p>
            <Differences conflict={c} picks={picks} canResolve={canResolve} onPick={(f, rev) => setPicks({ ...picks, [f]: rev })} />
            <Message error={result.error} ok={result.ok} />
            {canResolve ? (
              <div className="fs-actions fs-resolve">
                <button type="button" className="fs-ok" disabled={Object.keys(picks).length < c.differences.length}
                  onClick={() => resolve({ method: 'pick', picks })}>Merge the picked values</button>
                {c.sides.map((s) => (
                  <button type="button" key={s.rev} onClick={() => resolve({ method: 'keep', rev: s.rev })}>
                    {s.winner ? 'Keep this version whole' : "Keep the other device's version whole"}{s.device ? ` (${s.device})` : ''}
                  </button>
                ))}
              </div>
            ) : null}
            {principal.role !== 'admin' && c.status === 'open' ? <p className="fs-muted">An admin resolves conflicts.</p> : null}
          </Section>
          <Resolutions items={c.resolutions} />
        </>
      ) : null}
    </Loading>
  );
}

export default function Conflicts({ api, principal, route }) {
  return route.rest[0] ? <Detail api={api} id={route.rest[0]} principal={principal} /> : <Queue api={api} />;
}
