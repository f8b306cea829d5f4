/**
 * `Content-Disposition: attachment` for a download (RFC 6266), with the name twice:
 * an ASCII `filename` for old clients and the exact UTF-8 name in `filename*`
 * (RFC 5987/8187). Whatever the name holds, the header stays one well-formed line.
 */

/** RFC 5987 attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; encodeURIComponent also leaves '()* . */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Printable ASCII only, accents folded where possible; quote, backslash and % become '_'. */
export function asciiFallback(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
}

export function contentDisposition(
  filename: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  const name = filename || 'download';
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
