/**
 * What a JSON body, a socket message or a JSON form field may not carry, although
 * JSON allows it:
 * - nesting deeper than MAX_JSON_DEPTH: the libraries that walk values
 *   (class-transformer, validators, PostgreSQL's jsonb) recurse, and a few kilobytes
 *   of `[[[[...` exhaust their stack;
 * - NUL (`\u0000`) and unpaired surrogates: PostgreSQL stores neither in text or
 *   jsonb. Refused at the edge, they are a 400 naming the cause instead of a failed
 *   write deep inside (or an event the history cannot store).
 */
export const MAX_JSON_DEPTH = 64;

export type JsonProblem = 'depth' | 'nul' | 'surrogate';

export const JSON_PROBLEM_MESSAGES: Record<JsonProblem, string> = {
  depth: `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`,
  nul: 'contains a NUL character (\\u0000), which cannot be stored',
  surrogate: 'contains an unpaired UTF-16 surrogate, which is not valid Unicode',
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** One pass over JSON text (as received, before parsing). */
export function jsonTextProblem(text: Buffer, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  let depth = 0;
  let inString = false;
  let highPending = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (!inString) {
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++depth > maxDepth) return 'depth';
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
      continue;
    }
    let code = -1;
    if (byte === BACKSLASH) {
      if (text[i + 1] === LOWER_U) {
        code = Number.parseInt(text.toString('latin1', i + 2, i + 6), 16);
        i += 5;
      } else {
        i++;
      }
    } else if (byte === QUOTE) {
      inString = false;
    }
    // A high surrogate escape must be followed at once by a low one, and a low one preceded by a high one.
    if (highPending !== isLow(code)) return 'surrogate';
    highPending = isHigh(code);
    if (code === 0) return 'nul';
  }
  return undefined;
}

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(text: string): JsonProblem | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (UNPAIRED_SURROGATE.test(text)) return 'surrogate';
  return undefined;
}

/** The same for a value already parsed (socket messages, form fields), without recursing. */
export function valueProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      const problem = stringProblem(node);
      if (problem) return problem;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return 'depth';
    for (const [key, child] of Object.entries(node)) {
      const problem = stringProblem(key);
      if (problem) return problem;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/**
 * body-parser's `verify` hook: refuses such a body with a 400 before it is parsed
 * (body-parser keeps the status of the error it is given).
 */
export function refuseUnstorableJson(_req: unknown, _res: unknown, body: Buffer): void {
  const problem = jsonTextProblem(body);
  if (problem) {
    throw Object.assign(new Error(`The request body ${JSON_PROBLEM_MESSAGES[problem]}`), {
      status: 400,
      expose: true,
      type: `entity.${problem}`,
    });
  }
}
