/**
 * The fix list as a Dockerfile patch: each item that an instruction can express becomes an edit of the
 * instruction that made the mess (clean up in the same RUN, delete where it is added, COPY --chmod instead of a
 * chmod layer, the toolchain into a build stage with a runtime stage on a base that fits the binaries), with a
 * `# slimtui:` comment saying what it saves and why. What no instruction can express stays advice.
 */
import type { Analysis } from '../analysis.js';
import { formatBytes } from '../byte-units.js';
import { entryAt } from '../file-tree.js';
import { libcNeedOf } from '../libc/index.js';
import { elfOf } from '../plan/elf-facts.js';
import { removedGzipBytes } from '../plan/removal-cost.js';
import { baselineCompressed } from '../plan/predictors.js';
import { modelPredictors } from '../plan/model-predictors.js';
import { stripCompressedRatio } from '../plan/strip-compressibility.js';
import type { FixItem, FixList } from '../plan/fix-list.js';
import type { DockerfileMapping } from './map-layers.js';
import type { DfInstruction, ParsedDockerfile } from './parse.js';
import { applyEdits, unifiedDiff, type LineEdit } from './unified-diff.js';
import { appBinaries, goBuildRun, goNeedsCgo, type RebuiltGoSizes } from './go-rebuild.js';

export interface PatchOptions {
  /** Runtime base for glibc-dynamic binaries (default debian:bookworm-slim). */
  readonly glibcBase?: string;
  /** Runtime base for musl-dynamic binaries (default alpine:3.20). */
  readonly muslBase?: string;
  /** The Dockerfile's name in the diff (a/NAME, b/NAME). */
  readonly name?: string;
  /**
   * The builder the patch targets: 'buildkit' uses `COPY --chmod`; 'classic' (DOCKER_BUILDKIT=0, which rejects
   * --chmod) sets the mode on the file in the build context instead (a git-style mode change `patch` applies).
   * Default: what built the image (its history says `# buildkit` or not).
   */
  readonly builder?: 'buildkit' | 'classic';
  /** Sizes of runtime bases when known (from the daemon): the projection adds them. */
  readonly baseSizes?: Readonly<Record<string, { readonly size: number; readonly compressed: number }>>;
  /**
   * gzip -6 weight of the Go binaries the patch rebuilds with -s -w, measured on their bytes
   * (src/io/rebuilt-go-size.ts for goRebuildTargets); without it the projection guesses from ratios.
   */
  readonly rebuiltGo?: RebuiltGoSizes;
}

export interface PatchHunk {
  readonly line: number;
  readonly what: string;
  readonly bytes: number;
  readonly compressed: number;
}

export interface DockerfilePatch {
  /** The unified diff ('' when nothing can be expressed). */
  readonly diff: string;
  /** The Dockerfile after the patch. */
  readonly patched: string;
  readonly hunks: readonly PatchHunk[];
  /** Items left as advice (no instruction can express them), with why. */
  readonly advice: readonly string[];
  /** Build-context files whose mode the patch changes (classic builder instead of COPY --chmod). */
  readonly modeChanges: readonly { readonly file: string; readonly mode: number }[];
  /** The image the patched Dockerfile should build: on disk and compressed (the codec of the fix list). */
  readonly projected: { readonly size: number; readonly compressed: number };
}

const CACHE_CLASSES = new Set([
  'apt-lists',
  'apt-archives',
  'apk-cache',
  'pip-cache',
  'npm-cache',
  'yarn-cache',
  'go-build-cache',
  'go-mod-cache',
  'temp-files',
  'docs',
  'locales',
  'vcs',
  'dependency-tests',
]);
const TOOLCHAIN_CLASSES = new Set([
  'headers',
  'static-archives',
  'object-files',
  'c-toolchain',
  'go-sdk',
  'rust-toolchain',
]);

const saving = (bytes: number, compressed: number): string =>
  `−${formatBytes(bytes)} on disk, −${formatBytes(compressed)} compressed`;

interface RunEdit {
  ins: DfInstruction;
  /** The instruction's text (all lines), rewritten step by step. */
  text: string;
  comments: string[];
  drop: boolean;
}

/** `cmd` with `&& more` appended as a new continuation line. */
const appendCommand = (text: string, more: string): string => `${text.replace(/\s+$/, '')} \\\n    && ${more}`;

function cacheCleanup(run: RunEdit, item: FixItem): string | undefined {
  const c = item.classId ?? '';
  const t = run.text;
  switch (c) {
    case 'apt-lists':
    case 'apt-archives': {
      let x = t;
      if (/apt(-get)?\s+install\b/.test(x) && !/--no-install-recommends/.test(x))
        x = x.replace(/(apt(?:-get)?\s+install)\b/, '$1 --no-install-recommends');
      if (!/rm -rf \/var\/lib\/apt\/lists/.test(x))
        x = appendCommand(x, 'apt-get clean && rm -rf /var/lib/apt/lists/*');
      run.text = x;
      return 'apt lists and package cache removed in the RUN that made them (and no recommended packages)';
    }
    case 'apk-cache':
      if (!/apk\s+add\b/.test(t)) return undefined;
      if (!/--no-cache/.test(t)) run.text = t.replace(/apk\s+add\b/, 'apk add --no-cache');
      return 'apk add --no-cache keeps no package index or cache';
    case 'pip-cache':
      if (!/pip3?\s+install\b/.test(t)) return undefined;
      if (!/--no-cache-dir/.test(t)) run.text = t.replace(/(pip3?\s+install)\b/, '$1 --no-cache-dir');
      return 'pip install --no-cache-dir keeps no wheel cache';
    case 'npm-cache':
      run.text = appendCommand(t, 'npm cache clean --force');
      return 'npm cache cleaned in the same RUN';
    case 'go-build-cache':
    case 'go-mod-cache':
      run.text = appendCommand(t, 'go clean -cache -modcache');
      return 'Go build and module caches cleaned in the same RUN';
    default: {
      const roots = item.paths.map((p) => (p.startsWith('/') ? p : `/${p}`));
      if (roots.length === 0) return undefined;
      run.text = appendCommand(t, `rm -rf ${roots.join(' ')}`);
      return `${roots.length === 1 ? roots[0] : `${roots.length} paths`} deleted in the RUN that made ${roots.length === 1 ? 'it' : 'them'}`;
    }
  }
}

/** `rm path` (which fails when the path is already gone) becomes `rm -f`. */
const forgivingRm = (text: string): string =>
  text.replace(/\brm\s+(?!-)/g, 'rm -f ').replace(/\brm\s+-r\s/g, 'rm -rf ');

/** The text of a RUN with its `chmod …` command(s) on `paths` taken out; undefined when nothing else is left. */
function withoutChmod(text: string, paths: readonly string[]): string | undefined | null {
  const body = text.replace(/^\s*RUN\s+/i, '').replace(/\\\n/g, ' ');
  const parts = body
    .split(/&&/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const keep = parts.filter((p) => !(/^ch(mod|own|grp)\b/.test(p) && paths.some((q) => p.includes(q))));
  if (keep.length === parts.length) return null;
  if (keep.length === 0) return undefined;
  return `RUN ${keep.join(' \\\n    && ')}`;
}

/**
 * The patch of a Dockerfile for a fix list. `mapping` says which instruction made which layer (mapLayers);
 * only the final stage's instructions are edited.
 */
export function dockerfilePatch(
  analysis: Analysis,
  df: ParsedDockerfile,
  mapping: DockerfileMapping,
  list: FixList,
  opts: PatchOptions = {},
): DockerfilePatch {
  const name = opts.name ?? 'Dockerfile';
  const runs = new Map<DfInstruction, RunEdit>();
  const hunks: PatchHunk[] = [];
  const advice: string[] = [];
  const edit = (ins: DfInstruction): RunEdit => {
    let r = runs.get(ins);
    if (!r) runs.set(ins, (r = { ins, text: ins.raw, comments: [], drop: false }));
    return r;
  };
  const insOf = (layer: number): DfInstruction | undefined => mapping.perLayer[layer]?.instruction;
  const items = list.groups.flatMap((g) => g.items);
  let expressed = { bytes: 0, compressed: 0 };
  const edits0: LineEdit[] = [];
  const modeChanges: { file: string; mode: number }[] = [];
  const builder =
    opts.builder ??
    (analysis.image.layers.some((l) => /# buildkit$/.test(l.history?.createdBy ?? '')) ? 'buildkit' : 'classic');
  const noted = new Map<string, { bytes: number; compressed: number; index: number }>();
  const note = (ins: DfInstruction, item: { bytes: number; compressed: number }, why: string): void => {
    // One comment per instruction and reason (apt lists and apt archives are one fix).
    const r = edit(ins);
    const key = `${ins.line}|${why}`;
    const prev = noted.get(key);
    if (prev) {
      prev.bytes += item.bytes;
      prev.compressed += item.compressed;
      r.comments[prev.index] = `# slimtui: ${saving(prev.bytes, prev.compressed)}: ${why}`;
    } else {
      noted.set(key, { bytes: item.bytes, compressed: item.compressed, index: r.comments.length });
      r.comments.push(`# slimtui: ${saving(item.bytes, item.compressed)}: ${why}`);
    }
    hunks.push({ line: ins.line, what: why, bytes: item.bytes, compressed: item.compressed });
    expressed = { bytes: expressed.bytes + item.bytes, compressed: expressed.compressed + item.compressed };
  };

  // A toolchain in the final stage: a build stage and a runtime stage, which also drops every other waste.
  const toolchain = items.filter(
    (i) => i.kind === 'build-stage' || (i.classId !== undefined && TOOLCHAIN_CLASSES.has(i.classId)),
  );
  const multi = toolchain.length > 0 ? runtimeStage(analysis, df, mapping, opts) : undefined;
  if (multi && !multi.ok) advice.push(`toolchain: ${multi.why}`);

  // A glibc binary in a musl image will not start: a runtime base with glibc fixes it (errors come first).
  const swap = multi?.ok ? undefined : baseSwap(analysis, df, mapping, list, opts);
  if (swap) {
    edits0.push(swap.edit);
    hunks.push(swap.hunk);
  }

  for (const item of items) {
    if (multi?.ok) break;
    const ins = insOf(item.layer);
    const label = item.text.replace(/\s+—.*$/, '');
    if (!ins) {
      advice.push(
        `${label} (layer ${item.layer}: ${item.layer < mapping.baseLayers ? 'from the base image' : 'no instruction of the Dockerfile made it'})`,
      );
      continue;
    }
    if (ins.keyword === 'RUN' && (ins.exec || ins.heredocs.length > 0) && item.kind !== 'layer-waste') {
      advice.push(`${label} (line ${ins.line}: exec-form or heredoc RUN, edit it by hand)`);
      continue;
    }
    if (item.kind === 'remove-class' && ins.keyword === 'RUN' && CACHE_CLASSES.has(item.classId ?? '')) {
      const why = cacheCleanup(edit(ins), item);
      if (why) note(ins, item, why);
      else advice.push(label);
      continue;
    }
    if (
      item.kind === 'layer-waste' &&
      item.classId === 'deleted' &&
      ins.keyword === 'RUN' &&
      !ins.exec &&
      ins.heredocs.length === 0
    ) {
      const paths = item.paths.map((p) => (p.startsWith('/') ? p : `/${p}`));
      const r = edit(ins);
      r.text = appendCommand(r.text, `rm -rf ${paths.join(' ')}`);
      note(
        ins,
        item,
        `${paths.join(', ')} deleted in the RUN that creates ${paths.length === 1 ? 'it' : 'them'} (a later layer's delete frees nothing)`,
      );
      // The later `rm` now finds nothing: make it forgiving.
      for (let l = item.layer + 1; l < analysis.image.layers.length; l++) {
        const later = insOf(l);
        if (later?.keyword === 'RUN' && paths.some((p) => later.raw.includes(p))) {
          const lr = edit(later);
          lr.text = forgivingRm(lr.text);
        }
      }
      continue;
    }
    // COPY --chmod applies to everything a COPY copies: only a single-file COPY can take it.
    const copyArgs = ins.args.split(' ');
    const singleFile =
      copyArgs.length === 2 && !copyArgs[0]!.endsWith('/') && !/[*?[]/.test(copyArgs[0]!) && item.paths.length === 1;
    if (
      item.kind === 'layer-waste' &&
      item.classId === 'chmod-copied' &&
      ins.keyword === 'COPY' &&
      !('chmod' in ins.flags) &&
      singleFile
    ) {
      const path = item.paths[0]!;
      const node = analysis.tree.byPath.get(path.replace(/^\//, ''));
      const final = node ? entryAt(node, analysis.image.layers.length - 1) : undefined;
      const mode = ((final?.mode ?? 0o755) & 0o7777).toString(8).padStart(4, '0');
      const r = edit(ins);
      const src = ins.args.split(' ');
      const single = src.length === 2 && !/[*?[]/.test(src[0]!) ? src[0]!.replace(/^\.\//, '') : undefined;
      if (builder === 'classic' && single) {
        modeChanges.push({ file: single, mode: (final?.mode ?? 0o100755) & 0o777 });
        note(
          ins,
          item,
          `mode ${mode} set on ${single} in the build context (COPY keeps it; COPY --chmod needs BuildKit) instead of a later chmod, which copies the whole file again`,
        );
      } else {
        r.text = r.text.replace(/^(\s*COPY)\s+/i, `$1 --chmod=${mode} `);
        note(ins, item, `mode ${mode} set by COPY --chmod instead of a later chmod, which copies the whole file again`);
      }
      for (let l = item.layer + 1; l < analysis.image.layers.length; l++) {
        const later = insOf(l);
        if (later?.keyword !== 'RUN' || !item.paths.some((p) => later.raw.includes(p))) continue;
        const rest = withoutChmod(later.raw, item.paths);
        if (rest === null) continue; // no chmod of these paths in it
        const lr = edit(later);
        if (rest === undefined) lr.drop = true;
        else lr.text = rest;
      }
      continue;
    }
    // Stripping or packing a binary that will not start helps nothing: its error leads the advice instead.
    if (
      (item.kind === 'strip' || item.kind === 'upx') &&
      item.paths.length > 0 &&
      item.paths.every((p) => analysis.binaries.byPath.get(p)?.verdict?.status === 'will not start')
    )
      continue;
    if (item.kind === 'strip') {
      advice.push(
        `${label} — strip (\`strip --strip-all\` or \`install -s\`) where the binary is built; caveat: no symbols for debuggers and profilers`,
      );
      continue;
    }
    if (item.kind === 'upx') {
      advice.push(
        `${label} — \`upx --best --lzma\` as a build step; caveats: slower start, more memory, no page sharing, flagged by some scanners`,
      );
      continue;
    }
    advice.push(`${label} (line ${ins.line} ${ins.keyword}: no instruction change expresses it)`);
  }

  const edits: LineEdit[] = [...edits0];
  for (const r of runs.values()) {
    const lines = r.drop ? [] : r.text.split('\n');
    edits.push({ from: r.ins.line - 1, to: r.ins.endLine, lines: [...r.comments, ...lines] });
  }
  let projected = {
    size: list.before.size - expressed.bytes,
    compressed: list.before.compressed - expressed.compressed,
  };
  if (swap)
    projected = {
      size: projected.size - swap.baseNow.size + swap.baseNew.size,
      compressed: projected.compressed - swap.baseNow.compressed + swap.baseNew.compressed,
    };
  if (multi?.ok) {
    edits.push(...multi.edits);
    hunks.push(...multi.hunks);
    projected = multi.projected;
  }
  // Errors (will not start) the patch does not fix come first in what stays advice, with their fix.
  const fixed = new Set(swap?.fixed ?? []);
  const copied = multi?.ok ? new Set(multi.copied) : undefined;
  advice.unshift(
    ...list.errors
      .filter((e) => !fixed.has(e.path) && (copied === undefined || copied.has(e.path)))
      .map(
        (e) =>
          `✗ will not start: \`${e.path}\`${e.layer !== undefined && insOf(e.layer) ? ` (line ${insOf(e.layer)!.line} ${insOf(e.layer)!.keyword})` : ''} — ${e.evidence}. Fix: ${e.fix}`,
      ),
  );
  const body = edits.length > 0 ? unifiedDiff(name, df.text, edits) : '';
  // Git-style mode changes (GNU patch ≥ 2.7 applies them with -p1) for files of the build context.
  const modes = modeChanges
    .map((m) => `diff --git a/${m.file} b/${m.file}\nold mode 100644\nnew mode 100${m.mode.toString(8)}\n`)
    .join('');
  const diff =
    body === '' && modes === '' ? '' : `${body !== '' ? `diff --git a/${name} b/${name}\n${body}` : ''}${modes}`;
  return { diff, patched: applyEdits(df.text, edits), hunks, advice, modeChanges, projected };
}

/** The final stage's FROM replaced by a glibc base when glibc binaries of the app will not start on musl. */
function baseSwap(
  analysis: Analysis,
  df: ParsedDockerfile,
  mapping: DockerfileMapping,
  list: FixList,
  opts: PatchOptions,
):
  | {
      edit: LineEdit;
      hunk: PatchHunk;
      baseNow: { size: number; compressed: number };
      baseNew: { size: number; compressed: number };
      /** The binaries it lets start. */
      fixed: string[];
    }
  | undefined {
  const stage = df.stages[mapping.finalStage];
  if (!stage || mapping.baseLayers === 0) return undefined;
  const glibcOnMusl = list.errors.filter((e) => {
    const b = analysis.binaries.byPath.get(e.path);
    return (
      b !== undefined &&
      b.layer >= mapping.baseLayers &&
      (b.interpreter ?? '').includes('ld-linux') &&
      analysis.binaries.inventory.musl.length > 0 &&
      analysis.binaries.inventory.glibc.length === 0
    );
  });
  if (glibcOnMusl.length === 0) return undefined;
  // Only when nothing of the app needs musl.
  if (
    analysis.binaries.binaries.some((b) => b.layer >= mapping.baseLayers && (b.interpreter ?? '').includes('ld-musl'))
  )
    return undefined;
  const base = opts.glibcBase ?? 'debian:bookworm-slim';
  const fromIns = df.instructions.find((i) => i.keyword === 'FROM' && i.line === stage.fromLine)!;
  const as = stage.name ? ` AS ${stage.name}` : '';
  const layers = analysis.image.layers.slice(0, mapping.baseLayers);
  const baseNow = {
    size: layers.reduce((s, l) => s + l.size, 0),
    compressed: layers.reduce((s, l) => s + baselineCompressed(l, list.codec).bytes, 0),
  };
  const baseNew = opts.baseSizes?.[base] ?? baseNow;
  const why = `${glibcOnMusl.map((e) => e.path).join(', ')} ${glibcOnMusl.length === 1 ? 'needs' : 'need'} glibc and will not start on this musl base: a glibc base (${base}) lets ${glibcOnMusl.length === 1 ? 'it' : 'them'} start${opts.baseSizes?.[base] ? '' : " (its size is not known here: the projection keeps the old base's)"}`;
  return {
    edit: {
      from: fromIns.line - 1,
      to: fromIns.endLine,
      lines: [`# slimtui: fixes the error (will not start): ${why}`, `FROM ${base}${as}`],
    },
    hunk: {
      line: fromIns.line,
      what: why,
      bytes: baseNow.size - baseNew.size,
      compressed: baseNow.compressed - baseNew.compressed,
    },
    baseNow,
    baseNew,
    fixed: glibcOnMusl.map((e) => e.path),
  };
}

type RuntimeStage =
  | {
      ok: true;
      edits: LineEdit[];
      hunks: PatchHunk[];
      projected: { size: number; compressed: number };
      /** Absolute paths the runtime stage copies. */
      copied: string[];
    }
  | { ok: false; why: string };

/** What the runtime stage keeps: the app's executables (and the files the findings say they need). */
function runtimeStage(
  analysis: Analysis,
  df: ParsedDockerfile,
  mapping: DockerfileMapping,
  opts: PatchOptions,
): RuntimeStage {
  const { image, tree } = analysis;
  const last = image.layers.length - 1;
  const predictors = modelPredictors(image);
  const stage = df.stages[mapping.finalStage];
  if (!stage) return { ok: false, why: 'no final stage' };
  const app = appBinaries(analysis, mapping);
  if (app.length === 0) return { ok: false, why: 'no executable of the app found in the layers the Dockerfile made' };
  // Go: a static, trimmed build (CGO_ENABLED=0) is what lets the runtime stage be scratch — unless a binary needs cgo.
  const goRun = app.every((b) => b.go !== null) ? goBuildRun(stage) : undefined;
  const cgo = goRun ? app.map((b) => ({ b, why: goNeedsCgo(b) })).find((x) => x.why !== undefined) : undefined;
  if (cgo)
    return {
      ok: false,
      why: `${cgo.b.path} needs cgo (${cgo.why}): CGO_ENABLED=0 would not build it, and a runtime stage would need those libraries too — move the toolchain to a build stage by hand`,
    };
  const needs = new Set(
    app.map((b) => {
      if (goRun) return 'static'; // rebuilt with CGO_ENABLED=0
      const node = tree.byPath.get(b.path.replace(/^\//, ''));
      const e = node ? entryAt(node, last) : undefined;
      const elf = e ? elfOf(e) : undefined;
      return elf ? libcNeedOf(elf as never) : 'unknown';
    }),
  );
  let base: string;
  if ([...needs].every((n) => n === 'static')) base = 'scratch';
  else if ([...needs].every((n) => n === 'static' || n === 'glibc')) base = opts.glibcBase ?? 'debian:bookworm-slim';
  else if ([...needs].every((n) => n === 'static' || n === 'musl')) base = opts.muslBase ?? 'alpine:3.20';
  else
    return {
      ok: false,
      why: `the app's binaries need different libcs (${[...needs].join(', ')}): no single runtime base fits`,
    };
  const extra: string[] = [];
  const why: string[] = [];
  const goUses = app.map((b) => {
    const node = tree.byPath.get(b.path.replace(/^\//, ''));
    const e = node ? entryAt(node, last) : undefined;
    return (
      e
        ? (elfOf(e) as
            | {
                goUses?: {
                  x509SystemRoots?: boolean;
                  osUser?: boolean;
                  loadLocation?: boolean;
                  embeddedTzdata?: boolean;
                };
              }
            | undefined)
        : undefined
    )?.goUses;
  });
  const has = (p: string): boolean => {
    const n = tree.byPath.get(p);
    const e = n ? entryAt(n, last) : undefined;
    return e !== undefined && e !== null && e.kind !== 'whiteout';
  };
  if (base === 'scratch' && goUses.some((u) => u?.x509SystemRoots)) {
    const ca = ['etc/ssl/certs/ca-certificates.crt', 'etc/pki/tls/certs/ca-bundle.crt', 'etc/ssl/cert.pem'].find(has);
    if (ca) {
      extra.push(`/${ca}`);
      why.push('CA certificates (the binary loads the system roots: crypto/x509)');
    } else
      why.push(
        'no CA bundle in the image to copy: TLS verification will fail (install ca-certificates in the build stage)',
      );
  }
  if (base === 'scratch' && goUses.some((u) => u?.osUser))
    for (const f of ['etc/passwd', 'etc/group']) if (has(f)) extra.push(`/${f}`);
  if (base === 'scratch' && goUses.some((u) => u?.loadLocation && !u.embeddedTzdata) && has('usr/share/zoneinfo'))
    extra.push('/usr/share/zoneinfo');
  const stageName = stage.name ?? 'build';
  const fromIns = df.instructions.find((i) => i.keyword === 'FROM' && i.line === stage.fromLine)!;
  const edits: LineEdit[] = [];
  if (!stage.name)
    edits.push({ from: fromIns.line - 1, to: fromIns.endLine, lines: [`${fromIns.raw.replace(/\s+$/, '')} AS build`] });
  const tail = stage.instructions.filter((i) =>
    ['WORKDIR', 'USER', 'EXPOSE', 'ENTRYPOINT', 'CMD', 'ENV', 'LABEL', 'STOPSIGNAL', 'HEALTHCHECK'].includes(i.keyword),
  );
  // The go build gets the flags; its comment (what they save on the binary) is written once it is weighed, below.
  const goEdit = goRun
    ? {
        from: goRun.line - 1,
        to: goRun.endLine,
        lines: goRun.raw.replace(/\bgo\s+build\b/, "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'").split('\n'),
      }
    : undefined;
  if (goEdit) edits.push(goEdit);
  const goSaved = { bytes: 0, compressed: 0 };
  // What the runtime stage holds, for the projection: the copied files.
  const copied = [...app.map((b) => b.path), ...extra];
  let size = 0;
  let compressed = 0;
  for (const p of copied) {
    const key = p.replace(/^\//, '');
    for (const n of tree.nodes) {
      if (n.path !== key && !n.path.startsWith(`${key}/`)) continue;
      const e = entryAt(n, last);
      if (!e || e.kind !== 'file') continue;
      // What the file's records cost in its layer's gzip stream now (removal-cost tap), else a rough ratio.
      const v = n.versions[n.versions.length - 1];
      const c = (v ? removedGzipBytes(image.layers[v.layer]!, e) : undefined) ?? e.size * compressedRatio(analysis);
      // A Go binary rebuilt with -s -w loses what strip --strip-all would take (symbol tables, DWARF).
      const stripped = goEdit && elfOf(e)?.go !== undefined ? predictors.strip(e) : undefined;
      const measured = goEdit ? opts.rebuiltGo?.get(n.path) : undefined;
      if (stripped && stripped.size < e.size) {
        // -trimpath's shorter file names take whole pages off. The compressed weight: measured on the file's bytes
        // without those sections (src/io/rebuilt-go-size.ts), else a guess from the
        // removed sections' typical compressibility (which misses badly on Go's big binaries: they are sampled).
        const s = stripped.size - (measured?.trimpath ?? 0);
        const z = measured
          ? measured.compressed
          : Math.max(0, c - (stripCompressedRatio(e) ?? 0.5) * (e.size - stripped.size));
        size += s;
        compressed += z;
        goSaved.bytes += e.size - s;
        goSaved.compressed += (measured?.original ?? c) - z;
      } else {
        size += e.size;
        compressed += c;
      }
    }
  }
  if (goEdit)
    goEdit.lines.unshift(
      `# slimtui: CGO_ENABLED=0 -trimpath -ldflags='-s -w': a static binary without symbol tables or DWARF (it needs no cgo), so the runtime stage can be scratch${goSaved.bytes > 0 ? ` — the binary ${saving(goSaved.bytes, Math.round(goSaved.compressed))} (part of the runtime stage's saving)` : ''}`,
    );
  const before = image.layers.reduce((s, l) => s + l.size, 0);
  const beforeCompressed = image.layers.reduce((s, l) => s + baselineCompressed(l, 'gzip').bytes, 0);
  const lines = [
    '',
    `# slimtui: runtime stage: only the app on ${base} — ${saving(before - size, beforeCompressed - compressed)}: the toolchain and the build's leftovers stay in the build stage${why.length > 0 ? `; with ${why.join('; ')}` : ''}`,
    `FROM ${base}`,
    ...copied.map((p) => `COPY --from=${stageName} ${p} ${p}`),
    ...tail.map((i) => i.raw),
  ];
  const lastLine = df.text.replace(/\n$/, '').split('\n').length;
  edits.push({ from: lastLine, to: lastLine, lines });
  return {
    ok: true,
    edits,
    hunks: [
      {
        line: lastLine + 1,
        what: `runtime stage on ${base}`,
        bytes: before - size,
        compressed: Math.round(beforeCompressed - compressed),
      },
    ],
    projected: { size, compressed: Math.round(compressed) },
    copied,
  };
}

/** The image's compressed/uncompressed ratio (a rough weight for files copied into a new stage). */
function compressedRatio(analysis: Analysis): number {
  const layers = analysis.image.layers;
  const tar = layers.reduce((s, l) => s + l.tarSize, 0);
  const gz = layers.reduce((s, l) => s + (l.compressedSize ?? 0), 0);
  return tar > 0 && gz > 0 ? gz / tar : 0.45;
}
