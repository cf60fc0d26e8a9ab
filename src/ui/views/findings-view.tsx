import type { DetailLine } from '../../state/elf-details.js';
import { wrapLines } from '../../state/elf-details.js';
import { findingHead, findingList } from '../../state/findings-view.js';
import { ListOverlay } from '../components/list-overlay.js';
import type { ViewProps } from './view-props.js';

/** F: the ELF findings, errors first; Enter jumps to the file. */
export function FindingsView({ analysis, state, layout, theme, pending }: ViewProps) {
  const running = pending.includes('ELF/libc') || pending.includes('contents');
  const list = findingList(analysis);
  const f = list[state.findingsCursor];
  const footer: DetailLine[] = f
    ? wrapLines(
        [
          { text: f.evidence, tone: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'dim' },
          `fix: ${f.fix}`,
        ],
        layout.rightW - 2,
        4,
      )
    : [];
  return (
    <ListOverlay
      title={`Findings (${list.length}${running ? ' so far…' : ''}) — Enter jumps to the file, Esc closes`}
      header={
        running
          ? 'the ELF/libc analysis is still running…'
          : analysis.binaries.analysed
            ? 'severity  code  path'
            : 'the ELF analysis did not run (--no-elf)'
      }
      items={list.map((x) => ({
        text: findingHead(x),
        tone: x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warn' : 'dim',
      }))}
      cursor={state.findingsCursor}
      empty={running ? 'none yet: the ELF/libc analysis is still running' : 'no findings'}
      footer={footer}
      height={layout.treeRowsH + 2}
      width={layout.rightW}
      theme={theme}
    />
  );
}
