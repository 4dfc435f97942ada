// The server's business rules that the phone can check with the master data it holds
// (sync/documents/rules.py): customers of its territory, the catalog, price lists, stage order.
// What needs the server's own records (accepted offers, heads' decisions) stays for the worker.
import { parseDecimal, pow10 } from './decimal.js';
import { DocumentError, describeProblems, problem, schemaProblems } from './contract.js';
import { FORWARD_STAGES as FORWARD, STAGE_REQUIRED as REQUIRED_DETAILS } from './vocabulary.js';

/** Facts from what the phone holds: customers and products by document id, price lists. */
export function phoneFacts({ customers = {}, products = {}, priceLists = [], companyState = '' } = {}) {
  return {
    companyState: String(companyState),
    customer: (id) => customers[`customer:${id}`],
    product: (id) => products[`product:${id}`],
    priceLists,
  };
}

function decimalEquals(a, b) {
  try {
    const [x, sx] = parseDecimal(String(a));
    const [y, sy] = parseDecimal(String(b));
    return x * pow10(sy) === y * pow10(sx);
  } catch {
    return false;
  }
}

function customerRule(doc, facts, out, { active }) {
  if (doc.customer_id == null || facts.holdsCustomers === false) return null;
  const customer = facts.customer(doc.customer_id);
  if (!customer) out.push(problem('customer_id', 'unknown'));
  else if (active && customer.active === false) {
    out.push(problem('customer_id', 'inactive'));
    return null;
  }
  return customer || null;
}

function pricedRules(doc, facts, out) {
  const customer = customerRule(doc, facts, out, { active: true });
  if (customer) {
    const want = String(customer.state_code) === facts.companyState ? 'intra' : 'inter';
    if (doc.supply !== want) out.push(problem('supply', 'wrong'));
  }
  if (facts.holdsProducts === false) return;
  doc.lines.forEach((line, i) => {
    const product = facts.product(line.product_id);
    const path = `lines[${i}]`;
    if (!product) out.push(problem(`${path}.product_id`, 'unknown'));
    else if (product.active === false) out.push(problem(`${path}.product_id`, 'inactive'));
    else if (!decimalEquals(line.gst_rate, product.gst_rate)) out.push(problem(`${path}.gst_rate`, 'changed'));
  });
}

function rank(list, customer) {
  if (list.customer_id) return list.customer_id === customer.customer_id ? 0 : null;
  if (list.customer_group) return customer.customer_group && list.customer_group === customer.customer_group ? 1 : null;
  if (list.territory) return list.territory === customer.territory ? 2 : null;
  return 3;
}

/** The customer's price list on `day` (YYYY-MM-DD), as the server chooses it (pricelists.py). */
export function applicableList(lists, customer, day) {
  let best = null;
  let chosen = null;
  for (const list of lists || []) {
    const r = rank(list, customer);
    const valid = list.active !== false && (!list.valid_from || list.valid_from <= day)
      && (!list.valid_to || day <= list.valid_to);
    if (r === null || !valid) continue;
    const key = [r, list.valid_from || '', list.price_list_id || ''];
    const better = !best || key[0] < best[0] || (key[0] === best[0] && (key[1] > best[1]
      || (key[1] === best[1] && key[2] < best[2])));
    if (better) [best, chosen] = [key, list];
  }
  return chosen;
}

// The server refuses a price whose effective discount, rounded up to 0.01 %, is below zero:
// net >= 1.0001 x list, i.e. price x (100 - discount) x 10000 >= list x 100 x 10001.
function aboveList(line, listPrice) {
  const [p, sp] = parseDecimal(line.unit_price);
  const [d, sd] = parseDecimal(line.discount_pct);
  const [l, sl] = parseDecimal(String(listPrice));
  if (l === 0n) return false;
  const net = p * (100n * pow10(sd) - d) * 10000n * pow10(sl);
  const cap = l * 100n * 10001n * pow10(sp + sd);
  return p * pow10(sl) !== l * pow10(sp) && net >= cap;
}

function priceListRules(doc, facts, out) {
  if (!facts.priceLists || facts.priceLists.length === 0) return;
  const customer = facts.customer(doc.customer_id);
  if (!customer) return;
  const chosen = applicableList(facts.priceLists, customer, doc.created_at.slice(0, 10));
  if (!chosen) {
    out.push(problem('customer_id', 'no_price_list'));
    return;
  }
  doc.lines.forEach((line, i) => {
    const listPrice = (chosen.prices || {})[line.product_id];
    if (listPrice == null) out.push(problem(`lines[${i}].unit_price`, 'not_listed'));
    else if (aboveList(line, listPrice)) out.push(problem(`lines[${i}].unit_price`, 'above_list'));
  });
}

function leadRules(doc, facts, out) {
  customerRule(doc, facts, out, { active: false });
  const { history, owner } = doc;
  if (history[0].stage !== FORWARD[0] && history[0].by === owner) out.push(problem('history[0].stage', 'first'));
  for (let i = 1; i < history.length; i += 1) {
    const why = moveKind(history[i - 1].stage, history[i].stage);
    if ((why === 'back' && history[i].by === owner) || why === 'skip') out.push(problem(`history[${i}].stage`, why));
  }
  const reached = new Set(history.map((h) => h.stage));
  for (const stage of reached) {
    const part = (doc.details || {})[stage] || {};
    if ((REQUIRED_DETAILS[stage] || []).some((key) => part[key] == null)) out.push(problem(`details.${stage}`, 'missing'));
  }
}

/** Facts for `doc` read from the phone's databases; a database the first sync has not filled
 * yet is not taken to mean the customer or product does not exist. */
export async function loadFacts(dbs, doc, companyState) {
  const get = (db, id) => db.get(id).catch(() => undefined);
  const holds = async (db) => Boolean(db) && (await db.info()).doc_count > 0;
  const customers = {};
  const products = {};
  if (typeof doc.customer_id === 'string' && dbs.customers) {
    customers[`customer:${doc.customer_id}`] = await get(dbs.customers, `customer:${doc.customer_id}`);
  }
  for (const line of Array.isArray(doc.lines) ? doc.lines : []) {
    const id = `product:${line && line.product_id}`;
    if (dbs.catalog && !(id in products)) products[id] = await get(dbs.catalog, id);
  }
  const lists = doc.type === 'offer' && dbs.catalog ? (await dbs.catalog.allDocs({ startkey: 'price_list:',
    endkey: 'price_list:\uffff', include_docs: true })).rows.map((r) => r.doc) : [];
  return { ...phoneFacts({ customers, products, priceLists: lists, companyState }),
    holdsCustomers: await holds(dbs.customers), holdsProducts: await holds(dbs.catalog) };
}

/** same, forward, lost, back or skip: a lead's move as the server's stage machine sees it. */
export function moveKind(before, after) {
  if (before === after) return 'same';
  if (after === 'lost') return 'lost';
  if (before === 'lost') return 'back';
  const gap = FORWARD.indexOf(after) - FORWARD.indexOf(before);
  if (gap === 1) return 'forward';
  return gap < 0 ? 'back' : 'skip';
}

const RULES = {
  offer: (doc, facts, out) => { pricedRules(doc, facts, out); priceListRules(doc, facts, out); },
  order: pricedRules,
  lead: leadRules,
  visit: (doc, facts, out) => customerRule(doc, facts, out, { active: false }),
  expense: (doc, facts, out) => customerRule(doc, facts, out, { active: false }),
  todo: (doc, facts, out) => customerRule(doc, facts, out, { active: false }),
};

/** The master-data problems of a document that passed the schema: [{field, key, text}]. */
export function ruleProblems(doc, facts) {
  const out = [];
  const rule = facts && RULES[doc.type];
  if (rule) rule(doc, facts, out);
  return out;
}

/** Everything the phone can check before saving: the schema, then (with facts) the rules. */
export function documentProblems(doc, facts) {
  const problems = schemaProblems(doc);
  return problems.length ? problems : ruleProblems(doc, facts);
}

/** `doc` when the server would accept what the phone can check; else a DocumentError. */
export function checked(doc, facts) {
  const problems = documentProblems(doc, facts);
  if (problems.length) throw new DocumentError(describeProblems(problems), problems);
  return doc;
}
