// Offers: build one with GST computed on the phone, present it, capture approval, make the order.
import React, { useState } from 'react';
import { buildOffer, updateOffer } from 'fieldsync-phone-data/documents.js';
import { supplyFor } from 'fieldsync-phone-data/gst.js';
import { customerPrices, lineProblems, previewOffer, toInputs } from 'fieldsync-phone-data/forms.js';
import { markedFields } from 'fieldsync-phone-data/fixes.js';
import { revisionOf, supersededBy } from 'fieldsync-phone-data/revisions.js';
import { go } from '../shell/route.js';
import { getFix } from './location.js';
import { save } from './session.js';
import { CustomerPicker, Empty, ErrorLine, Field, FixHeader, markInvalid, MoneyInput, ReceiptBadge, rupees } from './ui.jsx';
import { stateOf } from './hooks.js';

export function OfferList({ data }) {
  const { offers, customers, receipts, denied } = data;
  return (
    <section>
      <div className="row between"><h2>Offers</h2><a className="button" href="#/offers/new">New offer</a></div>
      {!offers || offers.length === 0 ? <Empty>No offers yet.</Empty> : (
        <ul className="cards">
          {offers.map((o) => (
            <li key={o._id} className="card" data-testid="offer-card">
              <a href={`#/offers/${o._id}`}>
                <strong>{(customers[`customer:${o.customer_id}`] || {}).name || o.customer_id}</strong>
                <span className="amount">{rupees(o.totals.grand_total)}</span>
                <span className="muted">{supersededBy(o, offers) ? 'superseded' : o.status}
                  {revisionOf(o) ? ` · revision ${revisionOf(o)}` : ''} · {o.lines.length} line(s)</span>
              </a>
              <ReceiptBadge state={stateOf(o, receipts, denied)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const emptyLine = { product_id: '', quantity: '1', unit_price: '', discount_pct: '0' };

const LINE_KEYS = ['product_id', 'quantity', 'unit_price', 'discount_pct'];

export function OfferEditor({ session, data, offer, state }) {
  const { customers, products } = data;
  const [customerId, setCustomerId] = useState(offer ? offer.customer_id : '');
  const [query, setQuery] = useState('');
  const [lines, setLines] = useState(offer ? offer.lines.map((l) => ({ ...l, quantity: String(l.quantity) })) : [{ ...emptyLine }]);
  const [error, setError] = useState('');
  const [problems, setProblems] = useState({});
  // A refused offer opens with the fields its refusal points at marked.
  const marked = markedFields(state || {}, ['customer_id', 'supply',
    ...lines.flatMap((_, i) => LINE_KEYS.map((k) => `lines[${i}].${k}`))]);
  const customer = customers[`customer:${customerId}`];
  const prices = customerPrices(data.priceLists, customer, data.prices);
  // An offer edited before the customer list has reached this phone keeps the supply it has.
  const supply = !customer && offer ? offer.supply
    : supplyFor(customer && customer.state_code, session.config.company_state);
  const inputs = toInputs(lines, products);
  const priced = previewOffer(inputs, supply);

  const setLine = (i, patch) => setLines(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const pickProduct = (i, id) => setLine(i, { product_id: id, unit_price: prices[id] || lines[i].unit_price });

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    setError('');
    const found = lineProblems(lines);
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      const loc = await getFix();
      const ctx = { ...session.ctx(), loc: loc || undefined };
      const doc = offer ? updateOffer(offer, ctx, { inputs, supply, status: 'draft' })
        : buildOffer(ctx, { customer_id: customerId, customer, supply, inputs });
      const saved = await save(session, doc);
      go(`/offers/${saved._id}`);
    } catch (err) {
      setError(err.message);
      markInvalid(form, err);
    }
  }

  return (
    <form className="editor" onSubmit={submit}>
      <h2>{offer ? 'Edit offer' : 'New offer'}</h2>
      <FixHeader state={state} />
      {offer ? <p><strong>{customer ? customer.name : customerId}</strong></p> : (
        <CustomerPicker customers={Object.fromEntries(Object.values(customers).map((c) => [c.customer_id, c]))}
          value={customerId} onChange={setCustomerId} query={query} onQuery={setQuery} />
      )}
      {lines.map((line, i) => (
        <fieldset key={i} className="line" data-testid="offer-line">
          <legend>Line {i + 1}</legend>
          <Field label="Product" marked={marked.has(`lines[${i}].product_id`)}>
            <select name="product" value={line.product_id} onChange={(e) => pickProduct(i, e.target.value)}>
              <option value="">— product —</option>
              {Object.values(products).filter((p) => p.active !== false).map((p) => (
                <option key={p.product_id} value={p.product_id}>{p.name} · GST {p.gst_rate}%</option>))}
            </select>
          </Field>
          <div className="row">
            <Field label="Qty" problem={problems[`lines[${i}].quantity`]} marked={marked.has(`lines[${i}].quantity`)}><input name="quantity" inputMode="decimal" value={line.quantity} onChange={(e) => setLine(i, { quantity: e.target.value })} /></Field>
            <Field label="Unit price ₹" problem={problems[`lines[${i}].unit_price`]} marked={marked.has(`lines[${i}].unit_price`)}>
              <MoneyInput name="unit_price" label="Unit price" value={line.unit_price} onChange={(v) => setLine(i, { unit_price: v })}
                onProblem={(p) => setProblems((was) => ({ ...was, [`lines[${i}].unit_price`]: p }))} /></Field>
            <Field label="Disc. %" problem={problems[`lines[${i}].discount_pct`]} marked={marked.has(`lines[${i}].discount_pct`)}><input name="discount_pct" inputMode="decimal" value={line.discount_pct} onChange={(e) => setLine(i, { discount_pct: e.target.value })} /></Field>
          </div>
          <LineTotal priced={priced} inputs={inputs} line={line} listPrice={prices[line.product_id]} />
          {lines.length > 1 ? <button type="button" className="link" onClick={() => setLines(lines.filter((_, j) => j !== i))}>Remove line</button> : null}
        </fieldset>
      ))}
      <button type="button" className="secondary" onClick={() => setLines([...lines, { ...emptyLine }])}>Add product</button>
      {priced ? <Totals totals={priced.totals} supply={supply} /> : null}
      <ErrorLine error={error} />
      <button type="submit">{state && state.state === 'rejected' ? 'Fix and resend' : 'Save offer'}</button>
    </form>
  );
}

function LineTotal({ priced, inputs, line, listPrice }) {
  const index = inputs.findIndex((x) => x.product_id === line.product_id);
  if (!priced || index < 0) return null;
  // A price below the list is a discount too: the head judges 1 − net / (list × quantity).
  const gross = Number(listPrice) * inputs[index].quantity;
  const effective = gross > 0 ? (1 - Number(priced.lines[index].taxable) / gross) * 100 : null;
  const shown = effective !== null && Math.abs(effective - Number(inputs[index].discount_pct)) >= 0.01;
  return (
    <p className="muted">
      Line total {rupees(priced.lines[index].total)}
      {shown && effective >= 0 ? <span data-testid="effective-discount"> · {effective.toFixed(2)}% below the list price</span> : null}
      {shown && effective < 0 ? <span className="problem" data-testid="above-list"> · above the list price of {rupees(String(listPrice))}: the server takes the list price at most</span> : null}
    </p>
  );
}

function TotalRow({ label, value, id, grand }) {
  return (
    <div className={`total-row${grand ? ' grand' : ''}`}>
      <span>{label}</span><span className="amount" data-testid={id}>{rupees(value)}</span>
    </div>
  );
}

export function Totals({ totals, supply }) {
  return (
    <div className="totals" data-testid="offer-totals">
      <TotalRow label="Taxable" value={totals.taxable} id="total-taxable" />
      <TotalRow label="Discount" value={totals.discount} id="total-discount" />
      {supply === 'intra' ? (<>
        <TotalRow label="CGST" value={totals.cgst} id="total-cgst" />
        <TotalRow label="SGST" value={totals.sgst} id="total-sgst" />
      </>) : <TotalRow label="IGST" value={totals.igst} id="total-igst" />}
      <TotalRow label="Total" value={totals.grand_total} id="grand-total" grand />
    </div>
  );
}

export function LinesTable({ offer, products }) {
  return (
    <table className="lines">
      <thead><tr><th>Product</th><th>Qty</th><th>Price</th><th className="wide">Disc.</th><th className="wide">GST</th><th>Total</th></tr></thead>
      <tbody>
        {offer.lines.map((l, i) => (
          <tr key={i}>
            <td data-label="Product">{(products[`product:${l.product_id}`] || {}).name || l.product_id}</td>
            <td data-label="Qty">{l.quantity}</td><td data-label="Price">{rupees(l.unit_price)}</td>
            <td className="wide" data-label="Discount" data-testid="line-discount">{l.discount_pct}%</td>
            <td className="wide" data-label="GST" data-testid="line-gst">{l.gst_rate}%</td><td data-label="Total">{rupees(l.total)}</td>
          </tr>))}
      </tbody>
    </table>
  );
}

export function OfferPresent({ data, offer }) {
  const customer = data.customers[`customer:${offer.customer_id}`] || {};
  return (
    <div className="present" data-testid="offer-present">
      <h1>Offer for {customer.name || offer.customer_id}</h1>
      <p className="muted">Valid until {offer.valid_until} · {offer.supply === 'intra' ? 'CGST + SGST' : 'IGST'}</p>
      <LinesTable offer={offer} products={data.products} />
      <Totals totals={offer.totals} supply={offer.supply} />
      <a className="button" href={`#/offers/${offer._id}`}>Close</a>
    </div>
  );
}
