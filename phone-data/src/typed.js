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


/** {value: "450000.00"} for money typed any usual way; {value: null} when empty;
 * {error} for words, a minus sign or more than two paise digits. */
export function parseMoney(text, { label = 'The amount', required = false } = {}) {
  if (String(text ?? '').trim() === '') {
    return required ? { value: null, error: `${label} is needed` } : { value: null };
  }
  if (/^\s*-/.test(String(text))) return { value: null, error: `${label} cannot be below zero` };
  const parts = figures(text);
  if (!parts) return { value: null, error: `${label} must be in figures, like 4,50,000 or 450000.50` };
  const [whole, fraction] = parts;
  if (fraction.replace(/0+$/, '').length > 2) return { value: null, error: `${label} can have paise to two places only, like 450000.50` };
  const paise = fraction.slice(0, 2).padEnd(2, '0');
  return { value: `${whole}.${paise}` };
}

/** A count or measure as typed ("1,000", "2.5", "12 km") within [min, max]; `above` excludes
 * min itself ("more than 0"). {value: Number} or {value: null} or {error}. */
export function parseNumber(text, { label = 'The number', unit = '', min = 0, max = Infinity,
  above = false, places = 3, required = false } = {}) {
  let t = String(text ?? '').trim();
  if (t === '') return required ? { value: null, error: `${label} is needed` } : { value: null };
  if (unit) t = t.replace(new RegExp(`\\s*${unit}\\.?$`, 'i'), '');
  if (/^-/.test(t)) return { value: null, error: `${label} cannot be below zero` };
  const parts = figures(t);
  if (!parts || /[a-z]/i.test(t)) return { value: null, error: `${label}: write it in figures, like 12 or 12.5` };
  const [whole, fraction] = parts;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > places) return { value: null, error: `${label} can have at most ${places} decimal places` };
  const value = Number(trimmed ? `${whole}.${trimmed}` : whole);
  if (above ? !(value > min) : value < min) {
    return { value: null, error: `${label} must be ${above ? 'more than' : 'at least'} ${min}` };
  }
  if (value > max) return { value: null, error: `${label} can be at most ${groupIndian(String(max))}` };
  return { value };
}

/** A quantity on an offer line: more than 0, at most a million. */
export function parseQuantity(text) {
  return parseNumber(text, { label: 'Quantity', above: true, max: 1000000, required: true });
}

/** Km of a trip: 0 to 1,00,000, "12 km" allowed. */
export function parseKm(text) {
  return parseNumber(text, { label: 'Km', unit: 'km', max: 100000, places: 2, required: true });
}

/** A discount in percent: 0 to 100, "5%" allowed. */
export function parsePercent(text) {
  return parseNumber(String(text ?? '').replace(/\s*%$/, ''), { label: 'Discount', max: 100, places: 2 });
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
