import { formatBytes } from '../model/byte-units.js';
import { compileFilter, type ExplorerState } from './explorer-state.js';

/** The tree pane's title: which layer and mode, and every filter in force, so nothing is hidden silently. */
export function treeTitle(s: ExplorerState, rowCount: number, layerCount: number): string {
  const parts = [
    `${s.flat ? 'Largest files' : 'Files'} · layer ${s.layer}/${Math.max(0, layerCount - 1)} ${s.compare === 'aggregated' ? 'aggregated' : 'changes only'}`,
  ];
  if (s.sort === 'size' && !s.flat) parts.push('by size');
  if (s.wastedOnly) parts.push('wasted only');
  if (s.threshold > 0) parts.push(`≥ ${formatBytes(s.threshold)}`);
  const hidden = (['added', 'removed', 'modified', 'unchanged'] as const).filter((k) => !s.show[k]);
  if (hidden.length > 0) parts.push(`hiding ${hidden.join(', ')}`);
  if (s.filterText !== '' || s.overlay === 'filter') {
    const bad = s.filterText !== '' && compileFilter(s.filterText) === null;
    parts.push(`filter /${s.filterText}${s.overlay === 'filter' ? '▏' : ''}/${bad ? ' (invalid regex)' : ''}`);
  }
  parts.push(`${rowCount} rows`);
  return parts.join(' · ');
}
