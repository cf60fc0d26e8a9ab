// Builds small model Images by hand for planner tests: sizes are the entries' sizes, the tar size is
// computed here the way tar lays files out (512-byte header, data padded to 512, 1024-byte end marker).
import type { Entry, EntryKind } from '../../../src/model/entry.js';
import type { Image, Layer } from '../../../src/model/image.js';

export interface E {
  path: string;
  kind?: EntryKind;
  size?: number;
  mode?: number;
  sha?: string;
  elf?: Record<string, unknown>;
  link?: string;
}

export interface L {
  cmd: string;
  entries: E[];
  /** gzip blob size; when set the layer is "stored gzip". */
  gz?: number;
}

export const tarOf = (entries: readonly Entry[]): number =>
  entries.reduce((s, e) => s + 512 + (e.kind === 'file' ? Math.ceil(e.size / 512) * 512 : 0), 0) + 1024;

export function handImage(layers: L[], config: Partial<Image['config']> = {}): Image {
  const ls: Layer[] = layers.map((l, index) => {
    const entries: Entry[] = l.entries.map((e) => {
      const kind = e.kind ?? 'file';
      const facts: Record<string, unknown> = {};
      if (e.sha) facts['sha256'] = e.sha;
      if (e.elf) facts['elf'] = e.elf;
      return {
        path: e.path,
        kind,
        size: kind === 'file' ? (e.size ?? 0) : 0,
        mode: e.mode ?? (kind === 'dir' ? 0o40755 : 0o100644),
        uid: 0,
        gid: 0,
        mtime: 0,
        ...(e.link ? { linkTarget: e.link } : {}),
        ...(Object.keys(facts).length ? { facts } : {}),
      };
    });
    return {
      index,
      history: { createdBy: l.cmd, emptyLayer: false },
      size: entries.reduce((s, e) => s + (e.kind === 'file' ? e.size : 0), 0),
      tarSize: tarOf(entries),
      compression: l.gz !== undefined ? 'gzip' : 'none',
      ...(l.gz !== undefined ? { compressedSize: l.gz } : {}),
      entries,
    };
  });
  return {
    reference: 'hand/image:1',
    source: 'docker-archive',
    repoTags: ['hand/image:1'],
    repoDigests: [],
    platform: { os: 'linux', architecture: 'amd64' },
    config: { env: ['PATH=/usr/bin:/bin'], labels: {}, cmd: ['/usr/bin/app'], ...config },
    history: ls.map((l) => l.history!),
    layers: ls,
    warnings: [],
  };
}
