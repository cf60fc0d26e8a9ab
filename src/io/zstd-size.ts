/**
 * Size of `zstd -3` (the zstd CLI, on demand) of a stream of chunks: the zstd pull-size option, measured exactly
 * for one layer or file when asked. Throws when the `zstd` CLI is missing (Debian package `zstd`).
 */
import { spawnCount } from './spawn-count.js';

export function zstdSize(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, level = 3): Promise<number> {
  return spawnCount('zstd', [`-${level}`, '-q', '-c', '-T1'], chunks);
}
