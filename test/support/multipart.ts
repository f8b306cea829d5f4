import { randomBytes } from 'node:crypto';

/** A part of a multipart/form-data body, written by hand for full control over names and bytes. */
export interface Part {
  name: string;
  /** Sent as `filename="..."` (quotes and backslashes escaped), as browsers and curl do. */
  filename?: string;
  /** Sent as RFC 5987 `filename*=UTF-8''...` instead, which can carry any character (even NUL). */
  encodedFilename?: string;
  content: Buffer | string;
  contentType?: string;
}

export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

export function newBoundary(): string {
  return `----subforge-test-${randomBytes(12).toString('hex')}`;
}

export function partHeader(boundary: string, part: Omit<Part, 'content'>): Buffer {
  let disposition = `form-data; name="${part.name}"`;
  if (part.encodedFilename !== undefined) {
    disposition += `; filename*=UTF-8''${encodeURIComponent(part.encodedFilename)}`;
  } else if (part.filename !== undefined) {
    disposition += `; filename="${part.filename.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  const isFile = part.filename !== undefined || part.encodedFilename !== undefined;
  const type = part.contentType ?? (isFile ? 'application/octet-stream' : undefined);
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
    'utf8',
  );
}

export function closing(boundary: string): Buffer {
  return Buffer.from(`--${boundary}--\r\n`);
}

export function multipart(parts: Part[]): MultipartBody {
  const boundary = newBoundary();
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(partHeader(boundary, part), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  chunks.push(closing(boundary));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

/** File parts in the `files` field, plus optional form fields. */
export function filesForm(
  files: { filename: string; content: Buffer | string; encoded?: boolean }[],
  fields: Record<string, string> = {},
): MultipartBody {
  return multipart([
    ...Object.entries(fields).map(([name, content]) => ({ name, content })),
    ...files.map((file) =>
      file.encoded
        ? { name: 'files', encodedFilename: file.filename, content: file.content }
        : { name: 'files', filename: file.filename, content: file.content },
    ),
  ]);
}
