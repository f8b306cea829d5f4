import type { MagicKind } from './file-categories.js';

/** Bytes needed to tell every signature below apart. */
export const SNIFF_BYTES = 16;

const SIGNATURES: { kind: MagicKind; test: (head: Buffer) => boolean }[] = [
  {
    kind: 'png',
    test: (head) =>
      head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    kind: 'jpeg',
    test: (head) => head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
  },
  {
    kind: 'gif',
    test: (head) => ['GIF87a', 'GIF89a'].includes(head.subarray(0, 6).toString('latin1')),
  },
  {
    kind: 'webp',
    test: (head) =>
      head.subarray(0, 4).toString('latin1') === 'RIFF' &&
      head.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { kind: 'pdf', test: (head) => head.subarray(0, 5).toString('latin1') === '%PDF-' },
  {
    // A local file header; an empty archive (PK\x05\x06) holds no document.
    kind: 'zip',
    test: (head) => head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
  },
];

/** Which binary format the first bytes of a file announce, if any we know. */
export function sniffMagic(head: Buffer): MagicKind | undefined {
  return SIGNATURES.find((signature) => signature.test(head))?.kind;
}
