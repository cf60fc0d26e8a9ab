import { formatBytes } from '../../model/byte-units.js';
import { displayPath } from '../../model/paths.js';
import { wrapLines, type DetailLine } from '../../state/elf-details.js';
import { WASTE_HEADER, wasteClassLine } from '../../state/waste-view.js';
import { ListOverlay } from '../components/list-overlay.js';
import type { ViewProps } from './view-props.js';

/** W: the waste classes; x/Enter marks a class for removal. */
export function ClassesView({ state, layout, theme, actions, waste }: ViewProps) {
  const classes = waste?.classes ?? [];
  const c = classes[state.classesCursor];
  const footer: DetailLine[] = c
    ? wrapLines(
        [
          c.why,
          `fix: ${c.fix}`,
          ...c.paths.slice(0, 3).map((x) => `  ${displayPath(x.path.replace(/^\/+/, ''))} ${formatBytes(x.bytes)}`),
        ],
        layout.rightW - 2,
        3,
      )
    : [];
  return (
    <ListOverlay
      title="Waste classes — x/Enter marks a class for removal, Esc closes"
      header={WASTE_HEADER}
      items={classes.map((x) =>
        wasteClassLine(
          x,
          actions.some((a) => a.kind === 'remove-class' && a.class === x.id),
        ),
      )}
      cursor={state.classesCursor}
      empty={waste ? 'no waste found' : 'classifying the waste…'}
      footer={footer}
      height={layout.treeRowsH + 2}
      width={layout.rightW}
      theme={theme}
    />
  );
}
