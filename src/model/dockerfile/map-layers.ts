/**
 * Which Dockerfile instruction made which layer: the history's `created_by` of each layer against the
 * layer-making instructions (RUN, COPY, ADD; WORKDIR when the builder made a layer of it) of the final stage and
 * the stages it builds on (`FROM build AS final` → build's instructions come first), matched from the last layer
 * backwards. The layers before the first match are the base image's. Formats understood:
 *   classic builder  `/bin/sh -c #(nop) COPY file:<hex> in /x `, `/bin/sh -c CMD`, `|2 A=1 B=2 /bin/sh -c CMD`
 *   BuildKit         `RUN /bin/sh -c CMD # buildkit`, `RUN |1 A=1 /bin/sh -c CMD # buildkit`, `COPY x /y # buildkit`
 * When the history does not line up with the Dockerfile, the mapping says so (`matched` false and why).
 */
import type { Image } from '../image.js';
import { runCommand, stageChain, type DfInstruction, type ParsedDockerfile } from './parse.js';

export interface LayerInstruction {
  readonly layer: number;
  readonly instruction: DfInstruction;
  /** 'exact': the command/destination agree; 'keyword': only the keyword and the order do. */
  readonly how: 'exact' | 'keyword';
}

export interface DockerfileMapping {
  /** Per layer: the instruction that made it (undefined: a base-image layer, or unknown). */
  readonly perLayer: readonly (LayerInstruction | undefined)[];
  /** Layers from the base image (before the first mapped instruction). */
  readonly baseLayers: number;
  /** True when every layer after the base maps to an instruction and every layer-making instruction to a layer. */
  readonly matched: boolean;
  /** Why it does not match, or other things worth saying. */
  readonly notes: readonly string[];
  /** The final stage's index. */
  readonly finalStage: number;
}

/** A history entry as keyword + rest: `RUN <cmd>` or `COPY <args>` … (undefined: not a Dockerfile instruction). */
export function parseCreatedBy(createdBy: string | undefined): { keyword: string; rest: string } | undefined {
  if (!createdBy) return undefined;
  let s = createdBy.trim().replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*([A-Z]+)\s*(.*)$/s.exec(s);
  if (nop) return { keyword: nop[1]!, rest: nop[2]!.trim() };
  const keyword = 'RUN';
  const kw = /^([A-Z]+)\s+(.*)$/s.exec(s);
  if (kw && kw[1] !== 'RUN') return { keyword: kw[1]!, rest: kw[2]!.trim() };
  if (kw) s = kw[2]!;
  s = s.replace(/^\|\d+(\s+[^\s=]+=("[^"]*"|'[^']*'|\S*))*\s+/, '');
  s = s.replace(/^\/bin\/(ba)?sh -c /, '');
  return { keyword, rest: s.trim() };
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const MAKES_LAYER = new Set(['RUN', 'COPY', 'ADD']);

/** The destination of a COPY/ADD as written (last argument; exec form's last string). */
function destOf(ins: DfInstruction): string {
  if (ins.exec && ins.exec.length > 0) return ins.exec[ins.exec.length - 1]!;
  const parts = ins.args.split(' ');
  return parts[parts.length - 1] ?? '';
}

function agrees(ins: DfInstruction, h: { keyword: string; rest: string }): 'exact' | 'keyword' | undefined {
  if (ins.keyword !== h.keyword) return undefined;
  if (ins.keyword === 'RUN') {
    const a = collapse(runCommand(ins));
    const b = collapse(h.rest);
    if (a === b || (a.length > 20 && (b.includes(a) || a.includes(b)))) return 'exact';
    return 'keyword';
  }
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    const dest = destOf(ins).replace(/\/+$/, '');
    const hdest = (/ in (\S+)\s*$/.exec(h.rest)?.[1] ?? h.rest.split(' ').pop() ?? '').replace(/\/+$/, '');
    if (dest === hdest || (dest !== '' && hdest.endsWith(`/${dest}`)) || (dest === '' && hdest === '')) return 'exact';
    return 'keyword';
  }
  return collapse(ins.args) === collapse(h.rest) ? 'exact' : 'keyword';
}

/**
 * Maps the image's layers to the Dockerfile's instructions. `stage`: the target stage (default: the last one,
 * what `docker build` builds without `--target`).
 */
export function mapLayers(image: Image, df: ParsedDockerfile, stage = df.stages.length - 1): DockerfileMapping {
  const n = image.layers.length;
  const perLayer: (LayerInstruction | undefined)[] = new Array(n).fill(undefined);
  const notes: string[] = [];
  if (df.stages.length === 0 || stage < 0)
    return { perLayer, baseLayers: n, matched: false, notes: ['the Dockerfile has no FROM'], finalStage: -1 };
  const chain = stageChain(df, stage);
  const candidates = chain.flatMap((s) =>
    s.instructions.filter((i) => MAKES_LAYER.has(i.keyword) || i.keyword === 'WORKDIR'),
  );
  if (image.layers.every((l) => l.history?.createdBy === undefined)) {
    return {
      perLayer,
      baseLayers: n,
      matched: false,
      notes: ['the image has no layer history (created_by): layers cannot be mapped to instructions'],
      finalStage: stage,
    };
  }
  let ci = candidates.length - 1;
  let li = n - 1;
  for (; li >= 0 && ci >= 0; li--) {
    const h = parseCreatedBy(image.layers[li]!.history?.createdBy);
    if (!h) break;
    // WORKDIR makes a layer only with some builders: skip WORKDIRs that do not match this layer.
    while (ci >= 0 && candidates[ci]!.keyword === 'WORKDIR' && h.keyword !== 'WORKDIR') ci--;
    if (ci < 0) break;
    const how = agrees(candidates[ci]!, h);
    if (!how) break;
    perLayer[li] = { layer: li, instruction: candidates[ci]!, how };
    ci--;
  }
  while (ci >= 0 && candidates[ci]!.keyword === 'WORKDIR') ci--;
  const baseLayers = li + 1;
  const unmatched = candidates.slice(0, ci + 1);
  if (unmatched.length > 0)
    notes.push(
      `${unmatched.length} layer-making instruction${unmatched.length === 1 ? '' : 's'} (first: line ${unmatched[0]!.line} ${unmatched[0]!.keyword}) match no layer of the image: the image was not built from this Dockerfile as it is now`,
    );
  const weak = perLayer.filter((p) => p?.how === 'keyword');
  if (weak.length > 0)
    notes.push(
      `${weak.length} layer${weak.length === 1 ? '' : 's'} matched by keyword and order only (line${weak.length === 1 ? '' : 's'} ${weak.map((p) => p!.instruction.line).join(', ')}): the command differs from the history`,
    );
  const mapped = perLayer.filter((p) => p !== undefined).length;
  if (mapped === 0) notes.push('no layer matches an instruction of the final stage');
  return { perLayer, baseLayers, matched: unmatched.length === 0 && mapped > 0, notes, finalStage: stage };
}
