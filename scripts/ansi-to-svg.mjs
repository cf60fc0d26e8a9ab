// Turns a terminal capture with SGR colours (`tmux capture-pane -e -p`) into an SVG of the screen, one
// monospace cell per character (DejaVu Sans Mono). Usage: node scripts/ansi-to-svg.mjs IN.ansi OUT.svg [COLS ROWS]
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, colsArg, rowsArg] = process.argv.slice(2);
const COLS = Number(colsArg ?? 120);
const ROWS = Number(rowsArg ?? 36);
const FG = '#d0d0d0';
const BG = '#1c1c1c';
const BASE = ['#1c1c1c', '#e05561', '#8cc265', '#d18f52', '#4aa5f0', '#c162de', '#42b3c2', '#d0d0d0'];
const BRIGHT = ['#7f848e', '#ff616e', '#a5e075', '#f0a45d', '#4dc4ff', '#de73ff', '#4cd1e0', '#ffffff'];
const cube = (n) => {
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
};

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const lines = readFileSync(input, 'utf8').split('\n').slice(0, ROWS);
const CW = 8.4;
const CH = 18;
const parts = [];
lines.forEach((line, row) => {
  let st = { fg: undefined, bg: undefined, bold: false, dim: false, ul: false, inv: false };
  let col = 0;
  const re = /\x1b\[([0-9;]*)m|([^\x1b]+)/g;
  let m;
  while ((m = re.exec(line))) {
    if (m[1] !== undefined) {
      const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        if (c === 0) st = { fg: undefined, bg: undefined, bold: false, dim: false, ul: false, inv: false };
        else if (c === 1) st = { ...st, bold: true };
        else if (c === 2) st = { ...st, dim: true };
        else if (c === 4) st = { ...st, ul: true };
        else if (c === 7) st = { ...st, inv: true };
        else if (c === 22) st = { ...st, bold: false, dim: false };
        else if (c === 24) st = { ...st, ul: false };
        else if (c === 27) st = { ...st, inv: false };
        else if (c >= 30 && c <= 37) st = { ...st, fg: BASE[c - 30] };
        else if (c >= 90 && c <= 97) st = { ...st, fg: BRIGHT[c - 90] };
        else if (c === 39) st = { ...st, fg: undefined };
        else if (c >= 40 && c <= 47) st = { ...st, bg: BASE[c - 40] };
        else if (c >= 100 && c <= 107) st = { ...st, bg: BRIGHT[c - 100] };
        else if (c === 49) st = { ...st, bg: undefined };
        else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
          st = { ...st, [c === 38 ? 'fg' : 'bg']: cube(codes[i + 2]) };
          i += 2;
        } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
          st = { ...st, [c === 38 ? 'fg' : 'bg']: `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})` };
          i += 4;
        }
      }
      continue;
    }
    const text = [...m[2]];
    let fg = st.fg ?? FG;
    let bg = st.bg;
    if (st.inv) [fg, bg] = [bg ?? BG, fg];
    const x = 10 + col * CW;
    const y = 10 + row * CH;
    if (bg)
      parts.push(`<rect x="${x}" y="${y}" width="${(text.length * CW).toFixed(1)}" height="${CH}" fill="${bg}"/>`);
    const s = text.join('');
    if (s.trim() !== '')
      parts.push(
        `<text x="${x}" y="${y + 13.5}" fill="${fg}"${st.bold ? ' font-weight="bold"' : ''}${st.dim ? ' opacity="0.6"' : ''}${st.ul ? ' text-decoration="underline"' : ''} textLength="${(text.length * CW).toFixed(1)}" lengthAdjust="spacingAndGlyphs">${esc(s)}</text>`,
      );
    col += text.length;
  }
});
const W = 20 + COLS * CW;
const H = 20 + ROWS * CH;
writeFileSync(
  output,
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="100%" height="100%" fill="${BG}"/><g font-family="DejaVu Sans Mono" font-size="14" xml:space="preserve">${parts.join('')}</g></svg>\n`,
);
