// Leads with their stage forms, visits with check-in and check-out, and to-dos.
import React, { useState } from 'react';
import { LEAD_STAGES, STAGE_FIELDS, buildLead, buildTodo, checkIn, checkOut, moveLead, nextStage, touched } from 'fieldsync-phone-data/documents.js';
import { stateOf } from './hooks.js';
import { getFix } from './location.js';
import { save } from './session.js';
import { CustomerPicker, Empty, ErrorLine, Field, markInvalid, ReceiptBadge } from './ui.jsx';

const DATE_FIELDS = ['date'];

function useAction() {
  const [error, setError] = useState('');
  const run = async (fn, form) => {
    setError('');
    try {
      await fn();
      markInvalid(form, null);
      return true;
    } catch (err) {
      setError(err.message);
      markInvalid(form, err);
      return false;
    }
  };
  return [error, run];
}

// Every customer list on the phone is searchable (a territory holds thousands).
function CustomerSelect({ customers, value, onChange }) {
  return <CustomerPicker customers={customers} value={value} onChange={onChange} />;
}

function StageForm({ session, lead }) {
  const stage = nextStage(lead.stage);
  const [values, setValues] = useState({});
  const [error, run] = useAction();
  if (!stage || lead.stage === 'lost') return null;
  const move = (to, extra) => run(async () => {
    const loc = await getFix();
    await save(session, moveLead(lead, { ...session.ctx(), loc: loc || undefined }, to, extra));
    setValues({});
  });
  const details = Object.fromEntries(STAGE_FIELDS[stage].filter((f) => values[f]).map((f) => [f, values[f]]));
  return (
    <div className="stage-form">
      {STAGE_FIELDS[stage].map((f) => (
        <Field key={f} label={`${stage} ${f.replace('_', ' ')}`}>
          <input name={f} type={DATE_FIELDS.includes(f) ? 'date' : 'text'} value={values[f] || ''}
            onChange={(e) => setValues({ ...values, [f]: e.target.value })} />
        </Field>))}
      <div className="actions">
        <button type="button" onClick={() => move(stage, { details })}>Move to {stage.replace('_', ' ')}</button>
        <button type="button" className="secondary" onClick={() => move('lost', { lost_reason: values.lost_reason || 'Customer chose another offer' })}>Mark lost</button>
      </div>
      <ErrorLine error={error} />
    </div>
  );
}

export function Leads({ session, data }) {
  const { leads, customers, receipts, denied } = data;
  const [title, setTitle] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [prospect, setProspect] = useState({ name: '', phone: '', city: '' });
  const [error, run] = useAction();
  const add = (event) => {
    event.preventDefault();
    run(async () => {
      const loc = await getFix();
      // A customer not yet in master data is recorded as a prospect (name, phone, city).
      const who = customerId ? { customer_id: customerId, customer: customers[`customer:${customerId}`] }
        : { prospect: Object.fromEntries(Object.entries(prospect).filter(([, v]) => v.trim())) };
      if (!customerId && !prospect.name.trim()) throw new Error('pick a customer or name the prospect');
      await save(session, buildLead({ ...session.ctx(), loc: loc || undefined }, { ...who, title }));
      setTitle(''); setProspect({ name: '', phone: '', city: '' });
    });
  };
  const setP = (key) => (e) => setProspect({ ...prospect, [key]: e.target.value });
  return (
    <section>
      <h2>Leads</h2>
      <form className="inline-form" onSubmit={add}>
        <Field label="Title"><input name="lead_title" value={title} onChange={(e) => setTitle(e.target.value)} /></Field>
        <CustomerSelect customers={customers} value={customerId} onChange={setCustomerId} />
        {customerId ? null : (<>
          <Field label="or a new prospect"><input name="prospect_name" placeholder="Name" value={prospect.name} onChange={setP('name')} /></Field>
          <Field label="Phone"><input name="prospect_phone" type="tel" value={prospect.phone} onChange={setP('phone')} /></Field>
          <Field label="City"><input name="prospect_city" value={prospect.city} onChange={setP('city')} /></Field>
        </>)}
        <button type="submit">Add lead</button>
        <ErrorLine error={error} />
      </form>
      {(leads || []).length === 0 ? <Empty>No leads yet.</Empty> : (
        <ul className="cards">{leads.map((l) => (
          <li key={l._id} className="card" data-testid="lead-card">
            <strong>{l.title}</strong>
            <span className="muted">{(customers[`customer:${l.customer_id}`] || {}).name || (l.prospect || {}).name}</span>
            <ol className="stages">{LEAD_STAGES.map((s) => <li key={s} className={s === l.stage ? 'current' : ''}>{s.replace('_', ' ')}</li>)}</ol>
            {l.stage === 'lost' ? <p className="muted">Lost: {l.lost_reason}</p> : null}
            <ReceiptBadge state={stateOf(l, receipts, denied)} />
            <StageForm session={session} lead={l} />
          </li>))}
        </ul>)}
    </section>
  );
}

function CheckOutForm({ session, visit }) {
  const [outcome, setOutcome] = useState('');
  const [error, run] = useAction();
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const loc = await getFix();
      await save(session, checkOut(visit, { ...session.ctx(), loc }, { outcome }));
    });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="Outcome"><input name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} /></Field>
      <button type="submit">Check out</button>
      <ErrorLine error={error} />
    </form>
  );
}

export function Visits({ session, data }) {
  const { visits, customers, receipts, denied } = data;
  const [customerId, setCustomerId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [error, run] = useAction();
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const loc = await getFix();
      await save(session, checkIn({ ...session.ctx(), loc }, { customer_id: customerId,
        customer: customers[`customer:${customerId}`], purpose }));
      setPurpose('');
    });
  };
  return (
    <section>
      <h2>Visits</h2>
      <form className="inline-form" onSubmit={submit}>
        <CustomerSelect customers={customers} value={customerId} onChange={setCustomerId} />
        <Field label="Purpose"><input name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)} /></Field>
        <button type="submit">Check in</button>
        <ErrorLine error={error} />
      </form>
      {(visits || []).length === 0 ? <Empty>No visits yet.</Empty> : (
        <ul className="cards">{visits.map((v) => (
          <li key={v._id} className="card" data-testid="visit-card">
            <strong>{(customers[`customer:${v.customer_id}`] || {}).name || v.customer_id}</strong>
            <span className="muted">{v.purpose} · in {v.check_in.at.slice(11, 16)}{v.check_out ? ` · out ${v.check_out.at.slice(11, 16)}` : ''}</span>
            <ReceiptBadge state={stateOf(v, receipts, denied)} />
            {!v.check_out ? <CheckOutForm session={session} visit={v} /> : <p>{v.outcome}</p>}
          </li>))}
        </ul>)}
    </section>
  );
}

export function Todos({ session, data }) {
  const { todos, customers, receipts, denied } = data;
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [error, run] = useAction();
  const add = (event) => {
    event.preventDefault();
    run(async () => {
      await save(session, buildTodo(session.ctx(), {
        title, due_date: due || undefined, customer_id: customerId || undefined }));
      setTitle(''); setDue(''); setCustomerId('');
    }, event.currentTarget);
  };
  const toggle = (t) => run(() => save(session, touched(t, { done: !t.done }, session.ctx())));
  return (
    <section>
      <h2>To-dos</h2>
      <form className="inline-form" onSubmit={add}>
        <Field label="To do"><input name="todo_title" data-field="title" value={title} onChange={(e) => setTitle(e.target.value)} /></Field>
        <Field label="Due"><input type="date" name="todo_due" value={due} onChange={(e) => setDue(e.target.value)} /></Field>
        <CustomerSelect customers={customers || {}} value={customerId} onChange={setCustomerId} />
        <button type="submit">Add</button>
        <ErrorLine error={error} />
      </form>
      {(todos || []).length === 0 ? <Empty>Nothing to do.</Empty> : (
        <ul className="cards">{todos.map((t) => (
          <li key={t._id} className="card todo" data-testid="todo-card">
            <label className="check"><input type="checkbox" checked={t.done} onChange={() => toggle(t)} /> {t.title}</label>
            <span className="muted">
              {[t.due_date && `due ${t.due_date}`,
                t.customer_id && ((customers || {})[`customer:${t.customer_id}`] || {}).name]
                .filter(Boolean).join(' · ')}
            </span>
            <ReceiptBadge state={stateOf(t, receipts, denied)} />
          </li>))}
        </ul>)}
    </section>
  );
}
