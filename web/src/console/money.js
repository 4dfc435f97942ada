// Money arrives as decimal strings: formatted and added exactly, never as binary floats.

const rupees = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function money(value) {
  if (value === null || value === undefined || value === '') return '';
  const [whole, fraction = ''] = String(value).split('.');
  const negative = whole.startsWith('-');
  const grouped = rupees.format(Number(whole.replace('-', ''))).split('.')[0];
  return `${negative ? '-' : ''}₹${grouped}.${(fraction + '00').slice(0, 2)}`;
}

// Adds decimal strings exactly (in paise, as BigInt) and gives a decimal string back.
export function sumMoney(values) {
  let paise = 0n;
  for (const v of values) {
    if (v === null || v === undefined || v === '') continue;
    const [whole, fraction = ''] = String(v).split('.');
    const negative = whole.startsWith('-');
    const units = BigInt(whole.replace('-', '') || '0') * 100n + BigInt((fraction + '00').slice(0, 2));
    paise += negative ? -units : units;
  }
  const sign = paise < 0n ? '-' : '';
  const abs = paise < 0n ? -paise : paise;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

