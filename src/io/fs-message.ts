import { messages } from './errors.js';

/** A file-system error as the user's one line. */
export function fsMessage(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return messages.fileNotFound(path);
  if (code === 'EACCES' || code === 'EPERM') return `permission denied: ${path}`;
  if (code === 'ENOTDIR') return messages.notADirectory(path);
  return `cannot read ${path}: ${(e as Error).message}`;
}
