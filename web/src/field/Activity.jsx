// Leads with their stage forms, visits with check-in and check-out, and to-dos.
import React, { useRef, useState } from 'react';
import { LEAD_STAGES, STAGE_FIELDS, buildLead, buildTodo, checkIn, checkOut, moveLead, nextStage, touched } from 'fieldsync-phone-data/documents.js';
import { DETAIL_KINDS, detailStages, detailValues, fixDoc, fixLead, leadPath, markedFields, readStage, readTexts } from 'fieldsync-phone-data/fixes.js';
import { stateOf } from './hooks.js';
import { locate } from './location.js';
import { save } from './session.js';
import { CustomerPicker, Empty, ErrorLine, Field, FixHeader, markInvalid, MoneyInput, ReceiptBadge } from './ui.jsx';

const LABELS = { value: 'Proposal value ₹', amount: 'Amount ₹', date: 'Date', number: 'Number',
  payment_ref: 'Payment reference', notes: 'Notes' };
const STAGE_NAMES = { po: 'PO', order_acceptance: 'order acceptance' };
const stageName = (stage) => STAGE_NAMES[stage] || stage.replace('_', ' ');
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

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

/** One stage detail as its kind asks: money typed freely, a date picker, or text. */
function DetailInput({ name, kind, value, onChange, label, onProblem }) {
  if (kind === 'money') return <MoneyInput name={name} label={label} value={value} onChange={onChange} onProblem={onProblem} />;
  return <input name={name} type={kind === 'date' ? 'date' : 'text'} value={value}
    onChange={(e) => onChange(e.target.value)} />;
}

/** The details of `stage` with labels, each marked with its problem. */
function StageFields({ stage, prefix, values, set, problems, setProblems, marked }) {
  return STAGE_FIELDS[stage].map((f) => {
    const key = `${prefix}${f}`;
    return (
      <Field key={key} label={prefix ? `${capital(stageName(stage))} · ${LABELS[f]}` : LABELS[f]} problem={problems[key]}
        marked={marked && marked.has(`details.${stage}.${f}`)}>
        <DetailInput name={key.replace('.', '_')} kind={DETAIL_KINDS[f]} value={values[key] || ''}
          label={LABELS[f].replace(' ₹', '')} onChange={(v) => set(key, v)}
          onProblem={(p) => setProblems((was) => ({ ...was, [key]: p }))} />
      </Field>);
  });
}

function StageForm({ session, lead }) {
  const stage = nextStage(lead.stage);
  const [values, setValues] = useState({});
  const [problems, setProblems] = useState({});
  const [error, run] = useAction();
  const box = useRef(null);
  if (!stage || lead.stage === 'lost') return null;
  const set = (key, value) => setValues({ ...values, [key]: value });
  const move = (to, extra) => run(async () => {
    const { loc } = await locate();
    await save(session, moveLead(lead, { ...session.ctx(), loc }, to, extra));
    setValues({});
    setProblems({});
  }, box.current);
  const forward = () => {
    // Every detail the server requires at this stage is asked for here; money is read as typed,
    // and what is missing the contract says on save (its words, the field marked).
    const read = readStage(stage, values);
    setProblems(read.errors);
    if (Object.keys(read.errors).length === 0) move(stage, { details: read.details });
  };
  return (
    <div className="stage-form" ref={box}>
      <StageFields stage={stage} prefix="" values={values} set={set} problems={problems} setProblems={setProblems} />
      <div className="actions">
        <button type="button" onClick={forward}>Move to {stageName(stage)}</button>
        <button type="button" className="secondary" onClick={() => move('lost', { lost_reason: values.lost_reason || 'Customer chose another offer' })}>Mark lost</button>
      </div>
      <ErrorLine error={error} />
    </div>
  );
}

/** A refused lead opened in its form: every reached stage's details, the refused ones marked;
 * the fix is a new revision of the same lead, so its history stays as it was. */
function LeadFix({ session, lead, state, onDone }) {
  const [values, setValues] = useState(() => detailValues(lead));
  const [problems, setProblems] = useState({});
  const [error, run] = useAction();
  const marked = markedFields(state, Object.keys(values).map(leadPath));
  const set = (key, value) => setValues({ ...values, [key]: value });
  const resend = () => run(async () => {
    const fixed = fixLead(lead, values, session.ctx());
    setProblems(fixed.errors || {});
    if (fixed.doc) { await save(session, fixed.doc); onDone(); }
  });
  return (
    <div className="fix-form" data-testid="fix-form">
      <FixHeader state={state} brief />
      {detailStages(lead).map((stage) => (
        <StageFields key={stage} stage={stage} prefix={`${stage}.`} values={values} set={set}
          problems={problems} setProblems={setProblems} marked={marked} />))}
      <button type="button" onClick={resend}>Resend fixed lead</button>
      <ErrorLine error={error} />
    </div>
  );
}

function LeadCard({ session, lead, customers, receipts, denied }) {
  const [fixing, setFixing] = useState(false);
  const state = stateOf(lead, receipts, denied);
  return (
    <li className="card" data-testid="lead-card">
      <strong>{lead.title}</strong>
      <span className="muted">{(customers[`customer:${lead.customer_id}`] || {}).name || (lead.prospect || {}).name}</span>
      <ol className="stages">{LEAD_STAGES.map((s) => <li key={s} className={s === lead.stage ? 'current' : ''}>{stageName(s)}</li>)}</ol>
      {lead.stage === 'lost' ? <p className="muted">Lost: {lead.lost_reason}</p> : null}
      <ReceiptBadge state={state} onFix={fixing ? undefined : () => setFixing(true)}
        onDiscard={() => session.sync.discardChange(lead._id)} />
      {fixing && state.state === 'rejected' ? <LeadFix session={session} lead={lead} state={state} onDone={() => setFixing(false)} />
        : <StageForm session={session} lead={lead} />}
    </li>
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
      const { loc } = await locate();
      // A customer not yet in master data is recorded as a prospect (name, phone, city).
      const who = customerId ? { customer_id: customerId, customer: customers[`customer:${customerId}`] }
        : { prospect: Object.fromEntries(Object.entries(prospect).filter(([, v]) => v.trim())) };
      if (!customerId && !prospect.name.trim()) throw new Error('pick a customer or name the prospect');
      await save(session, buildLead({ ...session.ctx(), loc }, { ...who, title }));
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
          <LeadCard key={l._id} session={session} lead={l} customers={customers} receipts={receipts} denied={denied} />))}
        </ul>)}
    </section>
  );
}

// The plain text fields a fix may change; the contract says what is needed and how long.
const VISIT_TEXTS = ['purpose', 'outcome'];
const TO_DO_TEXT_FIELDS = ['title', 'notes'];

/** Where the phone was, or that it had no fix and why: the server flags it, never refuses it. */
function NoFix({ stamp }) {
  return stamp && stamp.no_fix ? <p className="no-fix muted" data-testid="no-fix">No GPS fix: {stamp.no_fix}</p> : null;
}

function CheckOutForm({ session, visit }) {
  const [outcome, setOutcome] = useState('');
  const [error, run] = useAction();
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const { loc, noFix } = await locate();
      await save(session, checkOut(visit, { ...session.ctx(), loc, noFix }, { outcome }));
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

/** A refused visit, to-do (or any document of plain fields) opened in its form, fields marked. */
function TextsFix({ session, doc, state, keys, labels, customers, onDone }) {
  // A customer this phone does not know is what the server refused: the picker starts empty.
  const known = doc.customer_id && (customers || {})[`customer:${doc.customer_id}`];
  const [values, setValues] = useState(() => ({ customer_id: known ? doc.customer_id : '',
    ...Object.fromEntries(keys.map((k) => [k, doc[k] || ''])) }));
  const [error, run] = useAction();
  const marked = markedFields(state, ['customer_id', ...keys]);
  const resend = (event) => {
    event.preventDefault();
    run(async () => {
      const read = readTexts(values, keys);
      const changes = { ...Object.fromEntries(keys.map((k) => [k, undefined])), ...read.fields,
        customer_id: values.customer_id || undefined };
      await save(session, fixDoc(doc, changes, session.ctx()));
      onDone();
    }, event.currentTarget);
  };
  return (
    <form className="fix-form" data-testid="fix-form" onSubmit={resend}>
      <FixHeader state={state} brief />
      <Field label="Customer" marked={marked.has('customer_id')}>
        <CustomerSelect customers={customers || {}} value={values.customer_id}
          onChange={(v) => setValues({ ...values, customer_id: v })} />
      </Field>
      {keys.map((k) => (
        <Field key={k} label={labels[k]} marked={marked.has(k)}>
          <input name={`fix_${k}`} data-field={k} value={values[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
        </Field>))}
      <button type="submit">Resend fixed</button>
      <ErrorLine error={error} />
    </form>
  );
}

function VisitCard({ session, visit, customers, receipts, denied }) {
  const [fixing, setFixing] = useState(false);
  const state = stateOf(visit, receipts, denied);
  return (
    <li className="card" data-testid="visit-card">
      <strong>{(customers[`customer:${visit.customer_id}`] || {}).name || visit.customer_id}</strong>
      <span className="muted">{visit.purpose.slice(0, 120)} · in {visit.check_in.at.slice(11, 16)}{visit.check_out ? ` · out ${visit.check_out.at.slice(11, 16)}` : ''}</span>
      <NoFix stamp={visit.check_in} />
      <ReceiptBadge state={state} onFix={fixing ? undefined : () => setFixing(true)}
        onDiscard={() => session.sync.discardChange(visit._id)} />
      {fixing && state.state === 'rejected' ? (
        <TextsFix session={session} doc={visit} state={state} keys={VISIT_TEXTS} customers={customers}
          labels={{ purpose: 'Purpose', outcome: 'Outcome' }} onDone={() => setFixing(false)} />) : null}
      {!visit.check_out ? <CheckOutForm session={session} visit={visit} /> : <p>{visit.outcome}</p>}
    </li>
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
      // No fix in a basement is no reason to turn the engineer away: the reason is recorded.
      const { loc, noFix } = await locate();
      await save(session, checkIn({ ...session.ctx(), loc, noFix }, { customer_id: customerId,
        customer: customers[`customer:${customerId}`], purpose }));
      setPurpose('');
    }, event.currentTarget);
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
          <VisitCard key={v._id} session={session} visit={v} customers={customers} receipts={receipts} denied={denied} />))}
        </ul>)}
    </section>
  );
}

function TodoCard({ session, todo, customers, receipts, denied, toggle }) {
  const [fixing, setFixing] = useState(false);
  const state = stateOf(todo, receipts, denied);
  return (
    <li className="card todo" data-testid="todo-card">
      <label className="check"><input type="checkbox" checked={todo.done} onChange={() => toggle(todo)} /> {todo.title.slice(0, 200)}</label>
      <span className="muted">
        {[todo.due_date && `due ${todo.due_date}`,
          todo.customer_id && ((customers || {})[`customer:${todo.customer_id}`] || {}).name]
          .filter(Boolean).join(' · ')}
      </span>
      <ReceiptBadge state={state} onFix={fixing ? undefined : () => setFixing(true)}
        onDiscard={() => session.sync.discardChange(todo._id)} />
      {fixing && state.state === 'rejected' ? (
        <TextsFix session={session} doc={todo} state={state} keys={TO_DO_TEXT_FIELDS} customers={customers}
          labels={{ title: 'To do', notes: 'Notes' }} onDone={() => setFixing(false)} />) : null}
    </li>
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
          <TodoCard key={t._id} session={session} todo={t} customers={customers} receipts={receipts}
            denied={denied} toggle={toggle} />))}
        </ul>)}
    </section>
  );
}
