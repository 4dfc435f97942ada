// Small building blocks shared by the field screens.
import React, { useState } from 'react';
import { receiptLabel } from 'fieldsync-phone-data/receipts.js';
import { parseMoney, showMoney } from 'fieldsync-phone-data/typed.js';

export { rupees } from 'fieldsync-phone-data/forms.js';

/** The receipt of one document: a coloured badge, the reason when refused. */
export function ReceiptBadge({ state, onFix }) {
  return (
    <div className={`receipt receipt-${state.state}`} data-testid="receipt" data-state={state.state}>
      <span className="badge">{receiptLabel(state)}</span>
      {state.erp && state.erp.number ? <span className="erp" data-testid="erp-number">{state.erp.number}</span> : null}
      {state.state === 'rejected' || state.state === 'conflict' ? (
        <p className="reason" data-testid="receipt-reason">{state.reason || 'The server refused this document.'}</p>
      ) : null}
      {state.state === 'rejected' && onFix ? <button type="button" className="small" onClick={onFix}>Fix and resend</button> : null}
    </div>
  );
}

/** A labelled input; `problem` marks it (the server's refusal or the phone's own check). */
export function Field({ label, children, problem, marked }) {
  const flagged = Boolean(problem || marked);
  return (
    <label className={`field${flagged ? ' marked' : ''}`} data-marked={flagged ? 'yes' : undefined}>
      {label}{children}
      {problem ? <span className="problem" role="alert" data-testid="field-problem">{problem}</span> : null}
    </label>
  );
}

/** Money as people type it ("4,50,000", "₹4.5 lakh"); shown back with lakh grouping when the
 * engineer leaves the field, and a message at once when it is not an amount (shown here, or
 * handed to `onProblem` when the form shows its fields' problems itself). */
export function MoneyInput({ name, value, onChange, label = 'The amount', onProblem }) {
  const [problem, setProblem] = useState('');
  // A problem goes as soon as the engineer types again, not on leaving the field: the form
  // must not shift under the finger on its way to the Save button.
  const clear = () => {
    setProblem('');
    if (onProblem) onProblem('');
  };
  const leave = () => {
    const read = parseMoney(value, { label });
    setProblem(read.error || '');
    if (onProblem) onProblem(read.error || '');
    if (read.value) onChange(showMoney(value));
  };
  return (
    <>
      <input name={name} inputMode="decimal" value={value} aria-invalid={problem ? 'true' : undefined}
        onChange={(e) => { clear(); onChange(e.target.value); }} onBlur={leave} />
      {problem && !onProblem ? <span className="problem" role="alert" data-testid="field-problem">{problem}</span> : null}
    </>
  );
}

/** The fix-and-resend panel's title: what the server said (unless the receipt right above
 * already says it: `brief`), and what to do. */
export function FixHeader({ state, brief }) {
  if (!state || state.state !== 'rejected') return null;
  const reason = String(state.reason || 'the server refused this document').replace(/\.$/, '');
  return <p className="reason" data-testid="fix-reason">{brief ? '' : `Refused: ${reason}. `}Fix the marked fields and resend.</p>;
}

// Form inputs named differently from the document's fields.
const INPUT_NAMES = { product_id: 'product', customer_id: 'customer' };

/** Highlight the inputs of the fields a refusal names (`lines[1].quantity` is the second line's
 * quantity), and clear earlier highlights; `err.problems` comes from the document contract. */
export function markInvalid(form, err) {
  if (!form) return;
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  for (const { field } of (err && err.problems) || []) {
    const match = /^(?:lines\[(\d+)\]\.)?(?:[a-z_]+\.)*([a-z_]+)$/.exec(field || '');
    if (!match) continue;
    const name = INPUT_NAMES[match[2]] || match[2];
    const inputs = form.querySelectorAll(`[data-field="${name}"], [name="${name}"]`);
    const input = inputs[match[1] === undefined ? 0 : Number(match[1])];
    if (input) input.setAttribute('aria-invalid', 'true');
  }
}

export function ErrorLine({ error }) {
  return error ? <p className="error" role="alert">{error}</p> : null;
}

export function Empty({ children }) {
  return <p className="muted empty">{children}</p>;
}

/** Customer options from the local customers database, searchable offline. */
export function CustomerPicker({ customers, value, onChange, query, onQuery }) {
  const q = (query || '').toLowerCase();
  const shown = Object.values(customers).filter((c) => c.active !== false
    && (!q || `${c.name} ${c.city || ''} ${c.customer_id}`.toLowerCase().includes(q))).slice(0, 50);
  return (
    <div className="picker">
      <input type="search" placeholder="Search customers" aria-label="Search customers" value={query}
        onChange={(e) => onQuery(e.target.value)} />
      <select aria-label="Customer" name="customer" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">— pick a customer —</option>
        {shown.map((c) => <option key={c.customer_id} value={c.customer_id}>{c.name} · {c.city || c.customer_id}</option>)}
      </select>
    </div>
  );
}
