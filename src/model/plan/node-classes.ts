import { parentIdsOf, type FileTree } from '../file-tree.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';
import { globRegExp } from './glob.js';
import { WASTE_RULES, type WasteRule } from './waste-rules.js';

export interface NodeClasses {
  /** By node id: the rule the node's path falls under, if any. */
  readonly rule: readonly (WasteRule | undefined)[];
  /** By node id: the top node of the match (the `.git` dir for a file inside it), for grouping paths. */
  readonly root: readonly (number | undefined)[];
}

let compiled: { rule: WasteRule; res: RegExp[] }[] | undefined;
/** Every glob in one anchored alternation: most paths match none, and one regex run tells (~10× faster). */
let any: RegExp | undefined;

function firstRule(path: string): WasteRule | undefined {
  compiled ??= WASTE_RULES.map((rule) => ({ rule, res: rule.globs.map(globRegExp) }));
  any ??= new RegExp(`^(?:${compiled.flatMap((c) => c.res.map((re) => re.source.replace(/^\^/, ''))).join('|')})`);
  if (!any.test(path)) return undefined;
  for (const { rule, res } of compiled) for (const re of res) if (re.test(path)) return rule;
  return undefined;
}

/**
 * Classifies every node of the merged tree once. A node under a matched directory inherits its class
 * (nodes come parents first), so the globs run only on paths outside matched subtrees.
 */
export function classifyNodes(tree: FileTree): NodeClasses {
  return runSteps(classifyNodesSteps(tree));
}

/** `classifyNodes` in slices (see model/steps.ts). */
export function* classifyNodesSteps(tree: FileTree): Steps<NodeClasses> {
  const rule: (WasteRule | undefined)[] = new Array(tree.nodes.length);
  const root: (number | undefined)[] = new Array(tree.nodes.length);
  const parents = parentIdsOf(tree);
  let i = 0;
  for (const node of tree.nodes) {
    if (++i % STEP_ITEMS === 0) yield;
    if (node.path === '') continue;
    const parent = parents[node.id]!;
    const inherited = parent >= 0 ? rule[parent] : undefined;
    if (inherited) {
      rule[node.id] = inherited;
      root[node.id] = root[parent];
      continue;
    }
    const r = firstRule(node.path);
    if (r) {
      rule[node.id] = r;
      root[node.id] = node.id;
    }
  }
  return { rule, root };
}
