// Writes docs/KEYS.md from the key table (src/state/keymap.ts), after `npm run build`, and puts the same
// table into README.md between the keys markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { keysMarkdown } from '../dist/state/keymap.js';

const md = keysMarkdown();
writeFileSync(new URL('../docs/KEYS.md', import.meta.url), md);
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = '<!-- keys:start -->';
const end = '<!-- keys:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a >= 0 && b > a) writeFileSync(readmeUrl, `${readme.slice(0, a + start.length)}\n${md.trim()}\n${readme.slice(b)}`);
console.log('wrote docs/KEYS.md and the keys section of README.md');
