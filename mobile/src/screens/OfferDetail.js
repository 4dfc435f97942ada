// One offer: its receipt, the head's decision, the customer's signature and the order.
import React, { useState } from 'react';
import { Text } from 'react-native';
import { offerHash } from 'fieldsync-phone-data/canonical.js';
import { buildApproval, buildOrder, placed, updateOffer } from 'fieldsync-phone-data/documents.js';
import { discountState, receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData, useSession } from '../hooks';
import SignaturePad from '../signature/SignaturePad';
import { Button, Card, ErrorLine, Field, LinesTable, Muted, Page, ReceiptBadge, Title, Totals } from '../ui';

const DISCOUNT = { waiting: 'Waiting for head: the discount is above your limit.',
  approved: 'Your sales head approved the discount.',
  declined: 'Your sales head declined the discount: lower it and present again.' };

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

export default function OfferDetailScreen({ navigation, route }) {
  const session = useSession();
  const { offers, customers, products, receipts, denied, decisions, approvals, orders } = useData();
  const [signing, setSigning] = useState(false);
  const [error, setError] = useState('');
  const offer = (offers || []).find((o) => o._id === route.params.id);
  if (!offer) return <Page><Muted>Opening the offer…</Muted></Page>;
  const approval = approvals.find((a) => a.offer_id === offer._id);
  const order = orders.find((o) => o.offer_id === offer._id);
  const discount = discountState(offer, decisions[`decision:${offer._id}`], session.user.discount_limit_pct);
  const canSign = !approval && offer.status !== 'approved' && (discount === 'not_needed' || discount === 'approved');
  const run = (fn) => () => fn().catch((err) => setError(err.message));
  const here = async () => ({ ...session.ctx(), loc: (await session.locate()) || undefined });
  return (
    <Page testID="offer-detail">
      <Title>{(customers[`customer:${offer.customer_id}`] || {}).name || offer.customer_id}</Title>
      <Muted testID="offer-status">{offer.status}</Muted>
      <Muted>Valid until {offer.valid_until} · {offer.supply === 'intra' ? 'CGST + SGST' : 'IGST'}</Muted>
      <ReceiptBadge state={receiptOf(offer, receipts, denied)} onFix={() => navigation.navigate('OfferEdit', { id: offer._id })} />
      {discount !== 'not_needed' ? <Text testID="discount-state">{DISCOUNT[discount]}</Text> : null}
      <LinesTable lines={offer.lines} products={products} />
      <Totals totals={offer.totals} supply={offer.supply} />
      {offer.status === 'draft' ? <Button title="Present" kind="secondary"
        onPress={run(async () => session.save(updateOffer(offer, await here(), { status: 'presented' })))} /> : null}
      {!approval ? <Button title="Edit" kind="secondary" onPress={() => navigation.navigate('OfferEdit', { id: offer._id })} /> : null}
      {canSign && !signing ? <Button title="Capture approval" onPress={() => setSigning(true)} /> : null}
      {signing && canSign ? <SignForm offer={offer} onDone={() => setSigning(false)} /> : null}
      {approval && !order ? <Button title="Convert to order"
        onPress={run(async () => session.save(buildOrder(await here(), offer, approval)))} /> : null}
      <ErrorLine error={error} />
      {approval ? (
        <Card testID="approval">
          <Text>Approved by {approval.signed_by}</Text>
          <ReceiptBadge state={receiptOf(approval, receipts, denied)} />
        </Card>) : null}
      {order ? (
        <Card testID="order">
          <Text>Order</Text>
          <ReceiptBadge state={receiptOf(order, receipts, denied)} />
        </Card>) : null}
    </Page>
  );
}
