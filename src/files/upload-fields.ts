import { JSON_PROBLEM_MESSAGES, valueProblem } from '../common/http/json-limits.js';
import { badField } from './upload-errors.js';

export const TAG_PATTERN = /^[A-Za-z0-9_.:-]{1,50}$/;
export const MAX_TAGS = 20;
export const MAX_METADATA_BYTES = 16 * 1024;

/** `a, b,c` → ['a', 'b', 'c']: trimmed, de-duplicated, each checked. */
export function parseTags(value: string, field = 'tags'): string[] {
  const tags = [
    ...new Set(
      value
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
  checkTags(tags, field);
  return tags;
}

export function checkTags(tags: string[], field = 'tags'): void {
  if (tags.length > MAX_TAGS) throw badField(field, `at most ${MAX_TAGS} tags`);
  const bad = tags.find((tag) => !TAG_PATTERN.test(tag));
  if (bad !== undefined) {
    throw badField(field, `"${bad.slice(0, 60)}" is not a valid tag (1-50 of A-Z a-z 0-9 _ . : -)`);
  }
}

/** The `metadata` form field: a JSON object of at most 16 KiB. */
export function parseMetadata(value: string, field = 'metadata'): Record<string, unknown> {
  if (Buffer.byteLength(value) > MAX_METADATA_BYTES) {
    throw badField(field, `must be at most ${MAX_METADATA_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw badField(field, 'must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badField(field, 'must be a JSON object');
  }
  const problem = valueProblem(parsed);
  if (problem) throw badField(field, JSON_PROBLEM_MESSAGES[problem]);
  return parsed as Record<string, unknown>;
}

export function checkMetadataSize(metadata: Record<string, unknown>, field = 'metadata'): void {
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw badField(field, `must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
  }
}
