// Writes what Docker before 25 writes for `docker save`: one `<id>/` folder per layer (VERSION, json, layer.tar),
// `<config sha256>.json`, `repositories` and manifest.json; a layer whose tar was already written (the same
// diff_id) becomes a SYMLINK `<id>/layer.tar -> ../<id0>/layer.tar` (moby image/tarexport/save.go). The entry
// order is the caller's, so a test can put the symlink before or after its target.
import { makeTar, sha256, type EntrySpec } from './make-archive.js';

export interface LegacyImage {
  readonly tag: string;
  /** Uncompressed layer tars, bottom first. */
  readonly layers: readonly Buffer[];
}

/** The config of an image of `layers` (diff_ids from the tars). */
export function legacyConfig(layers: readonly Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((t) => `sha256:${sha256(t)}`) },
      history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
    }),
  );
}

/**
 * A legacy archive of several images. Layer ids follow the chain (as docker's v1 ids do), so a repeated tar
 * under another parent gets a new id and a symlink to the first copy. `linkFirst` writes the folders in reverse
 * order: each symlink then comes BEFORE the file it points to.
 */
export async function legacyArchiveWithLinks(
  images: readonly LegacyImage[],
  opts: { linkFirst?: boolean; manifest?: unknown } = {},
): Promise<Buffer> {
  const folders: EntrySpec[][] = [];
  const written = new Map<string, string>(); // diff_id -> id that holds layer.tar
  const seenIds = new Set<string>();
  const manifest: unknown[] = [];
  const configs: EntrySpec[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const img of images) {
    let parent = '';
    const paths: string[] = [];
    for (const tar of img.layers) {
      const diff = sha256(tar);
      const id = sha256(`${parent}\n${diff}`);
      paths.push(`${id}/layer.tar`);
      if (!seenIds.has(id)) {
        seenIds.add(id);
        const first = written.get(diff);
        folders.push([
          { name: `${id}/`, type: 'directory' },
          { name: `${id}/VERSION`, content: '1.0' },
          {
            name: `${id}/json`,
            content: JSON.stringify({ id, ...(parent ? { parent } : {}), created: '2024-01-01T00:00:00Z' }),
          },
          first
            ? { name: `${id}/layer.tar`, type: 'symlink', linkname: `../${first}/layer.tar` }
            : { name: `${id}/layer.tar`, content: tar },
        ]);
        if (!first) written.set(diff, id);
      }
      parent = id;
    }
    const config = legacyConfig(img.layers);
    configs.push({ name: `${sha256(config)}.json`, content: config });
    const [repo, t] = img.tag.split(/:(?=[^:]*$)/) as [string, string];
    (repositories[repo] ??= {})[t] = parent;
    manifest.push({ Config: `${sha256(config)}.json`, RepoTags: [img.tag], Layers: paths });
  }
  const ordered = opts.linkFirst ? [...folders].reverse() : folders;
  return makeTar([
    ...ordered.flat(),
    ...configs,
    { name: 'repositories', content: JSON.stringify(repositories) },
    { name: 'manifest.json', content: JSON.stringify(opts.manifest ?? manifest) },
  ]);
}
