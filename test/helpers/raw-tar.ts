// Tar records that tar-stream's pack() cannot write, made by hand for tests: names as raw bytes (not UTF-8),
// and GNU long-name ('L') records. Checked by the tests against GNU tar's own listing.
const BLOCK = 512;

/** The ustar checksum over a 512-byte header, written as tar writes it (6 octal digits, NUL, space). */
function setChecksum(h: Buffer): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

/**
 * Replaces the name field of the header whose name is `placeholder` with `bytes` (any bytes, at most 100),
 * fixing the checksum. `tar` is a whole uncompressed tar as tar-stream's pack() wrote it.
 */
export function patchName(
  tar: Buffer,
  placeholder: string,
  bytes: Buffer,
  field: 'name' | 'linkname' = 'name',
): Buffer {
  const out = Buffer.from(tar);
  const off = field === 'name' ? 0 : 157;
  const want = Buffer.from(placeholder, 'latin1');
  for (let at = 0; at + BLOCK <= out.length; at += BLOCK) {
    const h = out.subarray(at, at + BLOCK);
    if (
      h.subarray(off, off + want.length).equals(want) &&
      (h[off + want.length] ?? 0) === 0 &&
      h.subarray(257, 262).toString('latin1') === 'ustar'
    ) {
      h.fill(0, off, off + 100);
      bytes.copy(h, off);
      setChecksum(h);
      return out;
    }
  }
  throw new Error(`no header named ${placeholder}`);
}

function header(name: Buffer, type: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(100, name.length));
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(
    `${Math.floor(Date.UTC(2024, 0, 1) / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    'latin1',
  );
  h.write(type, 156, 'latin1');
  h.write('ustar  \0', 257, 'latin1'); // GNU magic
  setChecksum(h);
  return h;
}

const padded = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);

/** A GNU-format tar of one regular file whose name (any length) goes in a GNU 'L' long-name record, as GNU tar writes it. */
export function gnuLongNameTar(name: string, content: Buffer): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  return Buffer.concat([
    header(Buffer.from('././@LongLink'), 'L', nameBytes.length),
    padded(nameBytes),
    header(Buffer.from(name).subarray(0, 100), '0', content.length),
    padded(content),
    Buffer.alloc(BLOCK * 2),
  ]);
}
