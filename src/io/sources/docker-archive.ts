/** `docker-archive:FILE[:name:tag]` (or a bare file argument): a `docker save` archive, or `-` for standard input. */
import type { ImageSource } from './image-source.js';
import { archiveFileSource } from './archive-file.js';
import type { SourceSpec } from './source-spec.js';

export const open = (spec: SourceSpec): ImageSource => archiveFileSource('docker-archive', spec);
