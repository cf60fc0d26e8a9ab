/**
 * How dive v0.13.1 reads a `.dive-ci` value, reproduced exactly (runtime/ci/rule.go): viper hands each rule's
 * YAML value over as a string (spf13/cast's ToString), percentages go through Go's strconv.ParseFloat and must
 * lie in 0..1, sizes through go-humanize's ParseBytes, and only the exact string `disabled` turns a rule off.
 */

/** spf13/cast ToString of a decoded YAML value: numbers as Go's FormatFloat(f, 'f', -1), bools, strings; else "". */
export function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
    if (Number.isInteger(v)) return BigInt(v).toString();
    // Go's 'f' format never uses an exponent.
    const s = String(v);
    if (!/e/i.test(s)) return s;
    const digits = Math.max(0, -Math.floor(Math.log10(Math.abs(v))) + 17);
    return v.toFixed(Math.min(100, digits)).replace(/\.?0+$/, '');
  }
  return '';
}

/** Go's strconv.ParseFloat(s, 64): the value, or undefined on a syntax or range error (no spaces allowed). */
export function goParseFloat(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex) {
    const int = hex[2] ?? '';
    const frac = hex[3] ?? '';
    if (int === '' && frac === '') return undefined;
    const mant = parseInt(`${int}${frac}` || '0', 16) / 16 ** frac.length;
    const v = mant * 2 ** Number(hex[4]);
    return Number.isFinite(v) ? (hex[1] === '-' ? -v : v) : undefined;
  }
  // Underscores are allowed only with a base prefix; decimal here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined; // out of range: Go returns ±Inf with ErrRange
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 2 ** 10,
  kb: 1e3,
  mib: 2 ** 20,
  mb: 1e6,
  gib: 2 ** 30,
  gb: 1e9,
  tib: 2 ** 40,
  tb: 1e12,
  pib: 2 ** 50,
  pb: 1e15,
  eib: 2 ** 60,
  eb: 1e18,
  '': 1,
  ki: 2 ** 10,
  k: 1e3,
  mi: 2 ** 20,
  m: 1e6,
  gi: 2 ** 30,
  g: 1e9,
  ti: 2 ** 40,
  t: 1e12,
  pi: 2 ** 50,
  p: 1e15,
  ei: 2 ** 60,
  e: 1e18,
};

/** go-humanize's ParseBytes: a number (digits, `.`, `,` — commas dropped) then a unit, any case, spaces around it. */
export function humanizeParseBytes(s: string): number | undefined {
  let i = 0;
  while (i < s.length && /[0-9.,]/.test(s[i]!)) i++;
  const num = goParseFloat(s.slice(0, i).replace(/,/g, ''));
  if (num === undefined) return undefined;
  const unit = SIZE_UNITS[s.slice(i).trim().toLowerCase()];
  if (unit === undefined) return undefined;
  const v = num * unit;
  return v >= 2 ** 64 ? undefined : Math.trunc(v);
}
