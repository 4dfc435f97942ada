// Money, quantities and km as engineers type them; refused documents back in their forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApproval, buildExpense, buildLead, buildOffer, buildOrder, buildTodo, checkIn, checkOut, moveLead, placed } from '../src/documents.js';
import { detailValues, fixDoc, fixLead, markedFields, readExpense, readStage, readTexts } from '../src/fixes.js';
import { parseKm, parseMoney, parsePercent, parseQuantity, showMoney } from '../src/typed.js';
import { provideContract, schemaProblems } from '../src/contract.js';
import * as validators from '../src/validators.js';

provideContract(validators);

const ctx = { owner: 'asha', deviceId: 'web-1', now: new Date('2026-11-29T10:15:00Z') };

test('money typed the usual ways becomes two-place text', () => {
  for (const typed of ['450000', '4,50,000', '450,000', '₹4,50,000', 'Rs. 4,50,000.00', 'INR 450000',
    ' 450000.0 ', '4.5 lakh', '4.5 lakhs', '4.5L', '0.045 crore', '450k', '450000.']) {
    assert.deepEqual(parseMoney(typed), { value: '450000.00' }, typed);
  }
  assert.deepEqual(parseMoney('₹4,50,000.50'), { value: '450000.50' });
  assert.deepEqual(parseMoney('.5'), { value: '0.50' });
  assert.deepEqual(parseMoney('12,34,56,789.5'), { value: '123456789.50' });
  assert.deepEqual(parseMoney('1.25 lakh'), { value: '125000.00' });
  assert.deepEqual(parseMoney('1.234567 lakh'), { value: '123456.70' });
});

test('money that is not money gets a message for people, on the spot', () => {
  for (const typed of ['two hundred', '4,,50,000', ',450', '450000.505', '4.5 bananas', '12e3', 'lakh', '₹']) {
    const read = parseMoney(typed, { label: 'Proposal value' });
    assert.equal(read.value, null, typed);
    assert.match(read.error, /^Proposal value /, typed);
    assert.doesNotMatch(read.error, /digits|regex|\^|\$/, typed);
  }
  // Below zero or left empty is the contract's to say, in its catalogue's words.
  assert.deepEqual(parseMoney('-5'), { value: '-5.00' });
  assert.deepEqual(parseMoney(''), { value: null });
});

test('the amount is shown back with lakh grouping', () => {
  assert.equal(showMoney('450000'), '4,50,000.00');
  assert.equal(showMoney('₹4,50,000.50'), '4,50,000.50');
  assert.equal(showMoney('12345678'), '1,23,45,678.00');
  assert.equal(showMoney('999'), '999.00');
  assert.equal(showMoney('two hundred'), 'two hundred');
});

test('quantities, km and discounts as typed', () => {
  assert.deepEqual(parseQuantity('1,000'), { value: 1000 });
  assert.deepEqual(parseQuantity('2.5'), { value: 2.5 });
  assert.equal(parseQuantity('two').error, 'Quantity: write it in figures, like 12 or 12.5');
  assert.deepEqual(parseKm('12 km'), { value: 12 });
  assert.deepEqual(parseKm('12.5'), { value: 12.5 });
  assert.equal(parseKm('two hundred').error, 'Km: write it in figures, like 12 or 12.5');
  assert.deepEqual(parsePercent('5%'), { value: 5 });
  // Figures out of range are read as typed: the contract refuses them with the catalogue's words.
  assert.deepEqual(parseQuantity('0'), { value: 0 });
  assert.deepEqual(parseQuantity(''), { value: null });
  assert.deepEqual(parseKm('-5'), { value: -5 });
  assert.deepEqual(parseKm('4,50,000'), { value: 450000 });
  assert.deepEqual(parsePercent('120'), { value: 120 });
});

test('one set of messages: a typed value out of range gets the catalogue\'s words', () => {
  const typed = readExpense({ date: '2026-11-29', from_place: 'Mysuru', to_place: 'Mandya', mode: 'bike',
    km: '4,50,000 km', amount: '-5', purpose: 'Visit' });
  const expense = buildExpense(ctx, typed.fields);
  const found = schemaProblems(expense);
  assert.deepEqual(found.map((p) => [p.field, p.text]).sort(), [
    ['amount', 'Amount cannot be less than 0'], ['km', 'Distance can be at most 100,000 km']]);
  const offer = { ...buildOffer(ctx, { customer_id: 'C-1', supply: 'intra', inputs: [{ product_id: 'P-1',
    quantity: 1, unit_price: '100.00', discount_pct: '0', gst_rate: '18' }] }) };
  offer.lines[0].quantity = parseQuantity('0').value;
  assert.deepEqual(schemaProblems(offer).map((p) => p.text), ['Quantity must be more than 0']);
  const lead = moveLead(buildLead(ctx, { customer_id: 'C-1', title: 'Cold room' }), ctx, 'proposal',
    { details: readStage('proposal', { value: '' }).details });
  assert.deepEqual(schemaProblems(lead).map((p) => [p.field, p.text]),
    [['details.proposal.value', 'Proposal value is needed']]);
});

test('each lead stage asks for what the server requires, typed the usual way', () => {
  assert.deepEqual(readStage('proposal', { value: '4,50,000' }), { details: { value: '450000.00' }, errors: {} });
  const po = readStage('po', { number: 'PO-77', amount: '4.5 lakh' });
  assert.deepEqual(po, { details: { number: 'PO-77', amount: '450000.00' }, errors: {} });
  assert.deepEqual(readStage('po', { number: 'PO-77', amount: '450000', date: '2026-11-30' }).details,
    { number: 'PO-77', date: '2026-11-30', amount: '450000.00' });
  assert.deepEqual(readStage('installation', { date: '2026-12-20' }).errors, {});
  assert.equal(readStage('advance', { amount: 'two hundred', payment_ref: 'UTR1' }).errors.amount,
    'Amount must be in figures, like 4,50,000 or 450000.50');
});

test('a lead refused for its proposal value is fixed in place and keeps its history', () => {
  const lead = buildLead(ctx, { customer_id: 'C-1003', title: 'Cold room' });
  const proposed = moveLead(lead, ctx, 'proposal', { details: { value: '4,50,000' } });
  const moved = { ...moveLead(proposed, ctx, 'po', { details: { number: 'PO-1', date: '2026-11-30', amount: '450000' } }), _rev: '3-abc' };
  const state = { state: 'rejected', errors: [],
    reason: 'details.proposal: value must be digits with exactly two decimal places, not "4,50,000"' };
  const values = detailValues(moved);
  assert.equal(values['proposal.value'], '4,50,000');
  assert.deepEqual([...markedFields(state, Object.keys(values).map((k) => `details.${k}`))], ['details.proposal.value']);
  const { doc } = fixLead(moved, values, ctx);
  assert.equal(doc._id, moved._id);
  assert.equal(doc._rev, '3-abc');
  assert.deepEqual(doc.history.map((h) => h.stage), ['potential', 'proposal', 'po']);
  assert.deepEqual(doc.details, { proposal: { value: '450000.00' }, po: { number: 'PO-1', date: '2026-11-30', amount: '450000.00' } });
  assert.deepEqual(fixLead(moved, { ...values, 'po.amount': 'lots' }, ctx).errors,
    { 'po.amount': 'Amount must be in figures, like 4,50,000 or 450000.50' });
});

test('the worker receipt names the fields to mark', () => {
  const state = { state: 'rejected', reason: '', errors: [{ field: 'lines[0].quantity', message: 'x' }, { field: 'km', message: 'y' }] };
  assert.deepEqual([...markedFields(state, ['km', 'amount', 'lines[0].quantity', 'lines'])].sort(), ['km', 'lines', 'lines[0].quantity']);
  // The structured errors decide; the sentence is read only when a refusal has none (older ones).
  const both = { reason: 'Amount is needed', errors: [{ field: 'km', key: 'km.too_large', text: 'x' }] };
  assert.deepEqual([...markedFields(both, ['amount', 'km'])], ['km']);
  assert.deepEqual([...markedFields({ reason: 'Title has 3000 characters; at most 200 fit' }, ['title', 'notes'])], ['title']);
  assert.deepEqual([...markedFields({ reason: 'Km must be at most 100000' }, ['amount', 'km'])], ['km']);
  const po = { errors: [{ field: 'details.po', message: 'details.po needs number, date, amount' }] };
  assert.deepEqual([...markedFields(po, ['details.proposal.value', 'details.po.number', 'details.po.date'])],
    ['details.po.number', 'details.po.date']);
});

test('a refused expense, to-do, visit, order and approval each become a new revision when fixed', () => {
  const expense = { ...buildExpense(ctx, { date: '2026-11-29', from_place: 'Mysuru', to_place: 'Mandya',
    mode: 'bike', km: 450000, amount: '640', purpose: 'Visit' }), _rev: '1-a' };
  assert.deepEqual(readExpense({ ...expense, km: '45 kms', amount: 'six forty' }).errors,
    { km: 'Km: write it in figures, like 12 or 12.5', amount: 'Amount must be in figures, like 4,50,000 or 450000.50' });
  const read = readExpense({ ...expense, km: '45', amount: '₹640' });
  const fixedExpense = fixDoc(expense, read.fields, ctx);
  assert.equal(fixedExpense.km, 45);
  assert.equal(fixedExpense.amount, '640.00');
  assert.equal(fixedExpense._rev, '1-a');

  const todo = { ...buildTodo(ctx, { title: 'x'.repeat(3000) }), _rev: '1-b' };
  assert.deepEqual(schemaProblems(todo).map((p) => p.text), ['Title can be at most 200 characters']);
  const fixedTodo = fixDoc(todo, readTexts({ title: ' Send the AMC quote ', notes: '' }, ['title', 'notes']).fields, ctx);
  assert.equal(fixedTodo.title, 'Send the AMC quote');
  assert.equal(fixedTodo.notes, undefined);

  const visit = { ...checkIn({ ...ctx, noFix: 'no fix after 10 s' }, { customer_id: 'C-1', purpose: 'p'.repeat(2500) }), _rev: '1-c' };
  assert.deepEqual(schemaProblems(visit).map((p) => p.text), ['Purpose can be at most 2,000 characters']);
  const fixedVisit = fixDoc(visit, readTexts({ purpose: 'Site survey' }, ['purpose']).fields, ctx);
  assert.equal(fixedVisit.purpose, 'Site survey');
  assert.deepEqual(fixedVisit.check_in, visit.check_in);

  const loc = { lat: 12.3, lon: 76.6, accuracy_m: 10, at: '2026-11-29T10:15:00+00:00', mock: false };
  const offer = buildOffer({ ...ctx, loc }, { customer_id: 'C-1', supply: 'intra',
    inputs: [{ product_id: 'P-1', quantity: 1, unit_price: '100.00', discount_pct: '0', gst_rate: '18' }] });
  const approval = buildApproval({ ...ctx, loc }, offer, { signedBy: 'K', offerHash: 'sha256:x', signaturePngBase64: 'i' });
  const order = { ...buildOrder(ctx, offer, approval, { delivery_date: '30/12/2026' }), _rev: '1-d' };
  const marked = markedFields({ errors: [{ field: 'delivery_date', message: 'not a date' }] }, ['po_number', 'delivery_date']);
  assert.deepEqual([...marked], ['delivery_date']);
  const fixedOrder = fixDoc(order, { delivery_date: '2026-12-30' }, ctx);
  assert.equal(fixedOrder.delivery_date, '2026-12-30');
  assert.deepEqual(fixedOrder.lines, order.lines);
  const fixedApproval = fixDoc({ ...approval, _rev: '1-e' }, { signed_by: 'K. Ramesh' }, ctx);
  assert.equal(fixedApproval.signed_by, 'K. Ramesh');
  assert.equal(fixedApproval._id, approval._id);
});

test('without a fix a signature and a check-in carry the reason instead of refusing', () => {
  const offer = buildOffer(ctx, { customer_id: 'C-1', supply: 'intra',
    inputs: [{ product_id: 'P-1', quantity: 1, unit_price: '100.00', discount_pct: '0', gst_rate: '18' }] });
  const basement = { ...ctx, noFix: 'no fix after 10 s' };
  const approval = buildApproval(basement, offer, { signedBy: 'K', offerHash: 'sha256:x', signaturePngBase64: 'i' });
  assert.equal(approval.no_fix, 'no fix after 10 s');
  assert.equal(approval.loc, undefined);
  const visit = checkIn(basement, { customer_id: 'C-1', purpose: 'Survey' });
  assert.deepEqual(visit.check_in, { at: visit.created_at, no_fix: 'no fix after 10 s' });
  assert.equal(checkOut(visit, basement, { outcome: 'ok' }).check_out.no_fix, 'no fix after 10 s');
  assert.throws(() => checkIn(ctx, { customer_id: 'C-1', purpose: 'Survey' }), /reason there is none/);
  assert.equal(checkIn(placed(ctx, null, ''), { customer_id: 'C-1', purpose: 'Survey' }).check_in.no_fix, 'no fix after 10 s');
  const here = { lat: 12.3, lon: 76.6, accuracy_m: 10, at: '2026-11-29T10:15:00+00:00', mock: false };
  assert.deepEqual(checkIn(placed(ctx, here, 'x'), { customer_id: 'C-1', purpose: 'Survey' }).check_in.loc, here);
});
