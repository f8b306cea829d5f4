/**
 * Client file names are untrusted (OWASP File Upload Cheat Sheet): they never name
 * anything on disk. We keep two forms as metadata: the display name (`filename`),
 * sanitised so it is safe in a header, a log or a shell, and the name as sent
 * (`original_filename`), only made storable.
 */

/** Longest display name, in UTF-8 bytes (the common file-system limit). */
export const MAX_FILENAME_BYTES = 255;
/** Longest kept original name, in characters. */
export const MAX_ORIGINAL_FILENAME_CHARS = 1024;

// C0 and C1 controls, DEL, and the bidirectional overrides that can disguise an
// extension ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"). Matching controls is the point here.
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Cuts `value` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (utf8Length(value) <= maxBytes) return value;
  let out = '';
  let bytes = 0;
  for (const character of value) {
    const size = utf8Length(character);
    if (bytes + size > maxBytes) break;
    out += character;
    bytes += size;
  }
  return out;
}

/**
 * The display name: the last path component (either separator), NFC, without
 * control or direction-override characters, without leading dots (no hidden
 * files, no `..`) or trailing dots and spaces, at most 255 UTF-8 bytes with the
 * extension kept when the name is cut. '' when nothing usable is left.
 */
export function sanitizeFilename(raw: string): string {
  const normalized = raw.normalize('NFC').replace(UNSAFE_CHARACTERS, '');
  const lastComponent = normalized.split(/[/\\]/).pop() ?? '';
  const trimmed = lastComponent.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (utf8Length(trimmed) <= MAX_FILENAME_BYTES) return trimmed;
  const dot = trimmed.lastIndexOf('.');
  const extension = dot > 0 && trimmed.length - dot <= 16 ? trimmed.slice(dot) : '';
  const stem = trimmed.slice(0, trimmed.length - extension.length);
  return truncateUtf8(stem, MAX_FILENAME_BYTES - utf8Length(extension)).trimEnd() + extension;
}

/**
 * The name as the client sent it, as far as PostgreSQL can store it: NUL (which
 * text columns refuse) becomes U+FFFD, and the length is capped. Only ever
 * returned as JSON data; never used for paths or headers.
 */
export function storableOriginalName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return [...raw.replace(/\u0000/g, '\ufffd')].slice(0, MAX_ORIGINAL_FILENAME_CHARS).join('');
}
