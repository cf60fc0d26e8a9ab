import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WriteExport } from '../model/ports.js';

/**
 * The explorer's export writer: writes a file by its bare name in `cwd` (the working directory) and
 * returns the path written. Anything but a bare file name is refused, so the UI can only ever write
 * ./slimtui-fixes.md and ./slimtui-plan.json where slimtui was started.
 */
export function cwdExportWriter(cwd: string = process.cwd()): WriteExport & ((name: string, text: string) => string) {
  return (name, text) => {
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw new Error(`not a bare file name: ${JSON.stringify(name)}`);
    const path = join(resolve(cwd), name);
    writeFileSync(path, text);
    return path;
  };
}
