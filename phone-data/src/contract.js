// The document contract on the phone: the server's JSON Schemas (compiled by Ajv into
// validators.js) and its refusal messages, so a document the server would refuse is refused
// before it is saved, with the same message key, the field to highlight and a sentence for people.
// The compiled validators are a few hundred kilobytes: they are loaded after the first screen
// (`loadContract`, which the session starts at sign-in), never in the app's first download.
let compiled = null;
let loading = null;

/** Load the compiled contract once; resolves to the module (validators, MESSAGES, RULES). */
export function loadContract() {
  if (!loading) loading = import('./validators.js').then((module) => { compiled = module; return module; });
  return loading;
}

/** Hand in the compiled contract imported statically (an app bundled whole, like the Android
 * app, loads nothing later); `loadContract` then resolves at once. */
export function provideContract(module) {
  compiled = module;
  loading = Promise.resolve(module);
}

function contract() {
  if (!compiled) throw new Error('the document contract is not loaded yet: await loadContract() first');
  return compiled;
}

/** The refusal messages by key ({field, text}); needs the contract loaded. */
export function messages() {
  return contract().MESSAGES;
}

/** A document the phone will not save; `problems` are [{field, key, text}], field to highlight. */
export class DocumentError extends Error {
  constructor(message, problems = []) {
    super(message);
    this.name = 'DocumentError';
    this.problems = problems;
  }
}

// When one field breaks several keywords, the server reports the first of these it meets.
const ORDER = ['required', 'unknown', 'wrong', 'unsupported', 'type', 'format', 'choice', 'blank',
  'negative', 'too_small', 'too_large', 'too_long', 'decimals', 'too_few', 'too_many'];

/** `lines[1].quantity` -> `lines.quantity`. */
export function genericPath(path) {
  return path.replace(/\[\d+\]/g, '');
}

/** The sentence a person reads for a message key (the key itself when it is not catalogued). */
export function messageText(key, fallback = '') {
  const entry = contract().MESSAGES[key];
  return entry ? entry.text : fallback || key;
}

/** A problem as the server's receipts carry it: {field, key, text}. */
export function problem(field, rule) {
  const base = genericPath(field);
  const key = base ? `${base}.${rule}` : rule;
  return { field, key, text: messageText(key) };
}

function fieldPath(pointer) {
  return pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function valueAt(doc, field) {
  return field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')
    .reduce((value, part) => (value == null ? undefined : value[part]), doc);
}

function fromAjv(error, doc) {
  let field = fieldPath(error.instancePath);
  let keyword = error.keyword;
  if (keyword === 'required') {
    field = field ? `${field}.${error.params.missingProperty}` : error.params.missingProperty;
  } else if (keyword === 'type' && valueAt(doc, field) === null) {
    keyword = 'required'; // the server reads a null as a field left out
  }
  const rules = contract().RULES[genericPath(field)] || {};
  const rule = rules[keyword];
  return rule ? problem(field, rule) : null;
}

function firstPerField(problems) {
  const best = new Map();
  const rank = (p) => {
    const i = ORDER.indexOf(p.key.split('.').pop());
    return i < 0 ? ORDER.length : i;
  };
  for (const p of problems) {
    const seen = best.get(p.field);
    if (!seen || rank(p) < rank(seen)) best.set(p.field, p);
  }
  return [...best.values()];
}

const isText = (value) => typeof value === 'string' && value.trim() !== '';
const time = (value) => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

// The structure rules that look at two fields at once, which JSON Schema does not say as
// plainly (sync/documents/activity.py).
const ACROSS = {
  lead(doc, out) {
    if (doc.customer_id == null && doc.prospect == null) out.push(problem('customer_id', 'required'));
    if (doc.stage === 'lost' && doc.lost_reason == null) out.push(problem('lost_reason', 'required'));
    const history = Array.isArray(doc.history) ? doc.history : [];
    history.forEach((entry, i) => {
      if (i > 0 && time(entry && entry.at) < time(history[i - 1] && history[i - 1].at)) {
        out.push(problem(`history[${i}].at`, 'out_of_order'));
      }
    });
    const last = history[history.length - 1];
    if (isText(doc.stage) && last && typeof last === 'object' && last.stage !== doc.stage) {
      out.push(problem('stage', 'not_in_history'));
    }
  },
  visit(doc, out) {
    if (doc.customer_id == null && doc.lead_id == null) out.push(problem('customer_id', 'required'));
    const start = time(doc.check_in && doc.check_in.at);
    const end = time(doc.check_out && doc.check_out.at);
    if (end < start) out.push(problem('check_out.at', 'before_check_in'));
  },
};

/** What the server's structure checks would refuse in `doc`: [{field, key, text}], [] if none
 * (needs the contract loaded). */
export function contractLoaded() {
  return compiled !== null;
}

export function schemaProblems(doc) {
  const validators = contract();
  const kind = doc && typeof doc === 'object' ? doc.type : undefined;
  const validate = typeof kind === 'string' && Object.hasOwn(validators, kind) && kind !== 'MESSAGES'
    && kind !== 'RULES' ? validators[kind] : null;
  if (!validate) return [problem('type', 'unknown')];
  const found = validate(doc) ? [] : validate.errors.map((e) => fromAjv(e, doc)).filter(Boolean);
  if (ACROSS[kind]) ACROSS[kind](doc, found);
  return firstPerField(found);
}

/** One line for people: the first problems' texts. */
export function describeProblems(problems, most = 3) {
  const texts = [...new Set(problems.map((p) => p.text))];
  const more = texts.length - most;
  return texts.slice(0, most).join('. ') + (more > 0 ? ` (and ${more} more)` : '');
}
