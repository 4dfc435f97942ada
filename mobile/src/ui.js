// Building blocks of the screens: large touch targets, labelled fields, receipt badges, totals.
import React from 'react';
import { Pressable, ScrollView, StyleSheet, Text, TextInput, View } from 'react-native';
import { receiptLabel } from 'fieldsync-phone-data/receipts.js';
import { rupees } from 'fieldsync-phone-data/forms.js';

export const colors = { primary: '#0b5394', muted: '#5f6b7a', danger: '#b3261e', ok: '#1e7b34', warn: '#8a5a00',
  line: '#d6dbe1', bg: '#ffffff' };

export function Page({ children, testID }) {
  return <ScrollView contentContainerStyle={styles.page} testID={testID} keyboardShouldPersistTaps="handled">{children}</ScrollView>;
}

export function Title({ children }) {
  return <Text style={styles.title} accessibilityRole="header">{children}</Text>;
}

export function Muted({ children, testID }) {
  return <Text style={styles.muted} testID={testID}>{children}</Text>;
}

export function Button({ title, onPress, disabled, kind = 'primary', testID }) {
  return (
    <Pressable accessibilityRole="button" accessibilityLabel={title} onPress={onPress} disabled={disabled} testID={testID}
      accessibilityState={{ disabled: Boolean(disabled) }}
      style={[styles.button, kind === 'secondary' && styles.secondary, kind === 'link' && styles.link, disabled && styles.disabled]}>
      <Text style={[styles.buttonText, kind !== 'primary' && styles.buttonTextAlt]}>{title}</Text>
    </Pressable>
  );
}

export function Field({ label, value, onChangeText, keyboardType, testID, placeholder, multiline, secure }) {
  return (
    <View style={styles.field}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} value={value} onChangeText={onChangeText} keyboardType={keyboardType}
        testID={testID} placeholder={placeholder} multiline={multiline} secureTextEntry={Boolean(secure)} style={styles.input} />
    </View>
  );
}

export function ErrorLine({ error }) {
  return error ? <Text style={styles.error} accessibilityRole="alert">{error}</Text> : null;
}

export function Empty({ children }) {
  return <Text style={[styles.muted, styles.empty]}>{children}</Text>;
}

export function Card({ children, onPress, testID }) {
  const body = <View style={styles.card} testID={testID}>{children}</View>;
  return onPress ? <Pressable onPress={onPress} accessibilityRole="button">{body}</Pressable> : body;
}

const BADGE = { accepted: colors.ok, merged: colors.ok, rejected: colors.danger, conflict: colors.warn, pending: colors.muted };

/** The receipt of one document: a badge, the reason when refused, and the way to fix it. */
export function ReceiptBadge({ state, onFix }) {
  return (
    <View style={styles.receipt} testID="receipt">
      <Text style={[styles.badge, { backgroundColor: BADGE[state.state] || colors.muted }]} testID={`receipt-${state.state}`}>
        {receiptLabel(state)}</Text>
      {state.erp && state.erp.number ? <Text testID="erp-number">ERP {state.erp.number}</Text> : null}
      {state.state === 'rejected' || state.state === 'conflict' ? (
        <Text style={styles.reason} testID="receipt-reason">{state.reason || 'The server refused this document.'}</Text>
      ) : null}
      {state.state === 'rejected' && onFix ? <Button title="Fix and resend" kind="secondary" onPress={onFix} /> : null}
    </View>
  );
}

function TotalRow({ label, value, id, grand }) {
  return (
    <View style={styles.totalRow}>
      <Text style={grand ? styles.grand : null}>{label}</Text>
      <Text style={grand ? styles.grand : null} testID={id}>{rupees(value)}</Text>
    </View>
  );
}

export function Totals({ totals, supply }) {
  return (
    <View style={styles.totals} testID="offer-totals">
      <TotalRow label="Taxable" value={totals.taxable} id="total-taxable" />
      <TotalRow label="Discount" value={totals.discount} id="total-discount" />
      {supply === 'intra' ? (<>
        <TotalRow label="CGST" value={totals.cgst} id="total-cgst" />
        <TotalRow label="SGST" value={totals.sgst} id="total-sgst" />
      </>) : <TotalRow label="IGST" value={totals.igst} id="total-igst" />}
      <TotalRow label="Total" value={totals.grand_total} id="grand-total" grand />
    </View>
  );
}

/** The offer's lines in three columns that fit a 360 dp screen; discount and GST on a second
 * line under the product instead of two more columns. */
export function LinesTable({ lines, products }) {
  return (
    <View style={styles.table} testID="lines-table">
      <View style={[styles.tr, styles.th]}>
        <Text style={styles.cProduct}>Product</Text><Text style={styles.cQty}>Qty</Text><Text style={styles.cTotal}>Total</Text>
      </View>
      {lines.map((l, i) => (
        <View style={styles.tr} key={i} testID="line-row">
          <View style={styles.cProduct}>
            <Text>{(products[`product:${l.product_id}`] || {}).name || l.product_id}</Text>
            <Text style={styles.small}>{rupees(l.unit_price)} · disc {l.discount_pct}% · GST {l.gst_rate}%</Text>
          </View>
          <Text style={styles.cQty}>{l.quantity}</Text>
          <Text style={styles.cTotal}>{rupees(l.total)}</Text>
        </View>
      ))}
    </View>
  );
}

/** A searchable list to pick one item from (customers, products), usable offline. */
export function Chooser({ label, items, value, onChange, describe, testID }) {
  const [query, setQuery] = React.useState('');
  const chosen = items.find((item) => item.id === value);
  const q = query.trim().toLowerCase();
  const shown = q ? items.filter((item) => describe(item).toLowerCase().includes(q)).slice(0, 8) : [];
  return (
    <View style={styles.field} testID={testID}>
      <Text style={styles.label}>{label}{chosen ? `: ${describe(chosen)}` : ''}</Text>
      <TextInput accessibilityLabel={`Search ${label.toLowerCase()}`} placeholder={`Search ${label.toLowerCase()}`}
        value={query} onChangeText={setQuery} style={styles.input} />
      {shown.map((item) => (
        <Pressable key={item.id} accessibilityRole="button" accessibilityLabel={describe(item)} style={styles.option}
          onPress={() => { onChange(item.id); setQuery(''); }}>
          <Text>{describe(item)}</Text>
        </Pressable>
      ))}
    </View>
  );
}

export const styles = StyleSheet.create({
  page: { padding: 16, gap: 12, backgroundColor: colors.bg },
  title: { fontSize: 22, fontWeight: '600' },
  muted: { color: colors.muted },
  empty: { paddingVertical: 24, textAlign: 'center' },
  button: { minHeight: 48, borderRadius: 8, backgroundColor: colors.primary, justifyContent: 'center',
    paddingHorizontal: 16, marginVertical: 4 },
  secondary: { backgroundColor: '#e8eef6' },
  link: { backgroundColor: 'transparent', minHeight: 40 },
  disabled: { opacity: 0.5 },
  buttonText: { color: '#fff', fontSize: 16, fontWeight: '600', textAlign: 'center' },
  buttonTextAlt: { color: colors.primary },
  field: { gap: 4 },
  label: { fontSize: 14, color: colors.muted },
  input: { minHeight: 48, borderWidth: 1, borderColor: colors.line, borderRadius: 6, paddingHorizontal: 12, fontSize: 16 },
  error: { color: colors.danger },
  card: { borderWidth: 1, borderColor: colors.line, borderRadius: 8, padding: 12, gap: 4 },
  receipt: { gap: 4, alignItems: 'flex-start' },
  badge: { color: '#fff', paddingHorizontal: 8, paddingVertical: 2, borderRadius: 10, overflow: 'hidden' },
  reason: { color: colors.danger },
  totals: { borderTopWidth: 1, borderColor: colors.line, paddingTop: 8 },
  totalRow: { flexDirection: 'row', justifyContent: 'space-between', paddingVertical: 2 },
  grand: { fontWeight: '700', fontSize: 17 },
  table: { borderWidth: 1, borderColor: colors.line, borderRadius: 6 },
  tr: { flexDirection: 'row', padding: 6, gap: 6, borderBottomWidth: 1, borderColor: colors.line },
  th: { backgroundColor: '#f3f5f8' },
  cProduct: { flex: 1 },
  cQty: { width: 40, textAlign: 'right' },
  cTotal: { width: 104, textAlign: 'right' },
  small: { fontSize: 12, color: colors.muted },
  option: { minHeight: 44, justifyContent: 'center', paddingHorizontal: 12, borderBottomWidth: 1, borderColor: colors.line },
  row: { flexDirection: 'row', gap: 8 },
  flex: { flex: 1 },
});
