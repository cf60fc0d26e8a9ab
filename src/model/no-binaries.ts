import type { ImageConfig } from './image.js';
import type { BinaryReport } from './libc/binaries.js';
import { envValue, splitLdLibraryPath } from './libc/inventory.js';

/**
 * The ELF/libc report when the ELF analyser did not run (`--no-elf`): nothing is looked up in the final
 * filesystem — without ELF facts there is nothing to resolve, and that walk costs a pass over every path.
 */
export function noBinaries(config: Pick<ImageConfig, 'env'>): BinaryReport {
  const llp = envValue(config.env, 'LD_LIBRARY_PATH');
  return {
    analysed: false,
    binaries: [],
    byPath: new Map(),
    inventory: {
      glibc: [],
      musl: [],
      loaders: [],
      ldSoConf: { dirs: [], files: [], unreadable: [] },
      hasLdSoCache: false,
      muslPathFiles: [],
      ldLibraryPath: llp === undefined ? null : splitLdLibraryPath(llp),
      release: null,
    },
    findings: [],
    findingsByPath: new Map(),
  };
}
