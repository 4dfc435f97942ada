// Exact decimal arithmetic on BigInt for money: no value ever passes through a float.

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export class DecimalError extends Error {}

/** A non-negative decimal string (or a finite number written as its shortest decimal) as
 * [integer, scale], so that value = integer / 10^scale. */
export function parseDecimal(value, name = 'value') {
  let text = value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new DecimalError(`${name} must be a number >= 0`);
    text = shortestDecimal(value);
  }
  if (typeof text !== 'string') throw new DecimalError(`${name} must be a decimal string like "18"`);
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new DecimalError(`${name} must be digits with an optional decimal point, not "${text}"`);
  const frac = match[2] || '';
  return [BigInt(match[1] + frac), frac.length];
}

/** The shortest plain decimal for a JS number: 2, 2.5, 0.125 (never an exponent). */
export function shortestDecimal(value) {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Numbers this small or large never reach a document, but never write an exponent.
  return value.toFixed(20).replace(/\.?0+$/, '');
}

export function pow10(n) {
  return 10n ** BigInt(n);
}

/** numerator / denominator rounded to an integer, halves away from zero (ROUND_HALF_UP). */
export function roundHalfUp(numerator, denominator) {
  if (numerator < 0n) return -roundHalfUp(-numerator, denominator);
  return (2n * numerator + denominator) / (2n * denominator);
}

/** Paise (a BigInt) as money text with two places: 118000n -> "1180.00". */
export function formatPaise(paise) {
  const sign = paise < 0n ? '-' : '';
  const abs = paise < 0n ? -paise : paise;
  const rupees = abs / 100n;
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${sign}${rupees}.${rest}`;
}

/** Money text ("1180.00", "5", "12.5") as paise, refusing more than two decimal places. */
export function parsePaise(value, name = 'amount') {
  const [int, scale] = parseDecimal(value, name);
  if (scale > 2) throw new DecimalError(`${name} has more than two decimal places`);
  return int * pow10(2 - scale);
}
