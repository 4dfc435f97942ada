// Users, teams and territories: heads read their team, admins add and change.
import { useState } from 'react';
import { Filters, Loading, Message, Pager, Section, Table, useLoad } from '../ui.jsx';

const USER_FIELDS = [
  { name: 'q', label: 'Username contains' },
  { name: 'role', label: 'Role', options: [['', 'any role'], ['engineer', 'engineer'], ['head', 'head'], ['admin', 'admin']] },
  { name: 'active', label: 'Active', options: [['', 'all'], ['true', 'active'], ['false', 'deactivated']] },
];
const NEW_USER = { username: '', full_name: '', password: '', role: 'engineer', team: '', territory: '', discount_limit_pct: '5' };

function Form({ fields, initial, submit, label }) {
  const [values, setValues] = useState(initial);
  const [msg, setMsg] = useState({ error: null, ok: '' });
  const send = async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    try {
      await submit(body);
      setValues(initial);
      setMsg({ error: null, ok: `${label}: saved.` });
    } catch (error) {
      setMsg({ error, ok: '' });
    }
  };
  return (
    <form className="fs-form" onSubmit={send} aria-label={label}>
      {fields.map((f) => (
        <label key={f.name}><span>{f.label}</span>
          {f.options
            ? <select name={f.name} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>{f.options.map((o) => <option key={o} value={o}>{o}</option>)}</select>
            : <input name={f.name} type={f.type || 'text'} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />}
        </label>
      ))}
      <button type="submit">{label}</button>
      <Message error={msg.error} ok={msg.ok} />
    </form>
  );
}

// An engineer sells to customers of their own territory and of those listed here (the list
// replaces the previous one).
export function allowTerritories(api, { username, codes = '' }) {
  const list = codes.split(',').map((c) => c.trim()).filter(Boolean);
  return api.patch(`/api/v1/users/${encodeURIComponent(username || '')}`, { extra_territories: list });
}

function Users({ api, admin }) {
  const [filters, setFilters] = useState({});
  const [page, setPage] = useState(1);
  const params = { ...filters, page, page_size: 50, sort: 'username' };
  const state = useLoad(() => api.get('/api/v1/users', params), [JSON.stringify(params)]);
  const deactivate = (u) => api.post(`/api/v1/users/${encodeURIComponent(u)}/deactivate`).then(state.reload, state.reload);
  const columns = [
    { key: 'username', title: 'User' }, { key: 'full_name', title: 'Name' }, { key: 'role', title: 'Role' },
    { key: 'team_id', title: 'Team' }, { key: 'territory_code', title: 'Territory' },
    { key: 'extra_territories', title: 'Also sells in', render: (r) => (r.extra_territories || []).join(', ') },
    { key: 'discount_limit_pct', title: 'Discount limit', kind: 'pct' }, { key: 'active', title: 'Active' },
    ...(admin ? [{ key: 'x', title: '', render: (r) => (r.active ? <button type="button" onClick={() => deactivate(r.username)}>Deactivate</button> : null) }] : []),
  ];
  return (
    <Section title="Users">
      <Filters fields={USER_FIELDS} values={filters} onChange={(v) => { setPage(1); setFilters(v); }} />
      <Loading state={state}>
        {state.data ? <Table label="users" columns={columns} rows={state.data.items} rowKey={(r) => r.username} /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
      {admin ? <Form label="Add user" initial={NEW_USER} submit={(b) => api.post('/api/v1/users', b).then(state.reload)} fields={[
        { name: 'username', label: 'Username' }, { name: 'full_name', label: 'Full name' },
        { name: 'password', label: 'Password', type: 'password' },
        { name: 'role', label: 'Role', options: ['engineer', 'head', 'admin'] },
        { name: 'team', label: 'Team name' }, { name: 'territory', label: 'Territory code' },
        { name: 'discount_limit_pct', label: 'Discount limit %' }]} /> : null}
      {admin ? <Form label="Allow territories" initial={{ username: '', codes: '' }} submit={(b) => allowTerritories(api, b).then(state.reload)} fields={[
        { name: 'username', label: 'Username' }, { name: 'codes', label: 'Other territories (codes, comma-separated; empty: none)' }]} /> : null}
    </Section>
  );
}

function Simple({ api, admin, path, title, columns, fields, initial, rowKey }) {
  const state = useLoad(() => api.get(path, { page_size: 200 }), [path]);
  return (
    <Section title={title}>
      <Loading state={state}>{state.data ? <Table label={title.toLowerCase()} columns={columns} rows={state.data.items} rowKey={rowKey} /> : null}</Loading>
      {admin ? <Form label={`Add ${title.toLowerCase().replace(/s$/, '').replace(/ie$/, 'y')}`} initial={initial} fields={fields}
        submit={(b) => api.post(path, b).then(state.reload)} /> : null}
    </Section>
  );
}

export default function People({ api, principal }) {
  const admin = principal.role === 'admin';
  return (
    <>
      <Users api={api} admin={admin} />
      <div className="fs-grid">
        <Simple api={api} admin={admin} path="/api/v1/teams" title="Teams" rowKey={(r) => r.id}
          columns={[{ key: 'id', title: 'Id' }, { key: 'name', title: 'Team' }, { key: 'members', title: 'Members' }]}
          fields={[{ name: 'name', label: 'Team name' }]} initial={{ name: '' }} />
        <Simple api={api} admin={admin} path="/api/v1/territories" title="Territories" rowKey={(r) => r.code}
          columns={[{ key: 'code', title: 'Code' }, { key: 'name', title: 'Territory' }]}
          fields={[{ name: 'code', label: 'Code' }, { name: 'name', label: 'Name' }]} initial={{ code: '', name: '' }} />
      </div>
    </>
  );
}
