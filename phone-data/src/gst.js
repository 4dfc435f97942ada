// GST and totals of offers and orders, exactly as sync/documents/pricing.py computes them.
import { DecimalError, formatPaise, parseDecimal, pow10, roundHalfUp } from './decimal.js';

export { DecimalError };

function checkSupply(supply) {
  if (supply !== 'intra' && supply !== 'inter') {
    throw new DecimalError(`supply must be "intra" or "inter", not ${JSON.stringify(supply)}`);
  }
}

/** One line's amounts in paise (BigInt): gross, taxable, discount, cgst, sgst, igst, total. */
export function priceLinePaise(line, supply) {
  checkSupply(supply);
  const [q, sq] = parseDecimal(line.quantity, 'quantity');
  const [p, sp] = parseDecimal(line.unit_price, 'unit_price');
  const [d, sd] = parseDecimal(line.discount_pct, 'discount_pct');
  const [r, sr] = parseDecimal(line.gst_rate, 'gst_rate');
  const hundred = 100n * pow10(sd);
  if (d > hundred) throw new DecimalError('discount_pct must be at most 100');
  const grossScale = pow10(sq + sp);
  const gross = roundHalfUp(q * p * 100n, grossScale);
  const taxable = roundHalfUp(q * p * (hundred - d), grossScale * pow10(sd));
  let cgst = 0n;
  let igst = 0n;
  if (supply === 'intra') cgst = roundHalfUp(taxable * r, 200n * pow10(sr));
  else igst = roundHalfUp(taxable * r, 100n * pow10(sr));
  const total = taxable + 2n * cgst + igst;
  return { gross, taxable, discount: gross - taxable, cgst, sgst: cgst, igst, total };
}

const LINE_KEYS = ['gross', 'taxable', 'discount', 'cgst', 'sgst', 'igst', 'total'];
const TOTAL_KEYS = ['taxable', 'discount', 'cgst', 'sgst', 'igst'];

function asMoney(amounts, keys) {
  return Object.fromEntries(keys.map((k) => [k, formatPaise(amounts[k])]));
}

/** One line's amounts as money strings ("1180.00"). */
export function priceLine(line, supply) {
  return asMoney(priceLinePaise(line, supply), LINE_KEYS);
}

/** Every line priced and the document totals, as the documents carry them. */
export function priceDocument(lines, supply) {
  const priced = lines.map((line) => priceLinePaise(line, supply));
  const sums = Object.fromEntries(TOTAL_KEYS.map((k) => [k, priced.reduce((a, l) => a + l[k], 0n)]));
  const gst = sums.cgst + sums.sgst + sums.igst;
  const totals = { ...asMoney(sums, TOTAL_KEYS), gst: formatPaise(gst),
    grand_total: formatPaise(sums.taxable + gst) };
  return { lines: priced.map((l) => asMoney(l, LINE_KEYS)), totals };
}

/** Intra-state when the customer's GST state code is the company's, else inter-state. */
export function supplyFor(customerState, companyState) {
  return String(customerState || '') === String(companyState || '') ? 'intra' : 'inter';
}

/** Lines as an offer stores them: the engineer's inputs plus the computed amounts. */
export function pricedLines(inputs, supply) {
  const { lines, totals } = priceDocument(inputs, supply);
  const out = inputs.map((input, i) => ({
    product_id: input.product_id, quantity: input.quantity, unit_price: input.unit_price,
    discount_pct: input.discount_pct, gst_rate: input.gst_rate, taxable: lines[i].taxable,
    cgst: lines[i].cgst, sgst: lines[i].sgst, igst: lines[i].igst, total: lines[i].total,
  }));
  return { lines: out, totals };
}
