// UPX's messages → the model's refusal names (used on real upx's output and on the model's, which quotes upx).
export function upxRefusalOf(msg: string): string {
  if (msg.includes('too small')) return 'too-small';
  if (msg.includes('AlreadyPacked')) return 'already-packed';
  if (msg.includes('not executable')) return 'not-executable';
  if (msg.includes('UnknownExecutableFormat')) return 'unsupported-format';
  if (msg.includes('DT_INIT') || msg.includes('bad init address')) return 'shared-library-unsupported';
  if (msg.includes('NotCompressible')) return 'not-compressible';
  return `unknown: ${msg}`;
}
