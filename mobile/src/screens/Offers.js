// Offers: built with GST computed on the phone, offline; the list shows each one's receipt.
import React, { useState } from 'react';
import { Text, View } from 'react-native';
import { buildOffer, updateOffer } from 'fieldsync-phone-data/documents.js';
import { supplyFor } from 'fieldsync-phone-data/gst.js';
import { previewOffer, rupees, toInputs } from 'fieldsync-phone-data/forms.js';
import { receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData, useSession } from '../hooks';
import { Button, Card, Chooser, Empty, ErrorLine, Field, Muted, Page, ReceiptBadge, Title, Totals, styles } from '../ui';

const customerName = (customers, id) => (customers[`customer:${id}`] || {}).name || id;

export function OffersScreen({ navigation }) {
  const { offers, customers, receipts, denied } = useData();
  return (
    <Page testID="offers">
      <Button title="New offer" onPress={() => navigation.navigate('OfferEdit', {})} />
      {!offers || offers.length === 0 ? <Empty>No offers yet.</Empty> : offers.map((o) => (
        <Card key={o._id} testID="offer-card" onPress={() => navigation.navigate('OfferDetail', { id: o._id })}>
          <Text style={styles.grand}>{customerName(customers, o.customer_id)}</Text>
          <Text>{rupees(o.totals.grand_total)}</Text>
          <Muted>{o.status} · {o.lines.length} line(s)</Muted>
          <ReceiptBadge state={receiptOf(o, receipts, denied)} />
        </Card>
      ))}
    </Page>
  );
}

const emptyLine = () => ({ product_id: '', quantity: '1', unit_price: '', discount_pct: '0' });

function LineEditor({ line, index, products, prices, onChange, onRemove, priced }) {
  const items = Object.values(products).filter((p) => p.active !== false).map((p) => ({ ...p, id: p.product_id }));
  const total = priced && priced.lines[index] ? priced.lines[index].total : null;
  return (
    <Card testID="offer-line">
      <Chooser label="Product" items={items} value={line.product_id} describe={(p) => `${p.name} · GST ${p.gst_rate}%`}
        onChange={(id) => onChange({ product_id: id, unit_price: prices[id] || line.unit_price })} />
      <View style={styles.row}>
        <View style={styles.flex}><Field label="Qty" value={line.quantity} keyboardType="decimal-pad" onChangeText={(v) => onChange({ quantity: v })} /></View>
        <View style={styles.flex}><Field label="Price ₹" value={line.unit_price} keyboardType="decimal-pad" onChangeText={(v) => onChange({ unit_price: v })} /></View>
        <View style={styles.flex}><Field label="Disc. %" value={line.discount_pct} keyboardType="decimal-pad" onChangeText={(v) => onChange({ discount_pct: v })} /></View>
      </View>
      {total ? <Muted>Line total {rupees(total)}</Muted> : null}
      {onRemove ? <Button title="Remove line" kind="link" onPress={onRemove} /> : null}
    </Card>
  );
}

export function OfferEditScreen({ navigation, route }) {
  const session = useSession();
  const { customers, products, prices, offers } = useData();
  const offer = route.params && route.params.id ? (offers || []).find((o) => o._id === route.params.id) : null;
  const [customerId, setCustomerId] = useState(offer ? offer.customer_id : '');
  const [lines, setLines] = useState(offer ? offer.lines.map((l) => ({ ...l, quantity: String(l.quantity) })) : [emptyLine()]);
  const [error, setError] = useState('');
  const customer = customers[`customer:${customerId}`];
  const supply = !customer && offer ? offer.supply : supplyFor(customer && customer.state_code, session.config.company_state);
  // Lines without a product yet keep their place, so a line's index matches the priced lines.
  const filled = lines.filter((l) => l.product_id);
  const inputs = toInputs(filled, products);
  const priced = previewOffer(inputs, supply);
  const setLine = (i, patch) => setLines(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const customerItems = Object.values(customers).filter((c) => c.active !== false).map((c) => ({ ...c, id: c.customer_id }));
  async function save() {
    setError('');
    try {
      const loc = await session.locate();
      const ctx = { ...session.ctx(), loc: loc || undefined };
      const doc = offer ? updateOffer(offer, ctx, { inputs, supply, status: 'draft' })
        : buildOffer(ctx, { customer_id: customerId, customer, supply, inputs });
      const saved = await session.save(doc);
      navigation.replace('OfferDetail', { id: saved._id });
    } catch (err) {
      setError(err.message);
    }
  }
  return (
    <Page testID="offer-editor">
      <Title>{offer ? 'Edit offer' : 'New offer'}</Title>
      {offer ? <Text>{customerName(customers, offer.customer_id)}</Text> : (
        <Chooser label="Customer" items={customerItems} value={customerId} onChange={setCustomerId}
          describe={(c) => `${c.name} · ${c.city || c.customer_id}`} testID="customer-chooser" />)}
      {lines.map((line, i) => (
        <LineEditor key={i} line={line} index={filled.indexOf(line)} products={products} prices={prices} priced={priced}
          onChange={(patch) => setLine(i, patch)} onRemove={lines.length > 1 ? () => setLines(lines.filter((_, j) => j !== i)) : null} />
      ))}
      <Button title="Add product" kind="secondary" onPress={() => setLines([...lines, emptyLine()])} />
      {priced ? <Totals totals={priced.totals} supply={supply} /> : null}
      <ErrorLine error={error} />
      <Button title="Save offer" onPress={save} />
    </Page>
  );
}
