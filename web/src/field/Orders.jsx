// Orders on the phone: the list with the customer's PO and delivery date, and the form that
// turns a signed offer into an order.
import React, { useState } from 'react';
import { buildOrder } from 'fieldsync-phone-data/documents.js';
import { stateOf } from './hooks.js';
import { getFix } from './location.js';
import { save } from './session.js';
import { Empty, ErrorLine, Field, ReceiptBadge, rupees } from './ui.jsx';

const PO = /^[\p{L}\p{N}][\p{L}\p{N} ./_#-]{0,63}$/u;

/** The customer's PO number and the delivery date she asked for, then the order. */
export function ConvertForm({ session, offer, approval }) {
  const [po, setPo] = useState('');
  const [delivery, setDelivery] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setError('');
    const poNumber = po.trim();
    if (poNumber && !PO.test(poNumber)) {
      setError('The PO number can have letters, digits, spaces and . / _ # - (at most 64).');
      return;
    }
    setBusy(true);
    try {
      const loc = await getFix();
      await save(session, buildOrder({ ...session.ctx(), loc: loc || undefined }, offer, approval,
        { po_number: poNumber || undefined, delivery_date: delivery || undefined }));
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }
  return (
    <form className="inline-form convert" onSubmit={submit} data-testid="convert-form">
      <div className="row">
        <Field label="Customer's PO number"><input name="po_number" value={po} maxLength={64}
          onChange={(e) => setPo(e.target.value)} placeholder="as on the customer's PO" /></Field>
        <Field label="Delivery date"><input name="delivery_date" type="date" value={delivery}
          min={offer.created_at ? offer.created_at.slice(0, 10) : undefined} onChange={(e) => setDelivery(e.target.value)} /></Field>
      </div>
      <ErrorLine error={error} />
      <button type="submit" disabled={busy}>Convert to order</button>
    </form>
  );
}

export function Orders({ data }) {
  const { orders, customers, receipts, denied } = data;
  const sorted = [...(orders || [])].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  return (
    <section>
      <h2>Orders</h2>
      {sorted.length === 0 ? <Empty>No orders yet: a signed offer becomes one with "Convert to order".</Empty> : (
        <ul className="cards">{sorted.map((o) => (
          <li key={o._id} className="card" data-testid="order-card">
            <a href={`#/offers/${o.offer_id}`}>
              <strong>{((customers || {})[`customer:${o.customer_id}`] || {}).name || o.customer_id}</strong>
              <span className="amount">{rupees(o.totals.grand_total)}</span>
              <span className="muted" data-testid="order-po">
                {o.po_number ? `PO ${o.po_number}` : 'no PO number'} · {o.delivery_date ? `delivery ${o.delivery_date}` : 'no delivery date'}
              </span>
            </a>
            <ReceiptBadge state={stateOf(o, receipts, denied)} />
          </li>))}
        </ul>)}
    </section>
  );
}
