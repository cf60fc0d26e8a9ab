import { useEffect, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import { formatBytes } from '../../model/byte-units.js';
import type { FsNode } from '../../model/file-tree.js';
import { contentLayer, displayEntry } from '../../state/layer-view.js';
import { formatPreview, PREVIEW_BYTES } from '../../state/preview-format.js';
import type { ReadFile } from '../../model/ports.js';

export interface PreviewState {
  /** `${node id}@${layer}`: which request the lines belong to. */
  readonly key: string;
  readonly status: 'loading' | 'done' | 'error' | 'none';
  readonly lines: string[];
  readonly note: string;
  readonly bytes: number;
}

export const previewKey = (node: FsNode, layer: number): string => `${node.id}@${layer}`;

/** The preview of `node` at `layer` (undefined: closed), read when asked; the latest request wins, the rest are aborted. */
export function usePreview(
  analysis: Analysis,
  node: FsNode | undefined,
  layer: number,
  readFile: ReadFile | undefined,
  readNote: string | undefined,
): PreviewState {
  const [preview, setPreview] = useState<PreviewState>({ key: '', status: 'none', lines: [], note: '', bytes: 0 });
  const { byPath } = analysis.tree;
  useEffect(() => {
    if (!node) return;
    const key = previewKey(node, layer);
    const e = displayEntry(node, layer);
    const at = contentLayer(node, layer);
    const set = (p: Omit<PreviewState, 'key'>): void => setPreview({ key, ...p });
    if (!e || at === undefined)
      return set({ status: 'none', lines: ['(this path has no content at this layer)'], note: '', bytes: 0 });
    if (e.kind === 'dir')
      return set({ status: 'none', lines: ['(a directory: expand it in the tree)'], note: '', bytes: 0 });
    if (e.kind === 'symlink')
      return set({ status: 'none', lines: [`symbolic link → ${e.linkTarget ?? ''}`], note: '', bytes: 0 });
    if (e.kind === 'other')
      return set({ status: 'none', lines: ['(a device or fifo: no content)'], note: '', bytes: 0 });
    if (!readFile)
      return set({ status: 'none', lines: ['(preview is not available for this source)'], note: '', bytes: 0 });
    // A hard link's bytes are stored under its target, in the same layer.
    const path = e.kind === 'hardlink' && e.linkTarget !== undefined ? e.linkTarget : node.path;
    const size =
      e.kind === 'hardlink' ? (byPath.get(path)?.versions.find((v) => v.layer === at)?.entry?.size ?? 0) : e.size;
    const ac = new AbortController();
    set({ status: 'loading', lines: [], note: readNote ?? '', bytes: 0 });
    let lastTick = 0;
    readFile(at, path, {
      signal: ac.signal,
      onProgress: (bytes) => {
        const now = Date.now();
        if (now - lastTick < 200) return;
        lastTick = now;
        if (!ac.signal.aborted) set({ status: 'loading', lines: [], note: readNote ?? '', bytes });
      },
    }).then(
      (bytes) => {
        if (ac.signal.aborted) return;
        const text = formatPreview(bytes, size);
        const note = `${text.kind}, layer ${at}, ${formatBytes(Math.min(bytes.length, PREVIEW_BYTES))}${text.truncated ? ` of ${formatBytes(size)} (head only)` : ''}`;
        set({ status: 'done', lines: [...text.lines], note, bytes: bytes.length });
      },
      (err: unknown) => {
        if (!ac.signal.aborted)
          set({
            status: 'error',
            lines: [],
            note: `cannot read: ${err instanceof Error ? err.message : String(err)}`,
            bytes: 0,
          });
      },
    );
    return () => ac.abort();
  }, [node, layer, readFile, readNote, byPath]);
  return preview;
}
