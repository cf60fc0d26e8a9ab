import type { Analysis, AnalyzeOptions } from '../model/analysis.js';
import type { Image, Layer } from '../model/image.js';
import { treeAnalysis } from '../state/later-analyses.js';
import type { ContentImage } from '../io/skim-load.js';

/**
 * The explorer's analysis once the content pass is in (io/skim-load.ts). Its facts are already on the first
 * frame's entries, so the tree and dive's metrics stand; each layer gets the pass's own results (the pull-size
 * estimate, merged over what the Dockerfile put there) and the image its warnings (a digest that does not
 * match). When the pass saw other entries than the skim, the image is new and everything is built again from it.
 */
export function afterContent(
  first: Analysis,
  content: ContentImage,
  attachDockerfile: (image: Image) => Image,
  opts: AnalyzeOptions,
): Analysis {
  if (content.reloaded) return treeAnalysis(attachDockerfile(content.image), opts);
  const layers: Layer[] = first.image.layers.map((l, i) => {
    const facts = content.image.layers[i]?.facts;
    return facts ? { ...l, facts: { ...(l.facts ?? {}), ...facts } } : l;
  });
  return { ...first, image: { ...first.image, layers, warnings: content.image.warnings } };
}
