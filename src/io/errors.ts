/**
 * Known failures, each with the one line a user sees and an exit code. Every message lives here so the
 * wording stays consistent and reviewable in one place.
 */
export class SlimError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'SlimError';
  }
}

export const messages = {
  usage: (detail: string) => `${detail} (see slimtui --help)`,
  fileNotFound: (path: string) => `file not found: ${path}`,
  notATar: (path: string) => `${path} is not a container image archive: not a tar (nor a gzip or zstd compressed tar)`,
  notAnImage: (path: string) => `${path} is not a container image: no manifest.json or index.json in it`,
  truncated: (what: string, detail: string) => `truncated or corrupt ${what}: ${detail}`,
  unknownCompression: (what: string, kind: string) =>
    `${what} uses ${kind} compression, which slimtui does not read (gzip, zstd and uncompressed layers are supported)`,
  tagNotFound: (tag: string, what: string, present: readonly string[]) =>
    `no image tagged ${tag} in ${what} (${present.length > 0 ? `tags present: ${present.join(', ')}` : 'it names no tags'})`,
  severalImages: (count: number, what: string, chosen: string, others: readonly string[]) =>
    `${what} holds ${count} images; showing ${chosen} (others: ${others.join(', ')}); add :TAG to the source to pick one`,
  digestMismatch: (what: string, want: string, got: string, named: string) =>
    `digest mismatch: ${what} hashes to ${got}, but ${named} is ${want} (a corrupt or altered image)`,
  sizeMismatch: (what: string, want: number, got: number) =>
    `size mismatch: ${what} holds ${got} bytes, but its descriptor says ${want} (a truncated or altered image)`,
  missingBlob: (blob: string) => `the manifest points at ${blob}, which is not in the archive`,
  imageNotFound: (ref: string, engine: string) => `image not found in ${engine}: ${ref}`,
  daemonUnreachable: (engine: string, where: string, ref: string) =>
    `cannot reach the ${engine} daemon at ${where}; is it running? Without a daemon: docker save -o img.tar ${ref} && slimtui img.tar`,
  socketPermission: (where: string) =>
    `permission denied on ${where}: add your user to the docker group, or run: docker save -o img.tar IMAGE && slimtui img.tar`,
  platformMissing: (wanted: string, available: string[]) =>
    `no image for platform ${wanted} in the index (available: ${available.join(', ') || 'none'})`,
  badPlatform: (p: string) => `--platform must look like os/arch[/variant], got ${p}`,
  badJson: (what: string) => `corrupt ${what}: not valid JSON`,
  notAManifest: (what: string, expected: string) => `${what} is JSON but not ${expected}`,
  badIndex: (what: string, detail: string) => `the OCI index of ${what} does not lead to an image: ${detail}`,
  tooBig: (what: string) => `${what} is too large to be image metadata`,
  notADirectory: (p: string) => `not a directory: ${p}`,
  cannotWrite: (p: string, why: string) => `cannot write ${p}: ${why}`,
} as const;

/** Writes an output file the user named; a failure is the user's one line, not a stack trace. */
export function writeOutput(write: () => void, path: string): void {
  try {
    write();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? 'no such directory'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied'
          : err.code === 'EISDIR'
            ? 'it is a directory'
            : err.message;
    throw new SlimError(messages.cannotWrite(path, why));
  }
}

export const isSlimError = (e: unknown): e is SlimError => e instanceof SlimError;
