import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

/**
 * Configuration texts (agent configurations and definitions, the `agent_configs` file
 * category): JSON or YAML parsed with line numbers and bounded in size. Pure: no I/O.
 */

export interface ConfigIssue {
  message: string;
  /** Dotted path of the offending field, when the content parsed. */
  path?: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export type ConfigFormat = 'json' | 'yaml';

export type ParseResult =
  | { ok: true; value: unknown; locate: (path: string) => number | undefined }
  | { ok: false; errors: ConfigIssue[] };

export function formatOf(filename: string): ConfigFormat | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Documents with more values than this are refused as too complex (CONTRACT: 400 with details). */
export const MAX_DOCUMENT_NODES = 100_000;

const tooComplex = (): ConfigIssue => ({
  message: `The document is too complex: more than ${MAX_DOCUMENT_NODES} values`,
});

/** Counts the values of a parsed JSON value, stopping past the limit (iterative: no deep recursion). */
function exceedsNodeLimit(value: unknown): boolean {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length) {
    const next = stack.pop();
    if (++count > MAX_DOCUMENT_NODES) return true;
    if (typeof next === 'object' && next !== null)
      for (const child of Object.values(next)) stack.push(child);
  }
  return false;
}

/**
 * The YAML library's own duplicate-key check compares every key with every other
 * (quadratic); this one remembers the keys of each map once. It also counts the nodes.
 */
function checkYamlNodes(document: Document, counter: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stack: unknown[] = [document.contents];
  let count = 0;
  while (stack.length) {
    const node = stack.pop();
    if (node === null || node === undefined) continue;
    if (++count > MAX_DOCUMENT_NODES) return [tooComplex()];
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const identity = isScalar(key) ? key.value : key;
        if (seen.has(identity)) {
          issues.push({
            message: `Invalid YAML: Map keys must be unique ("${String(identity)}" repeats)`,
            ...(key?.range ? { line: counter.linePos(key.range[0]).line } : {}),
          });
        }
        seen.add(identity);
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return issues;
}

/** Finds the line of `a.b.0.c` in a parsed document (each map indexed once, on first use). */
function locator(document: Document, counter: LineCounter): (path: string) => number | undefined {
  const indexes = new WeakMap<object, Map<unknown, Pair>>();
  const pairOf = (map: YAMLMap, segment: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const key = (pair.key as { value?: unknown } | null)?.value;
        if (!index.has(key)) index.set(key, pair);
      }
      indexes.set(map, index);
    }
    return index.get(segment);
  };
  return (path) => {
    const segments = path.split('.').filter(Boolean);
    let node: unknown = document.contents;
    let line: number | undefined = (node as Node | null)?.range
      ? counter.linePos((node as Node).range![0]).line
      : undefined;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = pairOf(node, segment);
        if (!pair) return line;
        const key = pair.key as Node | null;
        if (key?.range) line = counter.linePos(key.range[0]).line;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(segment)];
        if ((node as Node | undefined)?.range)
          line = counter.linePos((node as Node).range![0]).line;
      } else {
        return line;
      }
    }
    return line;
  };
}

/** A JSON document's lines are found through the YAML parser (a JSON superset), only when asked. */
function lazyLocator(text: string): (path: string) => number | undefined {
  let locate: ((path: string) => number | undefined) | undefined;
  return (path) => {
    if (!locate) {
      const counter = new LineCounter();
      locate = locator(parseDocument(text, { lineCounter: counter, uniqueKeys: false }), counter);
    }
    return locate(path);
  };
}

function parseJson(text: string): ParseResult {
  try {
    const value: unknown = JSON.parse(text);
    if (exceedsNodeLimit(value)) return { ok: false, errors: [tooComplex()] };
    return { ok: true, value, locate: lazyLocator(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const lineMatch = /line (\d+)/.exec(message);
    let line = lineMatch ? Number(lineMatch[1]) : undefined;
    if (!line && position) line = lineOfOffset(text, Number(position[1]));
    if (!line) {
      // Node's messages do not always carry a position; the YAML parser finds most.
      const counter = new LineCounter();
      const yamlError = parseDocument(text, { lineCounter: counter, uniqueKeys: false }).errors[0];
      if (yamlError) line = counter.linePos(yamlError.pos[0]).line;
    }
    return {
      ok: false,
      errors: [{ message: `Invalid JSON: ${message}`, ...(line ? { line } : {}) }],
    };
  }
}

function parseYaml(text: string): ParseResult {
  const counter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  if (document.errors.length) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({
        message: `Invalid YAML: ${error.message.split('\n')[0]}`,
        line: error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line,
      })),
    };
  }
  const problems = checkYamlNodes(document, counter);
  if (problems.length) return { ok: false, errors: problems };
  try {
    return {
      ok: true,
      value: document.toJS({ maxAliasCount: 100 }) as unknown,
      locate: locator(document, counter),
    };
  } catch (error) {
    // Alias expansion beyond its bound.
    return { ok: false, errors: [{ message: `Invalid YAML: ${(error as Error).message}` }] };
  }
}

/** Editors on some systems start UTF-8 files with a byte-order mark; parsers do not want it. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses JSON (strictly) or YAML; syntax errors carry their line. Linear in the size
 * of the document, never throws, and refuses more than MAX_DOCUMENT_NODES values.
 */
export function parseConfigText(text: string, format: ConfigFormat): ParseResult {
  const bare = stripBom(text);
  return format === 'json' ? parseJson(bare) : parseYaml(bare);
}
