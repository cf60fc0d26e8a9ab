import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WriteExport } from '../model/ports.js';

/** The patch the explorer's `E` writes beside the fix list when a Dockerfile is mapped onto the image. */
export const PATCH_EXPORT_NAME = 'slimtui-fixes.patch';

/**
 * The explorer's export writer: writes a file by its bare name in `cwd` (the working directory) and
 * returns the path written. Anything but a bare file name is refused, so the UI can only ever write
 * ./slimtui-fixes.md and ./slimtui-plan.json where slimtui was started (and ./slimtui-fixes.patch: when
 * `patchOf` is given — a Dockerfile is known — the plan file's text is turned into the Dockerfile patch).
 */
export function cwdExportWriter(
  cwd: string = process.cwd(),
  patchOf?: (planFileText: string) => Promise<string | undefined>,
): WriteExport & ((name: string, text: string) => string | Promise<string>) {
  const write = (name: string, text: string): string => {
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name))
      throw new Error(`not a bare file name: ${JSON.stringify(name)}`);
    const path = join(resolve(cwd), name);
    writeFileSync(path, text);
    return path;
  };
  return (name, text) => {
    const path = write(name, text);
    if (!patchOf || name !== 'slimtui-plan.json') return path;
    // The patch weighs rebuilt Go binaries on their bytes (read again, deflated off the main thread).
    return patchOf(text).then((patch) => {
      if (patch !== undefined) write(PATCH_EXPORT_NAME, patch);
      return path;
    });
  };
}
