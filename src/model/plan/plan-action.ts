import type { WasteClassId } from './waste-rules.js';

/**
 * One step of a what-if plan. Removals mean "never added": every layer that stored a removed entry
 * shrinks. `remove-path` on a directory removes its subtree. Strip and UPX targets are `all` or a
 * path/glob of final ELF files; UPX `all` means every executable it would pack.
 */
export type PlanAction =
  | { readonly kind: 'remove-path'; readonly path: string }
  | { readonly kind: 'remove-glob'; readonly glob: string }
  | { readonly kind: 'remove-class'; readonly class: WasteClassId }
  | { readonly kind: 'strip'; readonly target: string }
  | { readonly kind: 'upx'; readonly target: string }
  /** Keep only what the final filesystem has (what a multi-stage build or a squash gives). */
  | { readonly kind: 'final-only' };

const slash = (p: string): string => (p.startsWith('/') || p === 'all' ? p : `/${p}`);

export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'remove-path':
      return `remove ${slash(a.path)}`;
    case 'remove-glob':
      return `remove ${slash(a.glob)}`;
    case 'remove-class':
      return `remove class ${a.class}`;
    case 'strip':
      return a.target === 'all' ? 'strip all ELF files' : `strip ${slash(a.target)}`;
    case 'upx':
      return a.target === 'all' ? 'UPX-pack all eligible executables' : `UPX-pack ${slash(a.target)}`;
    case 'final-only':
      return 'keep only the final filesystem (drop deleted, overwritten and chmod-copied data)';
  }
}

/** Same action, same meaning: for toggling in the UI. */
export function sameAction(a: PlanAction, b: PlanAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
