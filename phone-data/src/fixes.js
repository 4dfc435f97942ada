// Refused documents back in their forms: which fields to mark, and the fixed revision to send.
// A fix is an edit of the same document (same _id, next _rev), so a lead keeps its history.
import { STAGE_FIELDS, touched } from './documents.js';
import { parseKm, parseMoney } from './typed.js';

/** What each stage detail holds; the server requires all but the installation notes. */
export const DETAIL_KINDS = { value: 'money', amount: 'money', date: 'date', number: 'text',
  payment_ref: 'text', notes: 'text' };
const OPTIONAL = { installation: ['notes'] };
const LABELS = { value: 'Proposal value', amount: 'Amount', date: 'Date', number: 'Number',
  payment_ref: 'Payment reference', notes: 'Notes' };
const DAY = /^\d{4}-\d\d-\d\d$/;

/** A stage's details as typed, read into the document's form: {details, errors: {key: text}}. */
export function readStage(stage, values) {
  const details = {};
  const errors = {};
  for (const key of STAGE_FIELDS[stage] || []) {
    const raw = String((values || {})[key] ?? '').trim();
    const required = !(OPTIONAL[stage] || []).includes(key);
    const label = LABELS[key];
    if (!raw) {
      if (required) errors[key] = `${label} is needed for this stage`;
      continue;
    }
    const kind = DETAIL_KINDS[key];
    if (kind === 'money') {
      const money = parseMoney(raw, { label });
      if (money.error) errors[key] = money.error; else details[key] = money.value;
    } else if (kind === 'date') {
      if (DAY.test(raw)) details[key] = raw; else errors[key] = `${label}: pick a date`;
    } else if (raw.length > (key === 'notes' ? 4000 : 64)) {
      errors[key] = `${label} is too long`;
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

/** The fields of `candidates` (document paths) the server's refusal points at: the receipt's
 * errors name them; a gateway refusal names them in its sentence ("details.proposal: value …",
 * "Title has …"). */
export function markedFields(state, candidates) {
  const named = new Set((state.errors || []).map((e) => e.field));
  const reason = String(state.reason || '').toLowerCase();
  const marked = new Set();
  for (const path of candidates) {
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const key = path.slice(path.lastIndexOf('.') + 1);
    const inReason = parent ? reason.includes(`${parent.toLowerCase()}: ${key}`) || reason.includes(path)
      : new RegExp(`(^|[;:] ?|\\b)${key}\\b`).test(reason);
    // A refusal of a whole part ("details.po needs number, date, amount") marks its fields.
    const near = [...named].some((n) => n.startsWith(`${path}.`) || n.startsWith(`${path}[`) || path.startsWith(`${n}.`));
    if (named.has(path) || near || inReason) {
      marked.add(path);
    }
  }
  return marked;
}

/** An expense's fields re-read for a fix or a first save: amount and km as people type them. */
export function readExpense(values) {
  const errors = {};
  const amount = parseMoney(values.amount, { label: 'Amount', required: true });
  const km = parseKm(values.km);
  if (amount.error) errors.amount = amount.error;
  if (km.error) errors.km = km.error;
  for (const key of ['from_place', 'to_place', 'purpose']) {
    const text = String(values[key] || '').trim();
    if (!text) errors[key] = 'This is needed';
    else if (text.length > (key === 'purpose' ? 2000 : 200)) errors[key] = `Too long: ${text.length} characters, at most ${key === 'purpose' ? 2000 : 200}`;
  }
  if (!DAY.test(String(values.date || ''))) errors.date = 'Pick the date of the trip';
  return Object.keys(errors).length ? { errors } : { fields: { ...values, amount: amount.value, km: km.value } };
}

/** Text fields of a to-do or visit checked as the server will: needed, and short enough. */
export function readTexts(values, limits) {
  const errors = {};
  const fields = {};
  for (const [key, [max, required]] of Object.entries(limits)) {
    const text = String(values[key] ?? '').trim();
    if (!text) {
      if (required) errors[key] = 'This is needed';
    } else if (text.length > max) {
      errors[key] = `Too long: ${text.length} characters, at most ${max}`;
    } else fields[key] = text;
  }
  return Object.keys(errors).length ? { errors } : { fields };
}

/** Any refused document edited in place: the same _id, a new revision for the server. */
export function fixDoc(doc, changes, ctx) {
  return touched(doc, changes, ctx);
}
