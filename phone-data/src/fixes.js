// Refused documents back in their forms: which fields to mark, and the fixed revision to send.
// A fix is an edit of the same document (same _id, next _rev), so a lead keeps its history.
import { STAGE_FIELDS, touched } from './documents.js';
import { parseKm, parseMoney } from './typed.js';

/** What each stage detail holds; the server requires all but the installation notes. */
export const DETAIL_KINDS = { value: 'money', amount: 'money', date: 'date', number: 'text',
  payment_ref: 'text', notes: 'text' };
const LABELS = { value: 'Proposal value', amount: 'Amount' };

/** A stage's details as typed, read into the document's form: {details, errors: {key: text}}.
 * `errors` are typing problems only (money not in figures); what is missing or too long the
 * document contract says when the lead is saved, in its catalogue's words. */
export function readStage(stage, values) {
  const details = {};
  const errors = {};
  for (const key of STAGE_FIELDS[stage] || []) {
    const raw = String((values || {})[key] ?? '').trim();
    if (!raw) continue;
    if (DETAIL_KINDS[key] === 'money') {
      const money = parseMoney(raw, { label: LABELS[key] });
      if (money.error) errors[key] = money.error; else details[key] = money.value;
    } else details[key] = raw;
  }
  return { details, errors };
}

/** The stages a lead has passed whose details a fix may correct (in order, each once). */
export function detailStages(lead) {
  const seen = [];
  for (const entry of lead.history || []) {
    if (STAGE_FIELDS[entry.stage] && !seen.includes(entry.stage)) seen.push(entry.stage);
  }
  return seen;
}

/** Details as the form shows them: what the lead carries, keyed "stage.key". */
export function detailValues(lead) {
  const out = {};
  for (const stage of detailStages(lead)) {
    for (const key of STAGE_FIELDS[stage]) {
      const value = ((lead.details || {})[stage] || {})[key];
      out[`${stage}.${key}`] = value === undefined || value === null ? '' : String(value);
    }
  }
  return out;
}

/** The lead with every reached stage's details re-read from the form (history untouched).
 * {doc} or {errors: {"stage.key": text}} when something still is not right. */
export function fixLead(lead, values, ctx) {
  const details = { ...(lead.details || {}) };
  const errors = {};
  for (const stage of detailStages(lead)) {
    const own = Object.fromEntries(STAGE_FIELDS[stage].map((k) => [k, values[`${stage}.${k}`]]));
    const read = readStage(stage, own);
    for (const [key, text] of Object.entries(read.errors)) errors[`${stage}.${key}`] = text;
    details[stage] = read.details;
  }
  if (Object.keys(errors).length) return { errors };
  return { doc: touched(lead, { details }, ctx) };
}

/** The document path of a lead form field: "proposal.value" -> "details.proposal.value". */
export function leadPath(field) {
  return `details.${field}`;
}

/** The fields of `candidates` (document paths) the server's refusal points at. Receipts and
 * gateway refusals name them in `errors[].field` (the contract's problems); only an older
 * refusal without them is read for the field names in its sentence ("details.proposal: value …",
 * "Title has …"). */
export function markedFields(state, candidates) {
  const named = new Set((state.errors || []).map((e) => e && e.field).filter((f) => typeof f === 'string'));
  const marked = new Set();
  for (const path of candidates) {
    // A refusal of a whole part ("details.po needs number, date, amount") marks its fields.
    const near = [...named].some((n) => n === path || n.startsWith(`${path}.`) || n.startsWith(`${path}[`)
      || path.startsWith(`${n}.`));
    if (named.size ? near : namedInReason(String(state.reason || '').toLowerCase(), path)) marked.add(path);
  }
  return marked;
}

function namedInReason(reason, path) {
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const key = path.slice(path.lastIndexOf('.') + 1);
  return parent ? reason.includes(`${parent.toLowerCase()}: ${key}`) || reason.includes(path)
    : new RegExp(`(^|[;:] ?|\\b)${key}\\b`).test(reason);
}

/** An expense's fields re-read for a fix or a first save: amount and km as people type them.
 * {errors} holds typing problems only; the rest is the contract's to judge on save. */
export function readExpense(values) {
  const errors = {};
  const amount = parseMoney(values.amount, { label: 'Amount' });
  const km = parseKm(values.km);
  if (amount.error) errors.amount = amount.error;
  if (km.error) errors.km = km.error;
  const texts = readTexts(values, ['from_place', 'to_place', 'purpose']).fields;
  return Object.keys(errors).length ? { errors }
    : { fields: { ...values, ...texts, amount: amount.value, km: km.value } };
}

/** Text fields of a to-do or visit, trimmed; an empty one is left out, so that the contract
 * says it is needed (and a too long one is the contract's to refuse too). {fields} */
export function readTexts(values, keys) {
  const fields = {};
  for (const key of keys) {
    const text = String(values[key] ?? '').trim();
    fields[key] = text || undefined;
  }
  return { fields };
}

/** Any refused document edited in place: the same _id, a new revision for the server. */
export function fixDoc(doc, changes, ctx) {
  return touched(doc, changes, ctx);
}
