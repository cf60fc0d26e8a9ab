// Writes docs/KEYS.md from the key table (src/state/keymap.ts), after `npm run build`.
import { writeFileSync } from 'node:fs';
import { keysMarkdown } from '../dist/state/keymap.js';

writeFileSync(new URL('../docs/KEYS.md', import.meta.url), keysMarkdown());
console.log('wrote docs/KEYS.md');
