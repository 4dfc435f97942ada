// One offer: its receipt, the head's decision, the customer's signature and the order.
import React, { useEffect, useState } from 'react';
import { Text } from 'react-native';
import { offerHash, termsHash } from 'fieldsync-phone-data/canonical.js';
import { buildApproval, buildOrder, placed, updateOffer } from 'fieldsync-phone-data/documents.js';
import { discountReason, discountState, receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData, useSession } from '../hooks';
import SignaturePad from '../signature/SignaturePad';
import { Button, Card, ErrorLine, Field, LinesTable, Muted, Page, ReceiptBadge, Title, Totals } from '../ui';

const DISCOUNT = { waiting: 'Waiting for head: the discount is above your limit.',
  approved: 'Your sales head approved the discount.',
  declined: 'Your sales head declined the discount: lower it and present again.' };

// The hash of the offer's commercial terms; null until computed. A head's decision binds the
// terms it was made on, so a decision on other terms must not read as approved.
function useTermsHash(offer, sha256Hex) {
  const [hash, setHash] = useState(null);
  useEffect(() => {
    let alive = true;
    setHash(null);
    if (offer) termsHash(offer, sha256Hex).then((h) => { if (alive) setHash(h); }, () => {});
    return () => { alive = false; };
  }, [offer, sha256Hex]);
  return hash;
}

function SignForm({ offer, onDone }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [signature, setSignature] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit() {
    setBusy(true);
    setError('');
    try {
      // In a basement the customer still signs: the reason for no fix goes with the approval.
      const ctx = placed(session.ctx(), await session.locate(), session.noFixReason());
      const hash = await offerHash(offer, session.sha256Hex);
      await session.save(buildApproval(ctx, offer, { signedBy: name, offerHash: hash, signaturePngBase64: signature }));
      await session.save(updateOffer(offer, ctx, { status: 'approved' }));
      onDone();
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }
  return (
    <Card testID="sign-form">
      <Title>Customer approval</Title>
      <Field label="Customer's name" value={name} onChangeText={setName} />
      <SignaturePad onChange={setSignature} />
      <ErrorLine error={error} />
      <Button title="Save approval" onPress={submit} disabled={busy || !signature || !name.trim()} />
    </Card>
  );
}

// The customer's PO number and the delivery date she asked for, asked when the order is made.
function ConvertForm({ onConvert }) {
  const [po, setPo] = useState('');
  const [delivery, setDelivery] = useState('');
  const [error, setError] = useState('');
  function submit() {
    const day = delivery.trim();
    if (day && !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      setError('Write the delivery date as year-month-day, like 2026-12-20.');
      return;
    }
    setError('');
    onConvert({ po_number: po.trim() || undefined, delivery_date: day || undefined });
  }
  return (
    <Card testID="convert-form">
      <Field label="Customer's PO number" value={po} onChangeText={setPo} />
      <Field label="Delivery date" value={delivery} onChangeText={setDelivery} placeholder="2026-12-20" />
      <ErrorLine error={error} />
      <Button title="Convert to order" onPress={submit} />
    </Card>
  );
}

export default function OfferDetailScreen({ navigation, route }) {
  const session = useSession();
  const { offers, customers, products, receipts, denied, decisions, approvals, orders } = useData();
  const [signing, setSigning] = useState(false);
  const [error, setError] = useState('');
  const offer = (offers || []).find((o) => o._id === route.params.id);
  const terms = useTermsHash(offer, session.sha256Hex);
  if (!offer) return <Page><Muted>Opening the offer…</Muted></Page>;
  const approval = approvals.find((a) => a.offer_id === offer._id);
  const order = orders.find((o) => o.offer_id === offer._id);
  const decision = decisions[`decision:${offer._id}`];
  const discount = discountState(offer, decision, session.user.discount_limit_pct, terms);
  const reason = discountReason(offer, decision, terms, receiptOf(offer, receipts, denied));
  // Until the terms are hashed a decision cannot be told apart from a voided one: no signing.
  const decided = discount === 'approved' && (terms !== null || !decision || !decision.terms_hash);
  const canSign = !approval && offer.status !== 'approved' && (discount === 'not_needed' || decided);
  const run = (fn) => () => fn().catch((err) => setError(err.message));
  const here = async () => ({ ...session.ctx(), loc: (await session.locate()) || undefined });
  return (
    <Page testID="offer-detail">
      <Title>{(customers[`customer:${offer.customer_id}`] || {}).name || offer.customer_id}</Title>
      <Muted testID="offer-status">{offer.status}</Muted>
      <Muted>Valid until {offer.valid_until} · {offer.supply === 'intra' ? 'CGST + SGST' : 'IGST'}</Muted>
      <ReceiptBadge state={receiptOf(offer, receipts, denied)} onFix={() => navigation.navigate('OfferEdit', { id: offer._id })} />
      {discount !== 'not_needed' ? <Text testID="discount-state">{reason || DISCOUNT[discount]}</Text> : null}
      {discount === 'declined' && decision && decision.note ? <Text testID="decision-note">Note from your sales head: {decision.note}</Text> : null}
      <LinesTable lines={offer.lines} products={products} />
      <Totals totals={offer.totals} supply={offer.supply} />
      {offer.status === 'draft' ? <Button title="Present" kind="secondary"
        onPress={run(async () => session.save(updateOffer(offer, await here(), { status: 'presented' })))} /> : null}
      {!approval ? <Button title="Edit" kind="secondary" onPress={() => navigation.navigate('OfferEdit', { id: offer._id })} /> : null}
      {canSign && !signing ? <Button title="Capture approval" onPress={() => setSigning(true)} /> : null}
      {signing && canSign ? <SignForm offer={offer} onDone={() => setSigning(false)} /> : null}
      {approval && !order ? <ConvertForm onConvert={(extra) => run(async () => session.save(buildOrder(await here(), offer, approval, extra)))()} /> : null}
      <ErrorLine error={error} />
      {approval ? (
        <Card testID="approval">
          <Text>Approved by {approval.signed_by}</Text>
          <ReceiptBadge state={receiptOf(approval, receipts, denied)} />
        </Card>) : null}
      {order ? (
        <Card testID="order">
          <Text>Order</Text>
          <Muted testID="order-po">{order.po_number ? `PO ${order.po_number}` : 'no PO number'} · {order.delivery_date ? `delivery ${order.delivery_date}` : 'no delivery date'}</Muted>
          <ReceiptBadge state={receiptOf(order, receipts, denied)} />
        </Card>) : null}
    </Page>
  );
}
