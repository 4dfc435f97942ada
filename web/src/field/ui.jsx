// Small building blocks shared by the field screens.
import React, { useState } from 'react';
import { receiptLabel } from 'fieldsync-phone-data/receipts.js';
import { parseMoney, showMoney } from 'fieldsync-phone-data/typed.js';

export { rupees } from 'fieldsync-phone-data/forms.js';

/** The receipt of one document: a coloured badge, the reason when refused, and for a refused
 * document the two ways out: fix and resend, or discard the change (`onDiscard`: the last
 * accepted version comes back, or the document goes if none was ever accepted; asked twice). */
export function ReceiptBadge({ state, onFix, onDiscard }) {
  const [asking, setAsking] = useState(false);
  const [failed, setFailed] = useState('');
  const refused = state.state === 'rejected';
  const discard = async () => {
    try {
      await onDiscard();
      setAsking(false);
    } catch (err) {
      setFailed(err.message || String(err));
    }
  };
  return (
    <div className={`receipt receipt-${state.state}`} data-testid="receipt" data-state={state.state}>
      <span className="badge">{receiptLabel(state)}</span>
      {state.erp && state.erp.number ? <span className="erp" data-testid="erp-number">{state.erp.number}</span> : null}
      {refused || state.state === 'conflict' ? (
        <p className="reason" data-testid="receipt-reason">{state.reason || 'The server refused this document.'}</p>
      ) : null}
      {refused && onFix ? <button type="button" className="small" onClick={onFix}>Fix and resend</button> : null}
      {refused && onDiscard && !asking ? (
        <button type="button" className="small secondary" onClick={() => setAsking(true)}>Discard my change</button>) : null}
      {refused && onDiscard && asking ? (
        <p className="confirm" data-testid="discard-confirm">
          The last accepted version comes back, or this document goes if it was never accepted.
          {' '}<button type="button" className="small" onClick={discard}>Yes, discard</button>
          <button type="button" className="small secondary" onClick={() => setAsking(false)}>Keep it</button>
        </p>) : null}
      {failed ? <p className="error" role="alert">{failed}</p> : null}
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

const FIRST = 50;
const MATCHES = 200;

/** Customer options from the local customers database, searchable offline by name, city or
 * code: without a search the first 50 show and the rest are a search away (a long <select> is
 * unusable on a phone); `query`/`onQuery` may be left out to let the picker keep its own. */
export function CustomerPicker({ customers, value, onChange, query, onQuery }) {
  const [own, setOwn] = React.useState('');
  const text = onQuery ? (query || '') : own;
  const setText = onQuery || setOwn;
  const q = text.trim().toLowerCase();
  const active = React.useMemo(() => Object.values(customers || {}).filter((c) => c.active !== false)
    .sort((a, b) => String(a.name).localeCompare(String(b.name))), [customers]);
  const matches = active.filter((c) => !q || `${c.name} ${c.city || ''} ${c.customer_id}`.toLowerCase().includes(q));
  const shown = matches.slice(0, q ? MATCHES : FIRST);
  const picked = value && !shown.some((c) => c.customer_id === value) ? active.find((c) => c.customer_id === value) : null;
  const hidden = matches.length - shown.length;
  return (
    <div className="picker">
      <input type="search" placeholder="Search customers" aria-label="Search customers" value={text}
        onChange={(e) => setText(e.target.value)} />
      <select aria-label="Customer" name="customer" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{q && !matches.length ? '— no customer matches —' : '— pick a customer —'}</option>
        {picked ? <option value={picked.customer_id}>{picked.name} · {picked.city || picked.customer_id}</option> : null}
        {shown.map((c) => <option key={c.customer_id} value={c.customer_id}>{c.name} · {c.city || c.customer_id}</option>)}
      </select>
      {hidden > 0 ? <p className="muted picker-more" data-testid="picker-more">
        {shown.length} of {matches.length} shown: type a name, city or code to find the others.</p> : null}
    </div>
  );
}
