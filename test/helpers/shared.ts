// The team's shared folder (third-party fixtures, strip/UPX oracles) sits beside the repository: `../shared`
// from the repository root, which is the cwd of every test. SLIMTUI_SHARED overrides it.
import { resolve } from 'node:path';

export const SHARED_DIR = process.env['SLIMTUI_SHARED'] ?? resolve(process.cwd(), '..', 'shared');
export const sharedPath = (...parts: string[]): string => resolve(SHARED_DIR, ...parts);
