// Every document on the phone with what the server said about it; refusals first, with a fix.
import React from 'react';
import { Text } from 'react-native';
import { receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData } from '../hooks';
import { Card, Empty, Muted, Page, ReceiptBadge, Title, styles } from '../ui';

const ORDER = { rejected: 0, conflict: 1, pending: 2 };

/** Where a refused document of each type is fixed. */
function fixFor(navigation, doc) {
  if (doc.type === 'expense') return () => navigation.navigate('ExpenseForm', { id: doc._id });
  if (doc.type === 'offer') return () => navigation.navigate('OfferEdit', { id: doc._id });
  return null;
}

export default function ReceiptsScreen({ navigation }) {
  const data = useData();
  const docs = ['offers', 'approvals', 'orders', 'leads', 'visits', 'expenses', 'todos']
    .flatMap((key) => data[key] || [])
    .map((doc) => ({ doc, state: receiptOf(doc, data.receipts, data.denied) }))
    .sort((a, b) => (ORDER[a.state.state] ?? 3) - (ORDER[b.state.state] ?? 3));
  const refused = docs.filter((d) => d.state.state === 'rejected').length;
  return (
    <Page testID="receipts">
      <Title>Receipts</Title>
      <Muted testID="refused-count">{refused ? `${refused} refused: fix and resend` : 'Nothing refused'}</Muted>
      {docs.length === 0 ? <Empty>Nothing written yet.</Empty> : docs.map(({ doc, state }) => (
        <Card key={doc._id} testID="receipt-card">
          <Text style={styles.grand}>{doc.type}</Text>
          <Muted>{doc.updated_at}</Muted>
          <ReceiptBadge state={state} onFix={fixFor(navigation, doc)} />
        </Card>
      ))}
    </Page>
  );
}
