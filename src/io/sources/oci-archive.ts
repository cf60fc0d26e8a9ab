/** `oci-archive:FILE[:tag]`: an OCI image layout in a tar (what `skopeo copy … oci-archive:` writes). */
import type { ImageSource } from './image-source.js';
import { archiveFileSource } from './archive-file.js';
import type { SourceSpec } from './source-spec.js';

export const open = (spec: SourceSpec): ImageSource => archiveFileSource('oci-archive', spec);
