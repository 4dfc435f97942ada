// Travel expenses with a receipt photo from the camera (or a file); refused ones can be fixed.
import React, { useEffect, useState } from 'react';
import { expenseTermsHash } from 'fieldsync-phone-data/canonical.js';
import { expenseDecision } from 'fieldsync-phone-data/receipts.js';
import { sha256Hex } from '../shell/platform.js';
import { EXPENSE_MODES, buildExpense, expenseFields, localDate, photoAttachment, touched } from 'fieldsync-phone-data/documents.js';
import { markedFields, readExpense } from 'fieldsync-phone-data/fixes.js';
import { showMoney } from 'fieldsync-phone-data/typed.js';
import { go } from '../shell/route.js';
import { stateOf } from './hooks.js';
import { save } from './session.js';
import { Empty, ErrorLine, Field, FixHeader, markInvalid, MoneyInput, ReceiptBadge, rupees } from './ui.jsx';

function readPhoto(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ base64: String(reader.result).split(',')[1], contentType: file.type || 'image/jpeg' });
    reader.onerror = () => reject(new Error('the photo could not be read'));
    reader.readAsDataURL(file);
  });
}

const BLANK = { date: '', from_place: '', to_place: '', mode: 'bike', km: '', amount: '', purpose: '' };

const FIELDS = ['date', 'from_place', 'to_place', 'mode', 'km', 'amount', 'purpose', 'customer_id', 'lead_id'];

export function ExpenseForm({ session, expense, customers, state }) {
  const [values, setValues] = useState(expense ? { ...BLANK, ...expense, km: String(expense.km), amount: showMoney(expense.amount) }
    : { ...BLANK, date: localDate() });
  const [photo, setPhoto] = useState(null);
  const [error, setError] = useState('');
  const [problems, setProblems] = useState({});
  const marked = markedFields(state || {}, FIELDS);
  const set = (key) => (e) => setValues({ ...values, [key]: e.target.value });
  // A customer or lead the server does not know can be picked again or left out.
  const refs = ['customer_id', 'lead_id'].filter((k) => expense && expense[k] && marked.has(k));

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    setError('');
    const read = readExpense(values);
    setProblems(read.errors || {});
    if (!read.fields) return;
    try {
      const fields = read.fields;
      let doc;
      if (expense) {
        const known = (customers || {})[`customer:${fields.customer_id}`];
        const again = Object.fromEntries(refs.map((k) => [k, k === 'customer_id' && known ? fields.customer_id : undefined]));
        doc = touched(expense, { ...expenseFields(fields), ...again }, session.ctx());
        if (photo) doc._attachments = photoAttachment(photo);
      } else {
        doc = buildExpense(session.ctx(), fields, photo);
      }
      await save(session, doc);
      go('/expenses');
    } catch (err) {
      setError(err.message);
      markInvalid(form, err);
    }
  }

  return (
    <form className="editor" onSubmit={submit} data-testid="expense-form">
      <h2>{expense ? 'Fix expense' : 'New expense'}</h2>
      <FixHeader state={state} />
      <div className="row">
        <Field label="Date" problem={problems.date} marked={marked.has('date')}><input name="date" type="date" value={values.date} onChange={set('date')} required /></Field>
        <Field label="Mode" marked={marked.has('mode')}><select name="mode" value={values.mode} onChange={set('mode')}>
          {EXPENSE_MODES.map((m) => <option key={m} value={m}>{m}</option>)}</select></Field>
      </div>
      <div className="row">
        <Field label="From" problem={problems.from_place} marked={marked.has('from_place')}><input name="from_place" value={values.from_place} onChange={set('from_place')} required /></Field>
        <Field label="To" problem={problems.to_place} marked={marked.has('to_place')}><input name="to_place" value={values.to_place} onChange={set('to_place')} required /></Field>
      </div>
      <div className="row">
        <Field label="Km" problem={problems.km} marked={marked.has('km')}><input name="km" inputMode="decimal" value={values.km} onChange={set('km')} required /></Field>
        <Field label="Amount ₹" problem={problems.amount} marked={marked.has('amount')}>
          <MoneyInput name="amount" label="Amount" value={values.amount} onChange={(v) => setValues({ ...values, amount: v })}
            onProblem={(p) => setProblems({ ...problems, amount: p })} /></Field>
      </div>
      <Field label="Purpose" problem={problems.purpose} marked={marked.has('purpose')}><input name="purpose" value={values.purpose} onChange={set('purpose')} required /></Field>
      {refs.includes('customer_id') ? (
        <Field label="Customer" marked>
          <select name="customer" value={(customers || {})[`customer:${values.customer_id}`] ? values.customer_id : ''} onChange={set('customer_id')}>
            <option value="">— none —</option>
            {Object.values(customers || {}).map((c) => <option key={c.customer_id} value={c.customer_id}>{c.name}</option>)}
          </select>
        </Field>) : null}
      {refs.includes('lead_id') ? (
        <Field label="Lead (not known to the server)" marked>
          <select name="lead" value="" onChange={set('lead_id')}><option value="">— none —</option></select>
        </Field>) : null}
      <Field label="Receipt photo">
        <input name="photo" type="file" accept="image/*" capture="environment"
          onChange={async (e) => { if (e.target.files[0]) setPhoto(await readPhoto(e.target.files[0])); }} />
      </Field>
      <ErrorLine error={error} />
      <button type="submit">{expense ? 'Fix and resend' : 'Save expense'}</button>
    </form>
  );
}

/** The sales head's decision on the expense (approved, declined with her note, reimbursed),
 * once the worker accepted it; a decision on other terms reads as waiting again. */
function HeadDecision({ expense, decision }) {
  const [terms, setTerms] = useState(null);
  useEffect(() => {
    let alive = true;
    expenseTermsHash(expense, sha256Hex).then((h) => { if (alive) setTerms(h); }, () => {});
    return () => { alive = false; };
  }, [expense]);
  const shown = expenseDecision(decision, terms);
  if (shown.state === 'none') return null;
  return (
    <div className={`notice notice-${shown.state}`} data-testid="expense-decision" data-state={shown.state}>
      <p>{shown.label}</p>
      {shown.note ? <p className="notice-reason" data-testid="decision-note">“{shown.note}”</p> : null}
    </div>);
}

export function Expenses({ session, data }) {
  const { expenses, receipts, denied, decisions } = data;
  return (
    <section>
      <div className="row between"><h2>Expenses</h2><a className="button" href="#/expenses/new">New expense</a></div>
      {(expenses || []).length === 0 ? <Empty>No expenses yet.</Empty> : (
        <ul className="cards">{expenses.map((x) => (
          <li key={x._id} className="card" data-testid="expense-card">
            <div className="head"><strong>{x.from_place} → {x.to_place}</strong>
              <span className="amount">{rupees(x.amount)}</span></div>
            <span className="muted">{x.date} · {x.mode} · {x.km} km{x._attachments ? ' · photo' : ''}</span>
            <ReceiptBadge state={stateOf(x, receipts, denied)} onFix={() => go(`/expenses/${x._id}/edit`)}
              onDiscard={session ? () => session.sync.discardChange(x._id) : undefined} />
            <HeadDecision expense={x} decision={(decisions || {})[`decision:${x._id}`]} />
          </li>))}
        </ul>)}
    </section>
  );
}
