// Canonical offer content, its hash and the business key, as in sync/documents/canonical.py.
import { shortestDecimal } from './decimal.js';

export class CanonicalError extends Error {}

const LINE_FIELDS = ['product_id', 'quantity', 'unit_price', 'discount_pct', 'gst_rate'];

/** The shortest plain decimal for a quantity: 2, 2.5, 0.125. */
export function formatQuantity(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CanonicalError(`quantity must be a number, not ${JSON.stringify(value)}`);
  }
  return shortestDecimal(value);
}

function text(doc, key, where) {
  const value = doc ? doc[key] : undefined;
  if (typeof value !== 'string') {
    throw new CanonicalError(`${key} must be text to build the ${where}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function linesPart(doc) {
  if (!Array.isArray(doc.lines)) throw new CanonicalError('lines must be a list to build the canonical content');
  return doc.lines.map((line) => '|' + LINE_FIELDS.map((key) => (key === 'quantity'
    ? formatQuantity(line.quantity) : text(line, key, 'line'))).join(',')).join('');
}

function grandTotal(doc) {
  if (!doc.totals || typeof doc.totals !== 'object') throw new CanonicalError('totals must be an object');
  return text(doc.totals, 'grand_total', 'canonical content');
}

/** `customer_id|valid_until|supply|grand_total` then `|product,qty,price,disc,rate` per line. */
export function canonicalContent(offer) {
  const head = [text(offer, 'customer_id', 'canonical content'),
    text(offer, 'valid_until', 'canonical content'),
    text(offer, 'supply', 'canonical content'), grandTotal(offer)];
  return head.join('|') + linesPart(offer);
}

/** The canonical content without `valid_until|`; equal for an order and its offer. */
export function businessKey(doc) {
  const head = [text(doc, 'customer_id', 'business key'), text(doc, 'supply', 'business key'),
    grandTotal(doc)];
  return head.join('|') + linesPart(doc);
}

/** `sha256:<hex>` of the UTF-8 canonical content; `sha256Hex(bytes)` is injected (WebCrypto,
 * node:crypto or a native module) and may return a promise. */
export async function offerHash(offer, sha256Hex) {
  const bytes = new TextEncoder().encode(canonicalContent(offer));
  return `sha256:${await sha256Hex(bytes)}`;
}

/** A sha256Hex for offerHash built on a WebCrypto `subtle` object. */
export function webCryptoSha256(subtle) {
  return async (bytes) => {
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  };
}

/** `sha256:<hex>` of `terms|` + the business key: the commercial terms a head's decision binds
 * (sync/documents/canonical.py `terms_hash`). */
export async function termsHash(doc, sha256Hex) {
  const bytes = new TextEncoder().encode(`terms|${businessKey(doc)}`);
  return `sha256:${await sha256Hex(bytes)}`;
}
