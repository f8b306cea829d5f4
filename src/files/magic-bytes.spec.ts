import { describe, expect, it } from 'vitest';
import { sniffMagic } from './magic-bytes.js';

const bytes = (...values: (number | string)[]) =>
  Buffer.concat(
    values.map((value) =>
      typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from([value]),
    ),
  );

describe('sniffMagic', () => {
  it('recognises each supported signature', () => {
    expect(sniffMagic(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13))).toBe('png');
    expect(sniffMagic(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF'))).toBe('jpeg');
    expect(sniffMagic(bytes('GIF89a', 1, 0))).toBe('gif');
    expect(sniffMagic(bytes('GIF87a'))).toBe('gif');
    expect(sniffMagic(bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 '))).toBe('webp');
    expect(sniffMagic(bytes('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffMagic(bytes('PK', 3, 4, 20, 0))).toBe('zip');
  });

  it('recognises nothing in text, truncated or look-alike heads', () => {
    expect(sniffMagic(Buffer.from('hello, world'))).toBeUndefined();
    expect(sniffMagic(bytes(0x89, 'PN'))).toBeUndefined();
    expect(sniffMagic(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBeUndefined();
    expect(sniffMagic(bytes('PK', 5, 6))).toBeUndefined();
    expect(sniffMagic(bytes('GIF90a'))).toBeUndefined();
    expect(sniffMagic(Buffer.alloc(0))).toBeUndefined();
  });
});
