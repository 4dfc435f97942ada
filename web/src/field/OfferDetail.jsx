// One offer: its receipt, the head's decision, the customer's signature and the order.
import React, { useState } from 'react';
import { offerHash } from 'fieldsync-phone-data/canonical.js';
import { buildApproval, buildOrder, updateOffer } from 'fieldsync-phone-data/documents.js';
import { discountState } from 'fieldsync-phone-data/receipts.js';
import { sha256Hex } from '../shell/platform.js';
import { go } from '../shell/route.js';
import { stateOf } from './hooks.js';
import { getFix, locate } from './location.js';
import { save } from './session.js';
import SignaturePad from './SignaturePad.jsx';
import { LinesTable, Totals } from './Offers.jsx';
import { ErrorLine, Field, ReceiptBadge } from './ui.jsx';

function DiscountNotice({ state }) {
  if (state === 'not_needed') return null;
  const text = { waiting: 'Waiting for head: the discount is above your limit.',
    approved: 'Your sales head approved the discount.',
    declined: 'Your sales head declined the discount: lower it and present again.' }[state];
  return <p className={`notice notice-${state}`} data-testid="discount-state" data-state={state}>{text}</p>;
}

function SignForm({ session, offer, onDone }) {
  const [name, setName] = useState('');
  const [signature, setSignature] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      // In a basement the customer still signs: the reason for no fix goes with the approval.
      const { loc, noFix } = await locate();
      if (noFix) setNote(`No GPS fix (${noFix}): the approval is saved and your head will see why.`);
      const ctx = { ...session.ctx(), loc, noFix };
      const hash = await offerHash(offer, sha256Hex);
      const approval = buildApproval(ctx, offer, { signedBy: name, offerHash: hash, signaturePngBase64: signature });
      await save(session, approval);
      await save(session, updateOffer(offer, ctx, { status: 'approved' }));
      onDone();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sign" onSubmit={submit} data-testid="sign-form">
      <h3>Customer approval</h3>
      <Field label="Customer's name"><input name="signed_by" value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <SignaturePad onChange={setSignature} />
      <ErrorLine error={error} />
      {note ? <p className="no-fix" data-testid="no-fix">{note}</p> : null}
      <button type="submit" disabled={busy || !signature || !name.trim()}>{busy ? 'Finding location…' : 'Save approval'}</button>
    </form>
  );
}

async function convert(session, offer, approval) {
  const loc = await getFix();
  const order = buildOrder({ ...session.ctx(), loc: loc || undefined }, offer, approval);
  await save(session, order);
}

async function present(session, offer) {
  if (offer.status === 'draft') {
    const loc = await getFix();
    await save(session, updateOffer(offer, { ...session.ctx(), loc: loc || undefined }, { status: 'presented' }));
  }
  go(`/offers/${offer._id}/present`);
}

export default function OfferDetail({ session, data, offer }) {
  const { customers, products, receipts, denied, decisions, approvals, orders } = data;
  const [signing, setSigning] = useState(false);
  const [error, setError] = useState('');
  const approval = approvals.find((a) => a.offer_id === offer._id);
  const order = orders.find((o) => o.offer_id === offer._id);
  const discount = discountState(offer, decisions[`decision:${offer._id}`], session.user.discount_limit_pct);
  const canSign = !approval && offer.status !== 'approved' && (discount === 'not_needed' || discount === 'approved');
  const run = (fn) => fn().catch((err) => setError(err.message));

  return (
    <section className="offer-detail" data-testid="offer-detail" data-status={offer.status}>
      <h2>{(customers[`customer:${offer.customer_id}`] || {}).name || offer.customer_id}</h2>
      <p className="muted">Status: <span data-testid="offer-status">{offer.status}</span> · valid until {offer.valid_until}</p>
      <ReceiptBadge state={stateOf(offer, receipts, denied)} onFix={() => go(`/offers/${offer._id}/edit`)} />
      <DiscountNotice state={discount} />
      <LinesTable offer={offer} products={products} />
      <Totals totals={offer.totals} supply={offer.supply} />
      <div className="actions">
        <button type="button" onClick={() => run(() => present(session, offer))}>Present</button>
        {!approval ? <a className="button secondary" href={`#/offers/${offer._id}/edit`}>Edit</a> : null}
        {canSign && !signing ? <button type="button" onClick={() => setSigning(true)}>Capture approval</button> : null}
        {approval && !order ? <button type="button" onClick={() => run(() => convert(session, offer, approval))}>Convert to order</button> : null}
      </div>
      <ErrorLine error={error} />
      {signing && canSign ? <SignForm session={session} offer={offer} onDone={() => setSigning(false)} /> : null}
      {approval ? (
        <div className="sub" data-testid="approval">
          <h3>Approved by {approval.signed_by}</h3>
          {approval.no_fix ? <p className="no-fix muted" data-testid="no-fix">Signed without a GPS fix: {approval.no_fix}</p> : null}
          <ReceiptBadge state={stateOf(approval, receipts, denied)} />
        </div>) : null}
      {order ? (
        <div className="sub" data-testid="order">
          <h3>Order</h3>
          <ReceiptBadge state={stateOf(order, receipts, denied)} />
        </div>) : null}
    </section>
  );
}
