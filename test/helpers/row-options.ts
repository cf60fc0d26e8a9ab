import { SHOW_ALL, type RowOptions } from '../../src/state/tree-rows.js';

/** The explorer's row options at start: everything shown, by name, every directory expanded. */
export const BASE_ROW_OPTIONS: RowOptions = {
  show: SHOW_ALL,
  threshold: 0,
  wastedOnly: false,
  pathFilter: null,
  sort: 'name',
  flat: false,
  expandAll: true,
  toggled: new Set(),
};
