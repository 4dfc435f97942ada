// Leads and their stages, visits with check-in and check-out, and to-dos.
import React, { useState } from 'react';
import { Switch, Text, View } from 'react-native';
import { STAGE_FIELDS, buildLead, buildTodo, checkIn, checkOut, moveLead, nextStage, placed, touched } from 'fieldsync-phone-data/documents.js';
import { receiptOf } from 'fieldsync-phone-data/receipts.js';
import { useData, useSession } from '../hooks';
import { Button, Card, Chooser, Empty, ErrorLine, Field, Muted, Page, ReceiptBadge, Title, styles } from '../ui';

function useAction() {
  const [error, setError] = useState('');
  const run = (fn) => { setError(''); return fn().catch((err) => setError(err.message)); };
  return [error, run];
}

function CustomerChooser({ value, onChange }) {
  const { customers } = useData();
  const items = Object.values(customers).filter((c) => c.active !== false).map((c) => ({ ...c, id: c.customer_id }));
  return <Chooser label="Customer" items={items} value={value} onChange={onChange} describe={(c) => `${c.name} · ${c.city || c.customer_id}`} />;
}

function StageForm({ lead }) {
  const session = useSession();
  const stage = nextStage(lead.stage);
  const [values, setValues] = useState({});
  const [error, run] = useAction();
  if (!stage || lead.stage === 'lost') return null;
  const move = (to, extra) => run(async () => {
    const loc = await session.locate();
    await session.save(moveLead(lead, { ...session.ctx(), loc: loc || undefined }, to, extra));
    setValues({});
  });
  const details = Object.fromEntries(STAGE_FIELDS[stage].filter((f) => values[f]).map((f) => [f, values[f]]));
  return (
    <View>
      {STAGE_FIELDS[stage].map((f) => (
        <Field key={f} label={`${stage.replace('_', ' ')} ${f.replace('_', ' ')}`} value={values[f] || ''}
          onChangeText={(v) => setValues({ ...values, [f]: v })} />))}
      <Button title={`Move to ${stage.replace('_', ' ')}`} onPress={() => move(stage, { details })} />
      <Button title="Mark lost" kind="secondary" onPress={() => move('lost', { lost_reason: values.lost_reason || 'Customer chose another offer' })} />
      <ErrorLine error={error} />
    </View>
  );
}

export function LeadsScreen() {
  const session = useSession();
  const { leads, receipts, denied } = useData();
  const [title, setTitle] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [error, run] = useAction();
  const add = () => run(async () => {
    const loc = await session.locate();
    await session.save(buildLead({ ...session.ctx(), loc: loc || undefined }, { customer_id: customerId, title }));
    setTitle('');
  });
  return (
    <Page testID="leads">
      <Title>New lead</Title>
      <Field label="Title" value={title} onChangeText={setTitle} />
      <CustomerChooser value={customerId} onChange={setCustomerId} />
      <ErrorLine error={error} />
      <Button title="Add lead" onPress={add} />
      {(leads || []).length === 0 ? <Empty>No leads yet.</Empty> : leads.map((lead) => (
        <Card key={lead._id} testID="lead-card">
          <Text style={styles.grand}>{lead.title}</Text>
          <Muted testID="lead-stage">{lead.stage.replace('_', ' ')}</Muted>
          <ReceiptBadge state={receiptOf(lead, receipts, denied)} />
          <StageForm lead={lead} />
        </Card>
      ))}
    </Page>
  );
}

function CheckOut({ visit }) {
  const session = useSession();
  const [outcome, setOutcome] = useState('');
  const [error, run] = useAction();
  const done = () => run(async () => {
    const ctx = placed(session.ctx(), await session.locate(), session.noFixReason());
    await session.save(checkOut(visit, ctx, { outcome }));
  });
  return (
    <View>
      <Field label="Outcome" value={outcome} onChangeText={setOutcome} />
      <Button title="Check out" onPress={done} />
      <ErrorLine error={error} />
    </View>
  );
}

export function VisitsScreen() {
  const session = useSession();
  const { visits, customers, receipts, denied } = useData();
  const [customerId, setCustomerId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [error, run] = useAction();
  const start = () => run(async () => {
    // No fix in a basement is no reason to turn the engineer away: the reason is recorded.
    const ctx = placed(session.ctx(), await session.locate(), session.noFixReason());
    await session.save(checkIn(ctx, { customer_id: customerId,
      customer: customers[`customer:${customerId}`], purpose }));
    setPurpose('');
  });
  return (
    <Page testID="visits">
      <Title>Check in</Title>
      <CustomerChooser value={customerId} onChange={setCustomerId} />
      <Field label="Purpose" value={purpose} onChangeText={setPurpose} />
      <ErrorLine error={error} />
      <Button title="Check in" onPress={start} />
      {(visits || []).length === 0 ? <Empty>No visits yet.</Empty> : visits.map((v) => (
        <Card key={v._id} testID="visit-card">
          <Text style={styles.grand}>{(customers[`customer:${v.customer_id}`] || {}).name || v.customer_id}</Text>
          <Muted>{v.purpose} · in {v.check_in.at.slice(11, 16)}{v.check_out ? ` · out ${v.check_out.at.slice(11, 16)}` : ''}</Muted>
          <ReceiptBadge state={receiptOf(v, receipts, denied)} />
          {v.check_out ? null : <CheckOut visit={v} />}
        </Card>
      ))}
    </Page>
  );
}

export function TodosScreen() {
  const session = useSession();
  const { todos, receipts, denied } = useData();
  const [title, setTitle] = useState('');
  const [error, run] = useAction();
  const add = () => run(async () => { await session.save(buildTodo(session.ctx(), { title })); setTitle(''); });
  const toggle = (t) => run(() => session.save(touched(t, { done: !t.done }, session.ctx())));
  return (
    <Page testID="todos">
      <Field label="To-do" value={title} onChangeText={setTitle} />
      <ErrorLine error={error} />
      <Button title="Add to-do" onPress={add} />
      {(todos || []).length === 0 ? <Empty>Nothing to do.</Empty> : todos.map((t) => (
        <Card key={t._id} testID="todo-card">
          <View style={[styles.row, { alignItems: 'center' }]}>
            <Switch value={t.done} onValueChange={() => toggle(t)} accessibilityLabel={`Done: ${t.title}`} />
            <Text style={styles.flex}>{t.title}</Text>
          </View>
          <ReceiptBadge state={receiptOf(t, receipts, denied)} />
        </Card>
      ))}
    </Page>
  );
}
