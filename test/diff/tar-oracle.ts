// An independent model of a docker-save archive for the diff tests, built only from `tar` and `sha256sum`:
// the outer archive is unpacked into a temp dir (it holds blobs named by digest, never layer paths), each layer
// is listed with `tar -tvf --numeric-owner`, whiteouts are applied as the OCI spec says, and a file's digest is
// `tar -xOf LAYER PATH | sha256sum` (streamed, nothing written by its name). Nothing here imports slimtui.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface OracleEntry {
  readonly type: string; // first letter of the mode column: - d l h c b p
  readonly mode: number; // permission bits, from the mode string
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly link?: string;
  /** The layer (index) whose entry is live. */
  readonly layer: number;
}

export interface OracleImage {
  readonly layers: string[]; // layer tar paths inside the unpacked dir
  readonly diffIds: string[];
  readonly commands: string[]; // created_by of the layer-making history entries
  /** Sum of the sizes `tar -tvf` lists, per layer (dive's layer size). */
  readonly layerSizes: number[];
  readonly fs: Map<string, OracleEntry>;
  /** Bytes stored in layers that the final filesystem does not hold in that form. */
  readonly reclaimable: number;
  sha(path: string): string;
  cleanup(): Promise<void>;
}

/** `-rwxr-xr-x` → 0o755 (with setuid/setgid/sticky). */
export function modeBits(s: string): number {
  let m = 0;
  const bit = (i: number, c: string, v: number): void => {
    if (s[i] === c) m |= v;
  };
  bit(1, 'r', 0o400);
  bit(2, 'w', 0o200);
  bit(4, 'r', 0o040);
  bit(5, 'w', 0o020);
  bit(7, 'r', 0o004);
  bit(8, 'w', 0o002);
  const x = (i: number, xv: number, special: number, on: string, off: string): void => {
    if (s[i] === 'x') m |= xv;
    else if (s[i] === on) m |= xv | special;
    else if (s[i] === off) m |= special;
  };
  x(3, 0o100, 0o4000, 's', 'S');
  x(6, 0o010, 0o2000, 's', 'S');
  x(9, 0o001, 0o1000, 't', 'T');
  return m;
}

interface Listed {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  path: string;
  link?: string;
}

/** One `tar -tvf --numeric-owner` line: `-rw-r--r-- 0/0  12 2020-01-01 00:00 app/a.txt`. */
export function parseListing(line: string): Listed {
  const m = /^(\S{10})\s+(\d+)\/(\d+)\s+(\d+)\s+\S+\s+\S+\s(.*)$/.exec(line);
  if (!m) throw new Error(`unexpected tar -tvf line: ${line}`);
  let name = m[5]!;
  let link: string | undefined;
  const type = m[1]![0]!;
  if (type === 'l') [name, link] = name.split(' -> ') as [string, string];
  if (type === 'h') [name, link] = name.split(' link to ') as [string, string];
  const clean = (p: string): string => p.replace(/^\.?\//, '').replace(/\/$/, '');
  return {
    type,
    mode: modeBits(m[1]!),
    uid: Number(m[2]),
    gid: Number(m[3]),
    size: Number(m[4]),
    path: clean(name),
    ...(link !== undefined ? { link: type === 'h' ? clean(link) : link } : {}),
  };
}

export async function oracleImage(archive: string, tmp: string): Promise<OracleImage> {
  const dir = await mkdtemp(join(tmp, 'oracle-'));
  execFileSync('tar', ['-xf', archive, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    Config: string;
    Layers: string[];
  }[];
  const config = JSON.parse(await readFile(join(dir, manifest[0]!.Config), 'utf8')) as {
    rootfs: { diff_ids: string[] };
    history?: { created_by?: string; empty_layer?: boolean }[];
  };
  const layers = manifest[0]!.Layers.map((l) => join(dir, l));
  const fs = new Map<string, OracleEntry>();
  const stored: { layer: number; path: string; size: number }[] = [];
  const layerSizes: number[] = [];
  layers.forEach((tarPath, layer) => {
    const listed = execFileSync('tar', ['-tvf', tarPath, '--numeric-owner'], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .split('\n')
      .filter((l) => l !== '')
      .map(parseListing);
    layerSizes.push(listed.reduce((s, e) => s + e.size, 0));
    const removeBelow = (p: string, keepSelf: boolean): void => {
      for (const k of [...fs.keys()]) if ((k === p && !keepSelf) || k.startsWith(`${p}/`)) fs.delete(k);
    };
    // Whiteouts first (they apply to the layers below), then the layer's entries.
    for (const e of listed) {
      const base = e.path.slice(e.path.lastIndexOf('/') + 1);
      const parent = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
      if (base === '.wh..wh..opq') removeBelow(parent, true);
      else if (base.startsWith('.wh.'))
        removeBelow(parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`, false);
    }
    for (const e of listed) {
      const base = e.path.slice(e.path.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.') || e.path === '') continue;
      const before = fs.get(e.path);
      if (before && before.type === 'd' && e.type !== 'd') removeBelow(e.path, true);
      fs.set(e.path, {
        type: e.type,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        size: e.size,
        ...(e.link !== undefined ? { link: e.link } : {}),
        layer,
      });
      if (e.type === '-' && e.size > 0) stored.push({ layer, path: e.path, size: e.size });
    }
  });
  // Reclaimable: a regular file's bytes in a layer whose entry is not the live one (no hard links in these images).
  const reclaimable = stored
    .filter((s) => fs.get(s.path)?.layer !== s.layer || fs.get(s.path)?.type !== '-')
    .reduce((n, s) => n + s.size, 0);
  const commands = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? '');
  return {
    layers,
    diffIds: config.rootfs.diff_ids,
    commands,
    layerSizes,
    fs,
    reclaimable,
    sha(path) {
      const e = fs.get(path);
      if (!e || e.type !== '-') throw new Error(`oracle: ${path} is not a live regular file`);
      return execFileSync('sh', ['-c', 'tar -xOf "$1" "$2" | sha256sum', 'sh', layers[e.layer]!, path], {
        encoding: 'utf8',
      }).split(' ')[0]!;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface OracleDiff {
  added: Set<string>;
  removed: Set<string>;
  /** path → what differs (kind, content, size, mode, owner, link), in slimtui's attribute order. */
  changed: Map<string, string[]>;
}

/** The two final filesystems compared path by path (mtimes ignored; same-size files by sha256sum). */
export function oracleDiff(a: OracleImage, b: OracleImage): OracleDiff {
  const out: OracleDiff = { added: new Set(), removed: new Set(), changed: new Map() };
  for (const [p, eb] of b.fs) {
    const ea = a.fs.get(p);
    if (!ea) {
      out.added.add(p);
      continue;
    }
    const attrs: string[] = [];
    if (ea.type !== eb.type) attrs.push('kind');
    if (ea.type !== 'd' && eb.type !== 'd') {
      if (ea.size !== eb.size) attrs.push('content', 'size');
      else if (ea.type === '-' && eb.type === '-' && ea.size > 0 && a.sha(p) !== b.sha(p)) attrs.push('content');
    }
    if (ea.mode !== eb.mode) attrs.push('mode');
    if (ea.uid !== eb.uid || ea.gid !== eb.gid) attrs.push('owner');
    if ((ea.type === 'l' || eb.type === 'l') && ea.link !== eb.link) attrs.push('link');
    if (attrs.length > 0) out.changed.set(p, attrs);
  }
  for (const p of a.fs.keys()) if (!b.fs.has(p)) out.removed.add(p);
  return out;
}
