// Travel expenses with the receipt photo; a refused one shows the reason and opens for a fix.
import React, { useEffect, useState } from 'react';
import { Image, Text, View } from 'react-native';
import { EXPENSE_MODES, buildExpense, expenseFields, localDate, photoAttachment, touched } from 'fieldsync-phone-data/documents.js';
import { normaliseMoney, rupees } from 'fieldsync-phone-data/forms.js';
import { expenseTermsHash } from 'fieldsync-phone-data/canonical.js';
import { expenseDecision, receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData, useSession } from '../hooks';
import { keepThumbnail, takePhoto } from '../media/photos';
import { Button, Card, Empty, ErrorLine, Field, Muted, Page, ReceiptBadge, Title, styles } from '../ui';

function Thumbnail({ id }) {
  const session = useSession();
  const [base64, setBase64] = useState(null);
  useEffect(() => {
    session.dbs.me.get(`_local/thumbnail:${id}`).then((t) => setBase64(t.base64), () => setBase64(null));
  }, [session, id]);
  return base64 ? <Image source={{ uri: `data:image/jpeg;base64,${base64}` }} style={{ width: 48, height: 48 }} /> : null;
}

// The sales head's decision (approved, declined with her note, reimbursed); one made on other
// terms reads as waiting again.
function HeadDecision({ expense, decision }) {
  const session = useSession();
  const [terms, setTerms] = useState(null);
  useEffect(() => {
    let alive = true;
    expenseTermsHash(expense, session.sha256Hex).then((h) => { if (alive) setTerms(h); }, () => {});
    return () => { alive = false; };
  }, [expense, session]);
  const shown = expenseDecision(decision, terms);
  if (shown.state === 'none') return null;
  return (
    <View testID="expense-decision">
      <Text style={styles.grand}>{shown.label}</Text>
      {shown.note ? <Text testID="decision-note">“{shown.note}”</Text> : null}
    </View>);
}

export function ExpensesScreen({ navigation }) {
  const { expenses, receipts, denied, decisions } = useData();
  return (
    <Page testID="expenses">
      <Button title="New expense" onPress={() => navigation.navigate('ExpenseForm', {})} />
      {(expenses || []).length === 0 ? <Empty>No expenses yet.</Empty> : expenses.map((x) => (
        <Card key={x._id} testID="expense-card">
          <View style={styles.row}>
            <Thumbnail id={x._id} />
            <View style={styles.flex}>
              <Text style={styles.grand}>{x.from_place} → {x.to_place}</Text>
              <Text>{rupees(x.amount)}</Text>
              <Muted>{x.date} · {x.mode} · {x.km} km{x._attachments ? ' · photo' : ''}</Muted>
            </View>
          </View>
          <ReceiptBadge state={receiptOf(x, receipts, denied)} onFix={() => navigation.navigate('ExpenseForm', { id: x._id })} />
          <HeadDecision expense={x} decision={(decisions || {})[`decision:${x._id}`]} />
        </Card>
      ))}
    </Page>
  );
}

const BLANK = { date: '', from_place: '', to_place: '', mode: 'bike', km: '', amount: '', purpose: '' };

export function ExpenseFormScreen({ navigation, route }) {
  const session = useSession();
  const { expenses } = useData();
  const expense = route.params && route.params.id ? (expenses || []).find((x) => x._id === route.params.id) : null;
  const [values, setValues] = useState(expense ? { ...BLANK, ...expense, km: String(expense.km) } : { ...BLANK, date: localDate() });
  const [photo, setPhoto] = useState(null);
  const [error, setError] = useState('');
  const set = (key) => (v) => setValues({ ...values, [key]: v });
  const pick = (fromCamera) => takePhoto({ fromCamera }).then((p) => { if (p) setPhoto(p); }, (err) => setError(err.message));
  async function save() {
    setError('');
    try {
      const fields = { ...values, amount: normaliseMoney(values.amount) };
      let doc;
      if (expense) {
        doc = touched(expense, expenseFields(fields), session.ctx());
        if (photo) doc._attachments = photoAttachment(photo);
      } else {
        doc = buildExpense(session.ctx(), fields, photo);
      }
      const saved = await session.save(doc);
      if (photo && photo.thumbnail) await keepThumbnail(session.dbs.me, saved._id, photo.thumbnail);
      navigation.goBack();
    } catch (err) {
      setError(err.message);
    }
  }
  return (
    <Page testID="expense-form">
      <Title>{expense ? 'Fix expense' : 'New expense'}</Title>
      <Field label="Date" value={values.date} onChangeText={set('date')} />
      <Muted>Mode</Muted>
      <View style={[styles.row, { flexWrap: 'wrap' }]}>
        {EXPENSE_MODES.map((m) => <Button key={m} title={m} kind={values.mode === m ? 'primary' : 'secondary'} onPress={() => set('mode')(m)} />)}
      </View>
      <Field label="From" value={values.from_place} onChangeText={set('from_place')} />
      <Field label="To" value={values.to_place} onChangeText={set('to_place')} />
      <Field label="Km" value={values.km} keyboardType="decimal-pad" onChangeText={set('km')} />
      <Field label="Amount ₹" value={values.amount} keyboardType="decimal-pad" onChangeText={set('amount')} />
      <Field label="Purpose" value={values.purpose} onChangeText={set('purpose')} />
      <Button title={photo ? 'Retake receipt photo' : 'Photograph the receipt'} kind="secondary" onPress={() => pick(true)} />
      <Button title="Pick a photo" kind="link" onPress={() => pick(false)} />
      {photo ? <Muted>Photo ready ({Math.round((photo.base64.length * 3) / 4 / 1024)} kB)</Muted> : null}
      <ErrorLine error={error} />
      <Button title={expense ? 'Save and resend' : 'Save expense'} onPress={save} />
    </Page>
  );
}
