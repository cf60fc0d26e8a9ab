/** The explorer's layout: left column (layers over details), the tree (or an overlay) right, one status line. */
export interface Layout {
  readonly mainH: number;
  readonly leftW: number;
  readonly rightW: number;
  /** Rows of the layers list, of the details pane, of the tree. */
  readonly layersRowsH: number;
  readonly detailsH: number;
  readonly treeRowsH: number;
}

export function explorerLayout(width: number, height: number, layerCount: number): Layout {
  const mainH = Math.max(6, height - 1);
  const leftW = width >= 100 ? Math.min(60, Math.floor(width * 0.4)) : Math.floor(width * 0.45);
  const rightW = Math.max(20, width - leftW);
  const layersRowsH = Math.max(1, Math.min(layerCount, Math.floor(mainH * 0.4) - 3));
  const detailsH = Math.max(1, mainH - (layersRowsH + 3) - 2);
  const treeRowsH = Math.max(1, mainH - 4);
  return { mainH, leftW, rightW, layersRowsH, detailsH, treeRowsH };
}
