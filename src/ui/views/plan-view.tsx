import { wrapLines } from '../../state/elf-details.js';
import { planFooter, planLines } from '../../state/plan-view.js';
import { ListOverlay } from '../components/list-overlay.js';
import type { ViewProps } from './view-props.js';

/** v: the plan's actions with their savings, totals and warnings. */
export function PlanView({ state, layout, theme, actions, plan }: ViewProps) {
  const proj = plan.fresh ? plan.result!.projection : undefined;
  return (
    <ListOverlay
      title={`Plan · ${actions.length} action${actions.length === 1 ? '' : 's'}${proj ? '' : ' · planning…'}${plan.upxEstimating ? ' · UPX estimating…' : ''} · o keeps only the final filesystem · r recommended plan`}
      header={`     on disk  ${plan.projector.codec.padStart(7)}  action`}
      items={planLines(actions, proj, plan.upxEstimating)}
      cursor={state.planCursor}
      empty="empty: x marks a file for removal, W a waste class, S strips an ELF file"
      footer={wrapLines(planFooter(proj, state.planCursor), layout.rightW - 2, 2)}
      height={layout.treeRowsH + 2}
      width={layout.rightW}
      theme={theme}
    />
  );
}
