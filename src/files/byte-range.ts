/** What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14). */
export type ByteRange =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const FULL: ByteRange = { kind: 'full' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; `end` is inclusive and clamped to
 * the size. Headers we may ignore (other units, malformed, several ranges, which
 * would need multipart/byteranges) mean the whole file, as RFC 9110 allows.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (!header) return FULL;
  const match = /^\s*bytes\s*=\s*([^,]*)$/i.exec(header);
  if (!match) return FULL;
  const spec = /^(\d*)\s*-\s*(\d*)$/.exec(match[1].trim());
  if (!spec || (spec[1] === '' && spec[2] === '')) return FULL;
  if (spec[1] === '') {
    const suffix = Number(spec[2]);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(spec[1]);
  const last = spec[2] === '' ? undefined : Number(spec[2]);
  if (last !== undefined && last < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(last ?? size - 1, size - 1) };
}
