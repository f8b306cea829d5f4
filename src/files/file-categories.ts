/**
 * CONTRACT §3 Files: the categories, which extensions each accepts, and what the
 * content of each extension must look like. The MIME type we report and serve is
 * derived from here once the content matched, never taken from the client.
 */

export const FILE_CATEGORIES = [
  'agent_configs',
  'data_files',
  'images',
  'documents',
  'backups',
] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

/** `backups` is written by the backup job only (FilesService.storeBackup). */
export const UPLOAD_CATEGORIES = FILE_CATEGORIES.filter(
  (category): category is Exclude<FileCategory, 'backups'> => category !== 'backups',
);
export type UploadCategory = (typeof UPLOAD_CATEGORIES)[number];

export type MagicKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf' | 'zip';
export type ParseFormat = 'json' | 'yaml';

export interface ContentRule {
  mimeType: string;
  /** Text formats must be valid UTF-8 without NUL bytes. */
  text: boolean;
  /** Text formats that must also parse (checked up to PARSE_LIMIT_BYTES). */
  parse?: ParseFormat;
  /** Binary formats: the signature the first bytes must carry. */
  magic?: MagicKind;
  /** A zip container that must also hold this document structure. */
  container?: 'docx';
}

const text = (mimeType: string, parse?: ParseFormat): ContentRule => ({
  mimeType,
  text: true,
  parse,
});
const binary = (mimeType: string, magic: MagicKind, container?: 'docx'): ContentRule => ({
  mimeType,
  text: false,
  magic,
  container,
});

export const CONTENT_RULES: Readonly<Record<string, ContentRule>> = {
  '.json': text('application/json', 'json'),
  '.yaml': text('application/yaml', 'yaml'),
  '.yml': text('application/yaml', 'yaml'),
  '.csv': text('text/csv'),
  '.txt': text('text/plain'),
  '.log': text('text/plain'),
  '.md': text('text/markdown'),
  '.png': binary('image/png', 'png'),
  '.jpg': binary('image/jpeg', 'jpeg'),
  '.jpeg': binary('image/jpeg', 'jpeg'),
  '.gif': binary('image/gif', 'gif'),
  '.webp': binary('image/webp', 'webp'),
  '.pdf': binary('application/pdf', 'pdf'),
  '.docx': binary(
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'zip',
    'docx',
  ),
};

export const CATEGORY_EXTENSIONS: Readonly<Record<UploadCategory, readonly string[]>> = {
  agent_configs: ['.json', '.yaml', '.yml'],
  data_files: ['.csv', '.json', '.txt', '.log'],
  images: ['.png', '.jpg', '.jpeg', '.gif', '.webp'],
  documents: ['.md', '.pdf', '.docx'],
};

/** JSON and YAML content is parsed (at upload and in validation) up to this size. */
export const PARSE_LIMIT_BYTES = 10 * 1024 * 1024;

/** Backups are produced by the service itself, so their type is known from the name. */
const BACKUP_MIME_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.gz': 'application/gzip',
  '.sql': 'application/sql',
};

/** Lower-cased last extension with its dot (`.json`), or '' when there is none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot).toLowerCase() : '';
}

/** The content rule for a file of `category`, or undefined when its extension is not allowed there. */
export function ruleFor(category: UploadCategory, filename: string): ContentRule | undefined {
  const extension = extensionOf(filename);
  return CATEGORY_EXTENSIONS[category].includes(extension) ? CONTENT_RULES[extension] : undefined;
}

export function backupMimeType(filename: string): string {
  return BACKUP_MIME_TYPES[extensionOf(filename)] ?? 'application/octet-stream';
}

/** How a stored file is served: text types say their charset, as we checked it. */
export function servedContentType(mimeType: string): string {
  const isText =
    mimeType.startsWith('text/') ||
    mimeType === 'application/json' ||
    mimeType === 'application/yaml';
  return isText ? `${mimeType}; charset=utf-8` : mimeType;
}
