// One offer: its receipt, the head's decision, the customer's signature and the order.
import React, { useEffect, useState } from 'react';
import { offerHash, termsHash } from 'fieldsync-phone-data/canonical.js';
import { buildApproval, updateOffer } from 'fieldsync-phone-data/documents.js';
import { discountReason, discountState } from 'fieldsync-phone-data/receipts.js';
import { buildCancellation, buildRevision, canRevise, cancellationId, cancellationLabel, cancellationState,
  revisionOf, supersededBy } from 'fieldsync-phone-data/revisions.js';
import { sha256Hex } from '../shell/platform.js';
import { go } from '../shell/route.js';
import { stateOf } from './hooks.js';
import { getFix, locate } from './location.js';
import { save } from './session.js';
import SignaturePad from './SignaturePad.jsx';
import { LinesTable, Totals } from './Offers.jsx';
import { ConvertForm } from './Orders.jsx';
import { ErrorLine, Field, FixHeader, ReceiptBadge } from './ui.jsx';
import { fixDoc, markedFields } from 'fieldsync-phone-data/fixes.js';

function DiscountNotice({ state, reason, note }) {
  if (state === 'not_needed') return null;
  const text = { waiting: 'Waiting for head: the discount is above your limit.',
    approved: 'Your sales head approved the discount.',
    declined: 'Your sales head declined the discount: lower it and present again.' }[state];
  return (
    <div className={`notice notice-${state}`} data-testid="discount-state" data-state={state}>
      <p>{text}</p>
      {reason ? <p className="notice-reason" data-testid="discount-reason">{reason}</p> : null}
      {note && !reason ? <p className="notice-reason" data-testid="decision-note">Note from your sales head: {note}</p> : null}
    </div>);
}

/** The hash of the offer's commercial terms, as a head's decision binds them (null while it is
 * computed, or when the offer cannot be hashed). */
function useTermsHash(offer) {
  const [hash, setHash] = useState(null);
  useEffect(() => {
    let alive = true;
    setHash(null);
    termsHash(offer, sha256Hex).then((h) => { if (alive) setHash(h); }, () => {});
    return () => { alive = false; };
  }, [offer]);
  return hash;
}

/** The customer's signature; given a refused `approval`, signing again is its fixed revision. */
function SignForm({ session, offer, approval, state, onDone }) {
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
      const signed = buildApproval(ctx, offer, { signedBy: name, offerHash: hash, signaturePngBase64: signature });
      if (approval) {
        const { _id, _rev, created_at: createdAt } = approval;
        await save(session, fixDoc({ ...signed, _id, _rev, created_at: createdAt }, {}, ctx));
      } else {
        await save(session, signed);
      }
      if (offer.status !== 'approved') await save(session, updateOffer(offer, ctx, { status: 'approved' }));
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
      <FixHeader state={state} brief />
      <Field label="Customer's name"><input name="signed_by" value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <SignaturePad onChange={setSignature} />
      <ErrorLine error={error} />
      {note ? <p className="no-fix" data-testid="no-fix">{note}</p> : null}
      <button type="submit" disabled={busy || !signature || !name.trim()}>{busy ? 'Finding location…' : 'Save approval'}</button>
    </form>
  );
}

/** A refused order opened in its form: the customer's PO number and delivery date (marked when
 * refused), resent with the approved offer's customer, supply, lines and totals copied again. */
function OrderFix({ session, offer, order, state, onDone }) {
  const [values, setValues] = useState({ po_number: order.po_number || '', delivery_date: order.delivery_date || '' });
  const [error, setError] = useState('');
  const marked = markedFields(state, ['po_number', 'delivery_date']);
  const set = (key) => (e) => setValues({ ...values, [key]: e.target.value });
  async function resend(event) {
    event.preventDefault();
    try {
      const { loc } = await locate();
      const copied = { customer_id: offer.customer_id, supply: offer.supply, lines: offer.lines, totals: offer.totals };
      await save(session, fixDoc(order, { ...copied, po_number: values.po_number.trim() || undefined,
        delivery_date: values.delivery_date || undefined }, { ...session.ctx(), loc }));
      onDone();
    } catch (err) {
      setError(err.message);
    }
  }
  return (
    <form className="fix-form" data-testid="fix-form" onSubmit={resend}>
      <FixHeader state={state} brief />
      <Field label="Customer's PO number" marked={marked.has('po_number')}><input name="po_number" value={values.po_number} onChange={set('po_number')} /></Field>
      <Field label="Delivery date" marked={marked.has('delivery_date')}><input name="delivery_date" type="date" value={values.delivery_date} onChange={set('delivery_date')} /></Field>
      <ErrorLine error={error} />
      <button type="submit">Resend fixed order</button>
    </form>
  );
}

async function present(session, offer) {
  if (offer.status === 'draft') {
    const loc = await getFix();
    await save(session, updateOffer(offer, { ...session.ctx(), loc: loc || undefined }, { status: 'presented' }));
  }
  go(`/offers/${offer._id}/present`);
}

async function revise(session, offer) {
  const loc = await getFix();
  const revision = buildRevision({ ...session.ctx(), loc: loc || undefined }, offer);
  await save(session, revision);
  go(`/offers/${revision._id}/edit`);
}

function CancelOrder({ session, data, order }) {
  const request = (data.cancellations || []).find((c) => c._id === cancellationId(order));
  const shown = cancellationState(request, data.decisions[`decision:${cancellationId(order)}`]);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');

  async function submit(event) {
    event.preventDefault();
    setError('');
    try {
      const loc = await getFix();
      await save(session, buildCancellation({ ...session.ctx(), loc: loc || undefined }, order, reason, request));
      setAsking(false);
    } catch (err) {
      setError(err.message);
    }
  }

  const canAsk = shown.state === 'none' || shown.state === 'declined';
  return (
    <div data-testid="cancellation">
      {shown.state !== 'none'
        ? <p className={`notice notice-${shown.state}`} data-testid="cancellation-state" data-state={shown.state}>{cancellationLabel(shown)}</p> : null}
      {canAsk && !asking ? <button type="button" className="secondary" onClick={() => setAsking(true)}>Ask to cancel</button> : null}
      {asking ? (
        <form onSubmit={submit} data-testid="cancel-form">
          <Field label="Why should the order be cancelled?"><input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} /></Field>
          <ErrorLine error={error} />
          <button type="submit" disabled={!reason.trim()}>Send the request</button>
        </form>) : null}
    </div>
  );
}

export default function OfferDetail({ session, data, offer }) {
  const { customers, products, receipts, denied, decisions, approvals, orders } = data;
  const [signing, setSigning] = useState(false);
  const [fixing, setFixing] = useState('');
  const [error, setError] = useState('');
  const approval = approvals.find((a) => a.offer_id === offer._id);
  const order = orders.find((o) => o.offer_id === offer._id);
  const decision = decisions[`decision:${offer._id}`];
  const terms = useTermsHash(offer);
  const offerState = stateOf(offer, receipts, denied);
  const discount = discountState(offer, decision, session.user.discount_limit_pct, terms);
  const reason = discountReason(offer, decision, terms, offerState);
  const newer = supersededBy(offer, data.offers || []);
  // Until the terms are hashed a decision cannot be told apart from a voided one: no signing.
  const decided = discount === 'approved' && (terms !== null || !decision || !decision.terms_hash);
  const canSign = !newer && !approval && offer.status !== 'approved' && (discount === 'not_needed' || decided);
  const run = (fn) => fn().catch((err) => setError(err.message));
  const approvalState = approval ? stateOf(approval, receipts, denied) : null;
  const orderState = order ? stateOf(order, receipts, denied) : null;

  return (
    <section className="offer-detail" data-testid="offer-detail" data-status={offer.status}>
      <h2>{(customers[`customer:${offer.customer_id}`] || {}).name || offer.customer_id}</h2>
      <p className="muted">Status: <span data-testid="offer-status">{newer ? 'superseded' : offer.status}</span> · valid until {offer.valid_until}
        {revisionOf(offer) ? <> · <span data-testid="offer-revision">revision {revisionOf(offer)}</span></> : null}</p>
      {newer ? (
        <p className="notice" data-testid="superseded">Superseded by <a href={`#/offers/${newer._id}`}>revision {revisionOf(newer)}</a>.</p>) : null}
      <ReceiptBadge state={offerState} onFix={() => go(`/offers/${offer._id}/edit`)}
        onDiscard={() => session.sync.discardChange(offer._id)} />
      <DiscountNotice state={discount} reason={reason} note={decision && discount !== 'waiting' ? decision.note : ''} />
      <LinesTable offer={offer} products={products} />
      <Totals totals={offer.totals} supply={offer.supply} />
      <div className="actions">
        {!newer ? <button type="button" onClick={() => run(() => present(session, offer))}>Present</button> : null}
        {!approval && !newer ? <a className="button secondary" href={`#/offers/${offer._id}/edit`}>Edit</a> : null}
        {canRevise(offer, data.offers || []) && !order ? (
          <button type="button" className="secondary" onClick={() => run(() => revise(session, offer))}>Make a revision</button>) : null}
        {canSign && !signing ? <button type="button" onClick={() => setSigning(true)}>Capture approval</button> : null}
      </div>
      {approval && !order && !newer ? <ConvertForm session={session} offer={offer} approval={approval} /> : null}
      <ErrorLine error={error} />
      {signing && canSign ? <SignForm session={session} offer={offer} onDone={() => setSigning(false)} /> : null}
      {approval ? (
        <div className="sub" data-testid="approval">
          <h3>Approved by {approval.signed_by}</h3>
          {approval.no_fix ? <p className="no-fix muted" data-testid="no-fix">Signed without a GPS fix: {approval.no_fix}</p> : null}
          <ReceiptBadge state={approvalState} onFix={fixing ? undefined : () => setFixing('approval')}
            onDiscard={() => session.sync.discardChange(approval._id)} />
          {fixing === 'approval' && approvalState.state === 'rejected' ? (
            <SignForm session={session} offer={offer} approval={approval} state={approvalState} onDone={() => setFixing('')} />) : null}
        </div>) : null}
      {order ? (
        <div className="sub" data-testid="order">
          <h3>Order</h3>
          <p className="muted" data-testid="order-po">{order.po_number ? `PO ${order.po_number}` : 'no PO number'} · {order.delivery_date ? `delivery ${order.delivery_date}` : 'no delivery date'}</p>
          <ReceiptBadge state={orderState} onFix={fixing ? undefined : () => setFixing('order')}
            onDiscard={() => session.sync.discardChange(order._id)} />
          {fixing === 'order' && orderState.state === 'rejected' ? (
            <OrderFix session={session} offer={offer} order={order} state={orderState} onDone={() => setFixing('')} />) : null}
          <CancelOrder session={session} data={data} order={order} />
        </div>) : null}
    </section>
  );
}
