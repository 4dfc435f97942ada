// What the offer and expense forms turn into document inputs, and money as people read it.
import { priceDocument } from './gst.js';
import { parseMoney, parsePercent, parseQuantity } from './typed.js';

/** Money typed by hand as two-place text: "500" -> "500.00", "1,85,000" -> "185000.00"; text
 * that is not money is returned as typed (the form says what is wrong with it). */
export function normaliseMoney(text) {
  return parseMoney(text).value || String(text || '').trim();
}

/** Typing problems of offer lines (figures that cannot be read), keyed like the server's
 * fields ("lines[0].quantity"); a quantity of 0 or a discount over 100 % the contract says. */
export function lineProblems(lines) {
  const errors = {};
  lines.forEach((l, i) => {
    if (!l.product_id) return;
    const checks = { quantity: parseQuantity(l.quantity),
      unit_price: parseMoney(l.unit_price, { label: 'Unit price' }),
      discount_pct: parsePercent(l.discount_pct) };
    for (const [key, read] of Object.entries(checks)) if (read.error) errors[`lines[${i}].${key}`] = read.error;
  });
  return errors;
}

/** Form lines ({product_id, quantity, unit_price, discount_pct} as typed) as offer inputs; the
 * GST rate comes from the product in the catalog. */
export function toInputs(lines, products) {
  return lines.filter((l) => l.product_id).map((l) => ({ product_id: l.product_id,
    quantity: parseQuantity(l.quantity).value ?? Number(l.quantity),
    unit_price: normaliseMoney(l.unit_price),
    discount_pct: String(parsePercent(l.discount_pct).value ?? (String(l.discount_pct || '0').trim() || '0')),
    gst_rate: (products[`product:${l.product_id}`] || {}).gst_rate || l.gst_rate }));
}

/** The priced lines and totals while the form is being filled, or null while it is incomplete. */
export function previewOffer(inputs, supply) {
  try {
    return inputs.length ? priceDocument(inputs, supply) : null;
  } catch {
    return null;
  }
}

/** Money text as people read it in India, without a float: "271400.00" -> "₹2,71,400.00". */
export function rupees(text) {
  if (typeof text !== 'string' || !/^-?\d+\.\d{2}$/.test(text)) return text || '';
  const negative = text.startsWith('-');
  const [whole, paise] = text.replace('-', '').split('.');
  const last3 = whole.slice(-3);
  const rest = whole.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}₹${rest ? `${rest},` : ''}${last3}.${paise}`;
}

/** Prices by product id from the catalog's active price lists. */
export function activePrices(priceLists) {
  return Object.assign({}, ...priceLists.filter((p) => p.active !== false).map((p) => p.prices || {}));
}

/** "never", "12 s ago", "4 min ago" or the local date and time of the last sync. */
export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

// The price list the server prices this customer's offer by (today): per customer, else its
// group, else its territory, else a default list; the newest valid one of the same reach.
export function customerPrices(priceLists, customer, fallback) {
  if (!customer || !priceLists) return fallback;
  const today = new Date().toISOString().slice(0, 10);
  const reach = (pl) => {
    if (pl.customer_id) return pl.customer_id === customer.customer_id ? 0 : null;
    if (pl.customer_group) return pl.customer_group === customer.customer_group ? 1 : null;
    if (pl.territory) return pl.territory === customer.territory ? 2 : null;
    return 3;
  };
  const valid = priceLists.filter((pl) => pl.active !== false && pl.valid_from <= today
    && (!pl.valid_to || today <= pl.valid_to) && reach(pl) !== null);
  valid.sort((a, b) => reach(a) - reach(b) || (a.valid_from < b.valid_from ? 1 : -1));
  return valid.length ? valid[0].prices || {} : fallback;
}
