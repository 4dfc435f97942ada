// Builders for the documents a phone writes, following docs/documents.md (schema_version 2).
import { DecimalError, pricedLines } from './gst.js';
import { territoryRefusal } from './territory.js';
import { DocumentError, contractLoaded, describeProblems, schemaProblems } from './contract.js';
import { EXPENSE_MODES, FORWARD_STAGES, STAGE_FIELDS } from './vocabulary.js';

export { DocumentError };

export const SCHEMA_VERSION = 2;
/** The stages a lead moves forward through (the server's vocabulary; "lost" stands apart). */
export const LEAD_STAGES = FORWARD_STAGES;
/** The details an engineer gives when a lead reaches each stage: STAGE_FIELDS; the modes of
 * travel: EXPENSE_MODES (both the server's vocabulary). */
export { EXPENSE_MODES, STAGE_FIELDS };

/** A date-time with the device's offset: 2026-11-29T10:15:00+05:30. */
export function isoWithOffset(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** A date (no time) in the device's calendar: 2026-11-29. */
export function localDate(date = new Date(), plusDays = 0) {
  const d = new Date(date.getTime() + plusDays * 86400000);
  return isoWithOffset(d).slice(0, 10);
}

/** A unique document key: time-ordered, then random ([A-Za-z0-9_.-], under 64 characters). */
export function newKey(now = Date.now(), random = Math.random) {
  const tail = Array.from({ length: 10 }, () => Math.floor(random() * 36).toString(36)).join('');
  return `${now.toString(36)}-${tail}`;
}

/** A location fix as documents carry it, from a position-like {coords, timestamp}. */
export function locFromPosition(position, mock = false) {
  const c = position.coords;
  return { lat: c.latitude, lon: c.longitude, accuracy_m: Math.max(0, c.accuracy || 0),
    at: isoWithOffset(new Date(position.timestamp || Date.now())), mock: Boolean(mock) };
}

/** The common fields; `ctx` is {owner, deviceId, now?: Date, loc?}. */
export function base(type, ctx, key = newKey()) {
  if (!ctx || !ctx.owner || !ctx.deviceId) throw new DocumentError('owner and device id are needed');
  const at = isoWithOffset(ctx.now || new Date());
  const doc = { _id: `${type}:${key}`, type, owner: ctx.owner, schema_version: SCHEMA_VERSION,
    device_id: ctx.deviceId, created_at: at, updated_at: at };
  if (ctx.loc) doc.loc = ctx.loc;
  return doc;
}

/** The same document edited now on this device (keeps _id, _rev and created_at). */
export function touched(doc, changes, ctx) {
  const next = { ...doc, ...changes, updated_at: isoWithOffset(ctx.now || new Date()) };
  // The conflict queue tells two phones' edits apart by the device that wrote each revision.
  if (ctx.deviceId) next.device_id = ctx.deviceId;
  if (ctx.loc) next.loc = ctx.loc;
  return next;
}

/** Refuses a customer outside the engineer's territories when the phone knows both
 * (`ctx.user` is the signed-in user, `customer` the master-data document). */
function checkTerritory(ctx, customer) {
  const why = territoryRefusal(ctx.user, customer);
  if (why) throw new DocumentError(why);
}

/** An offer: inputs are {product_id, quantity, unit_price, discount_pct, gst_rate}. */
export function buildOffer(ctx, { customer_id, customer, supply, inputs, valid_until, notes, price_list_id }) {
  if (!customer_id) throw new DocumentError('pick a customer');
  checkTerritory(ctx, customer);
  if (!inputs || inputs.length === 0) throw new DocumentError('add at least one product');
  if (inputs.length > 200) throw new DocumentError('an offer has at most 200 lines');
  const head = { ...base('offer', ctx), customer_id, supply, valid_until: valid_until || localDate(ctx.now, 30),
    status: 'draft' };
  const doc = { ...head, ...priced(head, inputs, supply) };
  if (notes) doc.notes = notes;
  if (price_list_id) doc.price_list_id = price_list_id;
  return doc;
}

/** The same offer with new lines (prices recomputed) or a new status. */
export function updateOffer(offer, ctx, { inputs, status, supply } = {}) {
  const changes = {};
  if (inputs) Object.assign(changes, priced(offer, inputs, supply || offer.supply), { supply: supply || offer.supply });
  if (status) changes.status = status;
  return touched(offer, changes, ctx);
}

/** Lines and totals priced from the inputs; inputs that cannot be priced (a discount over 100 %,
 * a quantity that is not a number) are refused with the contract's messages for those fields. */
function priced(doc, inputs, supply) {
  try {
    return pricedLines(inputs, supply);
  } catch (err) {
    if (!(err instanceof DecimalError) || !contractLoaded()) throw err;
    const zero = { taxable: '0.00', cgst: '0.00', sgst: '0.00', igst: '0.00', total: '0.00' };
    const lines = inputs.map((input) => ({ ...input, ...zero }));
    const problems = schemaProblems({ ...doc, supply, lines, totals: {} })
      .filter((p) => p.field.startsWith('lines['));
    if (problems.length) throw new DocumentError(describeProblems(problems), problems);
    throw err;
  }
}

/** The customer's approval of `offer`; the signature PNG is attached as signature.png. */
export function buildApproval(ctx, offer, { signedBy, offerHash, signaturePngBase64 }) {
  if (!ctx.loc && !ctx.noFix) throw new DocumentError('an approval needs a location fix or the reason there is none');
  if (!signedBy || !signedBy.trim()) throw new DocumentError("write the customer's name");
  if (!signaturePngBase64) throw new DocumentError('the customer has to sign');
  const doc = { ...base('approval', ctx), offer_id: offer._id, offer_hash: offerHash,
    signed_by: signedBy.trim(), signed_at: isoWithOffset(ctx.now || new Date()), signature: 'signature.png' };
  // In a basement the customer still signs: the server flags the missing fix, never refuses it.
  if (!ctx.loc) doc.no_fix = noFixText(ctx.noFix);
  doc._attachments = { 'signature.png': { content_type: 'image/png', data: signaturePngBase64 } };
  return doc;
}

/** An order from an approved offer: customer, lines, totals and supply copied unchanged. */
export function buildOrder(ctx, offer, approval, extra = {}) {
  const doc = { ...base('order', ctx), offer_id: offer._id, approval_id: approval._id,
    customer_id: offer.customer_id, lines: offer.lines, totals: offer.totals, supply: offer.supply };
  for (const key of ['po_number', 'delivery_date', 'notes']) if (extra[key]) doc[key] = extra[key];
  return doc;
}

/** A new lead at `potential`; `prospect` ({name, phone, city}) when there is no customer. */
export function buildLead(ctx, { customer_id, customer, prospect, title, expected_value }) {
  if (!title || !title.trim()) throw new DocumentError('give the lead a title');
  if (customer_id) checkTerritory(ctx, customer);
  const doc = { ...base('lead', ctx), title: title.trim(), stage: 'potential', details: {},
    history: [historyEntry('potential', ctx)] };
  if (customer_id) doc.customer_id = customer_id;
  else if (prospect) doc.prospect = prospect;
  else throw new DocumentError('pick a customer or describe the prospect');
  if (expected_value) doc.expected_value = expected_value;
  return doc;
}

function historyEntry(stage, ctx) {
  const entry = { stage, at: isoWithOffset(ctx.now || new Date()), by: ctx.owner };
  if (ctx.loc) entry.loc = ctx.loc;
  return entry;
}

/** The next stage after `stage`, or null at the end. */
export function nextStage(stage) {
  const i = LEAD_STAGES.indexOf(stage);
  return i >= 0 && i < LEAD_STAGES.length - 1 ? LEAD_STAGES[i + 1] : null;
}

/** The lead moved one stage forward (with that stage's details) or to lost (with a reason). */
export function moveLead(lead, ctx, stage, { details, lost_reason } = {}) {
  if (stage !== 'lost' && stage !== nextStage(lead.stage)) {
    throw new DocumentError(`a lead at ${lead.stage} can move only to ${nextStage(lead.stage) || 'nothing'} or lost`);
  }
  if (stage === 'lost' && !(lost_reason && lost_reason.trim())) throw new DocumentError('say why the lead was lost');
  const changes = { stage, history: [...lead.history, historyEntry(stage, ctx)] };
  if (stage === 'lost') changes.lost_reason = lost_reason.trim();
  else if (details) changes.details = { ...lead.details, [stage]: details };
  return touched(lead, changes, ctx);
}

/** `ctx` placed where the phone is: its fix, or (none in time) the reason there is none. */
export function placed(ctx, loc, why) {
  return loc ? { ...ctx, loc } : { ...ctx, loc: undefined, noFix: why || 'no fix after 10 s' };
}

/** The longest reason for a missing fix a document carries (the server's limit). */
export const MAX_NO_FIX = 200;

function noFixText(reason) {
  return String(reason || 'no fix').trim().slice(0, MAX_NO_FIX) || 'no fix';
}

/** When and where for a check-in or check-out: the fix, or why there is none. */
function stamp(ctx) {
  const at = isoWithOffset(ctx.now || new Date());
  return ctx.loc ? { at, loc: ctx.loc } : { at, no_fix: noFixText(ctx.noFix) };
}

/** A visit checked in now, here. */
export function checkIn(ctx, { customer_id, customer, lead_id, purpose }) {
  if (!ctx.loc && !ctx.noFix) throw new DocumentError('a check-in needs a location fix or the reason there is none');
  if (!customer_id && !lead_id) throw new DocumentError('pick a customer or a lead');
  if (customer_id) checkTerritory(ctx, customer);
  if (!purpose || !purpose.trim()) throw new DocumentError('write the purpose of the visit');
  const doc = { ...base('visit', ctx), purpose: purpose.trim(),
    check_in: stamp(ctx) };
  if (customer_id) doc.customer_id = customer_id;
  if (lead_id) doc.lead_id = lead_id;
  return doc;
}

/** The visit checked out now, here, with its outcome. */
export function checkOut(visit, ctx, { outcome, next_action, next_action_date }) {
  if (!ctx.loc && !ctx.noFix) throw new DocumentError('a check-out needs a location fix or the reason there is none');
  const changes = { check_out: stamp(ctx) };
  if (outcome) changes.outcome = outcome;
  if (next_action) changes.next_action = next_action;
  if (next_action_date) changes.next_action_date = next_action_date;
  return touched(visit, changes, ctx);
}

/** A travel expense; the receipt photo (base64) is attached as receipt.jpg or receipt.png. */
export function buildExpense(ctx, fields, photo) {
  const doc = { ...base('expense', ctx), ...expenseFields(fields) };
  if (photo) doc._attachments = photoAttachment(photo);
  return doc;
}

/** The expense form's fields as the document carries them; the contract judges them on save
 * (km left empty is missing, not 0; km that is not a number stays not a number). */
export function expenseFields({ date, from_place, to_place, mode, km, amount, purpose }) {
  const typed = String(km ?? '').trim();
  return { date, from_place, to_place, mode, km: typed === '' ? null : Number(typed.replace(/,/g, '')), amount,
    purpose };
}

/** {base64, contentType} as the expense's attachment. */
export function photoAttachment({ base64, contentType }) {
  const name = contentType === 'image/png' ? 'receipt.png' : 'receipt.jpg';
  return { [name]: { content_type: contentType === 'image/png' ? 'image/png' : 'image/jpeg', data: base64 } };
}

export function buildTodo(ctx, { title, due_date, customer_id, lead_id, notes }) {
  if (!title || !title.trim()) throw new DocumentError('write what there is to do');
  const doc = { ...base('todo', ctx), title: title.trim(), done: false };
  if (due_date) doc.due_date = due_date;
  if (customer_id) doc.customer_id = customer_id;
  if (lead_id) doc.lead_id = lead_id;
  if (notes) doc.notes = notes;
  return doc;
}

/** A batch of breadcrumbs (1-2000 points) as one track document. */
export function buildTrack(ctx, points) {
  if (!points.length) throw new DocumentError('a track needs at least one point');
  return { ...base('track', ctx), points: points.slice(0, 2000) };
}
