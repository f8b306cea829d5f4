import { parseConfigText, type ParseResult } from '../agents/agent-configuration.js';
import type { ParseFormat } from './file-categories.js';
import type { ValidationIssue } from './validation-issue.js';

/** Editors on some systems start UTF-8 files with a byte-order mark; parsers do not want it. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * parseConfigText, but never throwing: YAML alias expansion beyond its bound and
 * other parser exceptions become a parse error like any other.
 */
export function parseStructured(text: string, format: ParseFormat): ParseResult {
  try {
    return parseConfigText(stripBom(text), format);
  } catch (error) {
    const label = format === 'json' ? 'JSON' : 'YAML';
    return { ok: false, errors: [{ message: `Invalid ${label}: ${(error as Error).message}` }] };
  }
}

/** Why `text` does not parse as `format`, with lines; empty when it parses. */
export function parseProblems(text: string, format: ParseFormat): ValidationIssue[] {
  if (format === 'json') {
    try {
      JSON.parse(stripBom(text));
      return [];
    } catch {
      // Parse again with the line-aware parser only for the message.
    }
  }
  const parsed = parseStructured(text, format);
  return parsed.ok ? [] : parsed.errors;
}
