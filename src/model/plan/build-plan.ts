import type { Analysis } from '../analysis.js';
import { entryAt } from '../file-tree.js';
import { classifyWaste, type WasteReport } from './classify-waste.js';
import { elfOf, isExecutableKind } from './elf-facts.js';
import { refKey, type EntryRef } from './entry-ref.js';
import { finalEntries, indexEntries, type FinalEntry } from './entry-index.js';
import { globRegExp, isUnder, normaliseGlob } from './glob.js';
import { describeAction, type PlanAction } from './plan-action.js';

export interface PlannedAction {
  /** `a1`, `a2`… in plan order. */
  readonly id: string;
  readonly action: PlanAction;
  readonly label: string;
  /** Entries this action removes (an entry an earlier action removed is not counted again). */
  readonly removes: readonly EntryRef[];
  /** Final ELF entries this action strips / packs. */
  readonly strips: readonly EntryRef[];
  readonly packs: readonly EntryRef[];
  /** Entries the action matched, including those earlier actions already took. */
  readonly matched: number;
}

export interface Plan {
  readonly actions: readonly PlannedAction[];
  /** refKey of every removed entry → the action id that removed it. */
  readonly removedBy: ReadonlyMap<number, string>;
  readonly strippedBy: ReadonlyMap<number, string>;
  readonly packedBy: ReadonlyMap<number, string>;
  readonly waste: WasteReport;
  /** Final ELF files an `all` strip/UPX target left alone because they will not start (fix that first). */
  readonly notStarting: readonly string[];
}

export interface BuildPlanOptions {
  /** A waste report already computed for this analysis (the UI keeps one). */
  readonly waste?: WasteReport;
}

const ORDER: Record<PlanAction['kind'], number> = {
  'remove-path': 0,
  'remove-glob': 0,
  'remove-class': 0,
  'final-only': 1,
  strip: 2,
  upx: 3,
};

/**
 * Resolves actions to the entries they touch. Removals are applied first (in the given order), then
 * final-only, then strip, then UPX (of what is left, after stripping); ids follow the given order.
 */
export function buildPlan(analysis: Analysis, actions: readonly PlanAction[], opts: BuildPlanOptions = {}): Plan {
  const { image, tree } = analysis;
  const last = image.layers.length - 1;
  const waste = opts.waste ?? classifyWaste(analysis);
  const index = indexEntries(analysis);
  let finals: FinalEntry[] | undefined;
  const finalList = (): FinalEntry[] => (finals ??= finalEntries(analysis, index));

  // A binary that will not start is not worth stripping or packing: its error comes first (fix list).
  const wontStart = (path: string): boolean =>
    analysis.binaries.byPath.get(`/${path}`)?.verdict?.status === 'will not start';
  const notStarting = new Set<string>();
  const removedBy = new Map<number, string>();
  const strippedBy = new Map<number, string>();
  const packedBy = new Map<number, string>();
  const planned: {
    id: string;
    action: PlanAction;
    removes: EntryRef[];
    strips: EntryRef[];
    packs: EntryRef[];
    matched: number;
  }[] = actions.map((action, i) => ({ id: `a${i + 1}`, action, removes: [], strips: [], packs: [], matched: 0 }));

  const allRefs = function* (match: (path: string) => boolean): Generator<EntryRef> {
    for (let layer = 0; layer <= last; layer++) {
      const count = image.layers[layer]?.entries.length ?? 0;
      for (let i = 0; i < count; i++) {
        const node = tree.nodeOf(layer, i);
        if (node && match(node.path)) yield { layer, index: i };
      }
    }
  };
  const targetMatcher = (target: string): ((path: string) => boolean) => {
    if (target === 'all') return () => true;
    const re = globRegExp(target);
    return (p) => re.test(p);
  };

  for (const p of [...planned].sort((a, b) => ORDER[a.action.kind] - ORDER[b.action.kind])) {
    const a = p.action;
    const take = (ref: EntryRef): void => {
      p.matched++;
      const k = refKey(ref);
      if (removedBy.has(k)) return;
      removedBy.set(k, p.id);
      p.removes.push(ref);
    };
    switch (a.kind) {
      case 'remove-path': {
        const path = normaliseGlob(a.path);
        if (path !== '') for (const r of allRefs((q) => isUnder(q, path))) take(r);
        break;
      }
      case 'remove-glob': {
        const re = globRegExp(a.glob);
        for (const r of allRefs((q) => re.test(q))) take(r);
        break;
      }
      case 'remove-class': {
        const cls = waste.classes.find((c) => c.id === a.class);
        for (const r of cls?.entries ?? []) take(r);
        break;
      }
      case 'final-only': {
        image.layers.forEach((layer, li) => {
          layer.entries.forEach((e, i) => {
            const node = tree.nodeOf(li, i);
            if (e.kind === 'whiteout' || e.kind === 'opaque' || !node) return take({ layer: li, index: i });
            const final = entryAt(node, last);
            // A directory re-emitted by a later layer is still a directory in a squash: keep its header.
            if (final !== e && !(e.kind === 'dir' && final?.kind === 'dir')) take({ layer: li, index: i });
          });
        });
        break;
      }
      case 'strip':
      case 'upx': {
        const match = targetMatcher(a.target);
        const by = a.kind === 'strip' ? strippedBy : packedBy;
        for (const f of finalList()) {
          const elf = elfOf(f.entry);
          if (!elf || f.entry.kind !== 'file' || !match(f.node.path)) continue;
          if (a.kind === 'upx' && a.target === 'all' && !isExecutableKind(elf)) continue;
          // Stripping everything (the recommended plan's action) leaves out binaries that will not start: fix
          // those first. UPX `all` stays what UPX itself would pack: the user asked for every executable.
          if (a.kind === 'strip' && a.target === 'all' && wontStart(f.node.path)) {
            notStarting.add(`/${f.node.path}`);
            continue;
          }
          const k = refKey(f.ref);
          if (removedBy.has(k)) continue;
          p.matched++;
          if (by.has(k)) continue;
          by.set(k, p.id);
          (a.kind === 'strip' ? p.strips : p.packs).push(f.ref);
        }
        break;
      }
    }
  }
  return {
    actions: planned.map((p) => ({ ...p, label: describeAction(p.action) })),
    removedBy,
    strippedBy,
    packedBy,
    waste,
    notStarting: [...notStarting].sort(),
  };
}
