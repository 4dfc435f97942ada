// Money, quantities and km as people type them on a phone, turned into the exact text the
// documents carry ("4,50,000" -> "450000.00"); a person's message when the text is not a number.
// Pure: no float ever touches money, so the PWA and the Android app agree to the paisa.

const SCALES = { lakh: 5, lakhs: 5, lac: 5, lacs: 5, l: 5, crore: 7, crores: 7, cr: 7, k: 3, thousand: 3 };
const CURRENCY = /^(?:₹|rs\.?|inr)\s*/i;
const FIGURES = /^(\d[\d,\s]*)(?:\.(\d*))?$|^\.(\d+)$/;

/** "4,50,000" style grouping is fine, "4,,50" or ",450" is a slip: commas sit between digits. */
function cleanGrouping(whole) {
  const parts = whole.split(/[,\s]/);
  if (parts.some((p) => p === '')) return null;
  return parts.join('');
}

/** [digits, fraction] of plain figures with an optional currency sign and scale word, else null. */
function figures(text) {
  let t = String(text ?? '').trim().replace(CURRENCY, '').trim();
  let shift = 0;
  const word = /^(.*?)\s*([a-z]+)\.?$/i.exec(t);
  if (word && /\d/.test(word[1])) {
    const scale = SCALES[word[2].toLowerCase()];
    if (scale === undefined) return null;
    shift = scale;
    t = word[1].trim();
  }
  const match = FIGURES.exec(t);
  if (!match) return null;
  const whole = match[3] !== undefined ? '0' : cleanGrouping(match[1].trim());
  if (whole === null) return null;
  const fraction = match[3] !== undefined ? match[3] : match[2] || '';
  return shiftDecimal(whole, fraction, shift);
}

/** whole.fraction × 10^shift, as [whole digits, fraction digits], exactly. */
function shiftDecimal(whole, fraction, shift) {
  const moved = fraction.slice(0, shift).padEnd(shift, '0');
  const wholeOut = `${whole}${moved}`.replace(/^0+(?=\d)/, '');
  return [wholeOut, fraction.slice(shift)];
}


// Only problems of reading what was typed are said here. Whether a value is needed, above 0, at
// most 1,00,000 km or a discount of at most 100 % is the document contract's to say (its
// catalogue's words, `contract.js`), when the document is checked before it is saved.

/** {value: "450000.00"} for money typed any usual way (a minus sign kept, for the contract to
 * refuse); {value: null} when empty; {error} for words or more than two paise digits. */
export function parseMoney(text, { label = 'The amount' } = {}) {
  const typed = String(text ?? '').trim();
  if (typed === '') return { value: null };
  const minus = /^-/.test(typed) ? '-' : '';
  const parts = figures(typed.replace(/^-\s*/, ''));
  if (!parts) return { value: null, error: `${label} must be in figures, like 4,50,000 or 450000.50` };
  const [whole, fraction] = parts;
  if (fraction.replace(/0+$/, '').length > 2) return { value: null, error: `${label} can have paise to two places only, like 450000.50` };
  const paise = fraction.slice(0, 2).padEnd(2, '0');
  return { value: `${minus}${whole}.${paise}` };
}

/** A count or measure as typed ("1,000", "2.5", "12 km"): {value: Number} or {value: null}
 * when empty, or {error} when it is not figures. */
export function parseNumber(text, { label = 'The number', unit = '' } = {}) {
  let t = String(text ?? '').trim();
  if (t === '') return { value: null };
  if (unit) t = t.replace(new RegExp(`\\s*${unit}\\.?$`, 'i'), '');
  const minus = /^-/.test(t) ? -1 : 1;
  t = t.replace(/^-\s*/, '');
  const parts = figures(t);
  if (!parts || /[a-z]/i.test(t)) return { value: null, error: `${label}: write it in figures, like 12 or 12.5` };
  const [whole, fraction] = parts;
  const trimmed = fraction.replace(/0+$/, '');
  return { value: minus * Number(trimmed ? `${whole}.${trimmed}` : whole) };
}

/** A quantity on an offer line. */
export function parseQuantity(text) {
  return parseNumber(text, { label: 'Quantity' });
}

/** Km of a trip, "12 km" allowed. */
export function parseKm(text) {
  return parseNumber(text, { label: 'Km', unit: 'km' });
}

/** A discount in percent, "5%" allowed. */
export function parsePercent(text) {
  return parseNumber(String(text ?? '').replace(/\s*%$/, ''), { label: 'Discount' });
}

/** Digits grouped the Indian way: "450000" -> "4,50,000". */
export function groupIndian(digits) {
  const last3 = digits.slice(-3);
  const rest = digits.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  return rest ? `${rest},${last3}` : last3;
}

/** What a money field shows once the engineer leaves it: "450000" -> "4,50,000.00"; text
 * that is not money is left as typed, so the message can point at it. */
export function showMoney(text) {
  const { value } = parseMoney(text);
  if (!value) return String(text ?? '');
  const [whole, paise] = value.split('.');
  return `${groupIndian(whole)}.${paise}`;
}
