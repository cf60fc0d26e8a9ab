/** ELF and Go build-info reading (pure: works on any ByteSource). */
export { bytesSource, type ByteSource } from './byte-reader.js';
export { isElfMagic, machineName } from './elf-header.js';
export { parseElf, classify, type ElfInfo, type ElfKind, type ElfParseResult } from './parse-elf.js';
export type { GoBuildInfo } from './go-buildinfo.js';
export { parseModInfo } from './go-buildinfo.js';
export type { ProgramHeader } from './program-headers.js';
export type { Section } from './sections.js';
export { glibcVersion, minGlibcOf } from './versions.js';
