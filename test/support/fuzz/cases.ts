import { multipart } from '../multipart.js';
import { OpenApiDocument, Operation, Parameter, resolveSchema, sampleValue } from './openapi.js';
import type { Random } from './random.js';
import {
  deeplyNested,
  encodeText,
  hugeString,
  JsonFragment,
  nastyUrlText,
  nastyValue,
  toJson,
} from './values.js';

/** One request the fuzzer sends; `label` says what was broken, for the failure message. */
export interface FuzzCase {
  label: string;
  method: string;
  /** Path and query, already encoded (some deliberately malformed). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface CaseSource {
  document: OpenApiDocument;
  /** Ids of rows that exist, for path parameters of non-destructive operations. */
  existingIds(operation: Operation, parameter: Parameter): string[];
  /** Body uuids: mostly ids nobody has, sometimes real ones. */
  uuid(): string;
}

/**
 * Operations whose VALID form would remove or disturb what the rest of the run relies
 * on (deletes, queue pauses, cleanups): they get only malformed input.
 */
export function isDestructive(operation: Operation): boolean {
  return (
    operation.method === 'DELETE' ||
    /\/(pause|resume|cleanup)$/.test(operation.path) ||
    /\/connections\/\{id\}\/replay-events$/.test(operation.path)
  );
}

type Json = unknown;
type Query = [string, { raw: string } | { text: string }][];

interface Draft {
  label: string;
  pathValues: Record<string, { raw: string } | { text: string }>;
  query: Query;
  body?: { kind: 'json'; value: Json } | { kind: 'raw'; contentType: string; bytes: Buffer };
  headers: Record<string, string>;
}

/** Builds `count` requests to one operation, each wrong in one place (a few left valid). */
export function buildCases(
  operation: Operation,
  source: CaseSource,
  random: Random,
  count: number,
): FuzzCase[] {
  const destructive = isDestructive(operation);
  const cases: FuzzCase[] = [];
  const mutations = applicableMutations(operation);
  for (let i = 0; i < count; i++) {
    const draft = baseDraft(operation, source, random, destructive);
    // A few well-formed requests per operation reach the handlers' own checks (404, 409, ...).
    const keepValid = !destructive && i % 25 === 0;
    if (!keepValid) random.pick(mutations)(draft, operation, source, random);
    else draft.label = 'well-formed';
    cases.push(render(operation, draft));
  }
  return cases;
}

/** A request whose body has one field null, and whether the document says it may be. */
export interface NullCase extends FuzzCase {
  field: string;
  nullable: boolean;
}

/**
 * One request per top-level field of a JSON body: a well-formed body (ids in the path
 * that exist) with that field null. The document's `nullable` is the contract: a field
 * it does not mark must be refused, naming the field; one it marks must not be refused
 * for that field, nor answered with a 5xx.
 */
export function buildNullCases(
  operation: Operation,
  source: CaseSource,
  random: Random,
): NullCase[] {
  if (isDestructive(operation) || operation.body?.contentType !== 'application/json') return [];
  const schema = resolveSchema(source.document, operation.body.schema);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const draft = baseDraft(operation, source, random, false);
    for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
      // A row that exists where the run has one, else an id nobody has: either way the
      // path is valid, so the body is what the answer is about.
      const existing = source.existingIds(operation, parameter);
      draft.pathValues[parameter.name] = { text: existing[0] ?? random.uuid() };
    }
    const body = draft.body?.kind === 'json' ? (draft.body.value as Record<string, unknown>) : {};
    body[name] = null;
    draft.body = { kind: 'json', value: body };
    draft.label = `${name}=null`;
    const nullable =
      property.nullable === true || resolveSchema(source.document, property).nullable === true;
    return { ...render(operation, draft), field: name, nullable };
  });
}

function baseDraft(
  operation: Operation,
  source: CaseSource,
  random: Random,
  destructive: boolean,
): Draft {
  const pathValues: Draft['pathValues'] = {};
  const query: Query = [];
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') {
      const existing = destructive ? [] : source.existingIds(operation, parameter);
      if (existing.length && random.chance(0.7))
        pathValues[parameter.name] = { text: random.pick(existing) };
      else if (destructive && parameter.schema.enum)
        pathValues[parameter.name] = { text: 'no-such-name' };
      else
        pathValues[parameter.name] = {
          text: String(sampleValue(source.document, parameter.schema, random, () => source.uuid())),
        };
    } else if (parameter.required || (!destructive && random.chance(0.3))) {
      const value = sampleValue(source.document, parameter.schema, random, () => source.uuid());
      for (const item of Array.isArray(value) ? value : [value])
        query.push([parameter.name, { text: String(item) }]);
    }
  }
  let body: Draft['body'];
  if (operation.body?.contentType === 'application/json') {
    body = {
      kind: 'json',
      value: sampleValue(source.document, operation.body.schema, random, () => source.uuid()),
    };
  } else if (operation.body?.contentType === 'multipart/form-data') {
    const form = multipart([
      { name: 'files', filename: 'notes.txt', content: 'hello fuzz\n' },
      { name: 'tags', content: 'fuzz' },
    ]);
    body = { kind: 'raw', contentType: form.contentType, bytes: form.body };
  }
  return { label: '', pathValues, query, body, headers: {} };
}

type Mutation = (draft: Draft, operation: Operation, source: CaseSource, random: Random) => void;

function applicableMutations(operation: Operation): Mutation[] {
  const list: Mutation[] = [mutateHeaders];
  const path = operation.parameters.filter((p) => p.in === 'path');
  const query = operation.parameters.filter((p) => p.in === 'query');
  if (path.length) list.push(mutatePath, mutatePath, mutatePath);
  list.push(addUnknownQuery);
  if (query.length) list.push(mutateQuery, mutateQuery, mutateQuery, repeatQuery);
  if (operation.body?.contentType === 'application/json') {
    list.push(mutateField, mutateField, mutateField, mutateField, removeRequired, addUnknownField);
    list.push(replaceBody, rawBody, mutateField);
  } else if (operation.body?.contentType === 'multipart/form-data') {
    list.push(mutateMultipart, mutateMultipart, mutateMultipart, rawBody, replaceBody);
  } else {
    // Routes without a body still receive one.
    list.push(replaceBody);
  }
  return list;
}

const mutatePath: Mutation = (draft, operation, _source, random) => {
  const parameter = random.pick(operation.parameters.filter((p) => p.in === 'path'));
  const value = random.chance(0.15) ? { text: random.uuid() } : nastyUrlText(random);
  draft.pathValues[parameter.name] = value;
  draft.label = `path ${parameter.name}=${describe(value)}`;
};

const mutateQuery: Mutation = (draft, operation, _source, random) => {
  const parameter = random.pick(operation.parameters.filter((p) => p.in === 'query'));
  const value = random.chance(0.2)
    ? { text: `${random.pick((parameter.schema.enum as string[] | undefined) ?? ['yes'])}x` }
    : nastyUrlText(random);
  draft.query = draft.query.filter(([name]) => name !== parameter.name);
  draft.query.push([parameter.name, value]);
  draft.label = `query ${parameter.name}=${describe(value)}`;
};

const repeatQuery: Mutation = (draft, operation, _source, random) => {
  const parameter = random.pick(operation.parameters.filter((p) => p.in === 'query'));
  const style = random.int(0, 2);
  if (style === 0)
    draft.query.push([parameter.name, { text: '1' }], [parameter.name, { text: '2' }]);
  else if (style === 1) draft.query.push([`${parameter.name}[]`, { text: '1' }]);
  else draft.query.push([`${parameter.name}[$gt]`, { text: '' }]);
  draft.label = `query ${parameter.name} repeated/nested (${style})`;
};

const addUnknownQuery: Mutation = (draft, _operation, _source, random) => {
  const name = random.pick(['unknown', '__proto__', 'constructor[prototype][x]', 'limit[]', "a'b"]);
  draft.query.push([name, nastyUrlText(random)]);
  draft.label = `unknown query ${name}`;
};

const mutateHeaders: Mutation = (draft, _operation, _source, random) => {
  const choice = random.int(0, 3);
  if (choice === 0) draft.headers['Accept'] = 'application/xml';
  else if (choice === 1)
    draft.headers['X-Request-Id'] = random.pick(['', 'x'.repeat(2_000), '\u00e9']);
  else if (choice === 2) draft.headers['Content-Encoding'] = random.pick(['gzip', 'br', 'bogus']);
  else
    draft.headers['Content-Type'] = random.pick(['application/json; charset=utf-16', 'text/plain']);
  draft.label = `headers ${JSON.stringify(draft.headers).slice(0, 80)}`;
};

/** Every place in a JSON value where another value could go. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      out.push([...prefix, index]);
      paths(item, [...prefix, index], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      paths(item, [...prefix, key], out);
    }
  }
  return out;
}

function setAt(root: Json, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}

/** One field, possibly nested or inside an array, given a value of the wrong kind. */
const mutateField: Mutation = (draft, operation, source, random) => {
  const body = draft.body?.kind === 'json' ? draft.body.value : undefined;
  const schema = resolveSchema(source.document, operation.body!.schema);
  const declared = Object.keys(schema.properties ?? {});
  const candidates = paths(body);
  if (!body || typeof body !== 'object' || (!candidates.length && !declared.length)) {
    replaceBody(draft, operation, source, random);
    return;
  }
  const path =
    declared.length && (random.chance(0.6) || !candidates.length)
      ? [random.pick(declared)]
      : random.pick(candidates);
  const value = nastyValue(random);
  setAt(body, path, value);
  draft.label = `field ${path.join('.')}=${describe(value)}`;
};

const removeRequired: Mutation = (draft, operation, source, random) => {
  const schema = resolveSchema(source.document, operation.body!.schema);
  const body = draft.body?.kind === 'json' ? draft.body.value : undefined;
  if (!schema.required?.length || !body || typeof body !== 'object') {
    mutateField(draft, operation, source, random);
    return;
  }
  const name = random.pick(schema.required);
  delete (body as Record<string, unknown>)[name];
  draft.label = `missing ${name}`;
};

const addUnknownField: Mutation = (draft, operation, source, random) => {
  const body = draft.body?.kind === 'json' ? draft.body.value : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    replaceBody(draft, operation, source, random);
    return;
  }
  const name = random.pick(['unknown_field', 'id', 'created_at', 'role', 'is_admin', '$set']);
  (body as Record<string, unknown>)[name] = nastyValue(random);
  draft.label = `extra field ${name}`;
};

const replaceBody: Mutation = (draft, _operation, _source, random) => {
  const value = random.pick<() => unknown>([
    () => [],
    () => 'a string',
    () => 42,
    () => null,
    () => true,
    () => [{}],
    () => deeplyNested(random.pick([100, 3_000]), random.chance(0.5)),
    () => ({ [hugeString(random).slice(0, 300)]: 1 }),
    () => nastyValue(random),
  ])();
  draft.body = { kind: 'json', value };
  draft.label = `body ${describe(value)}`;
};

const rawBody: Mutation = (draft, _operation, _source, random) => {
  const [contentType, text] = random.pick<[string, string | Buffer]>([
    ['application/json', '{"unterminated": '],
    ['application/json', '{"a":1}{"b":2}'],
    ['application/json', "{'single': 'quotes'}"],
    ['application/json', '\u0000\u0001\u0002'],
    ['application/json', Buffer.from([0xff, 0xfe, 0x7b, 0x00])],
    ['application/json', ''],
    ['application/json', '['.repeat(20_000)],
    ['application/x-www-form-urlencoded', 'a=1&b[c]=2&__proto__[x]=1'],
    ['text/plain', 'just text'],
    ['application/xml', '<a>1</a>'],
    ['multipart/form-data', '--x\r\n\r\n'],
    [
      'multipart/form-data; boundary=zzz',
      '--zzz\r\nContent-Disposition: form-data\r\n\r\nno name\r\n',
    ],
    ['application/octet-stream', Buffer.alloc(64, 0xab)],
  ]);
  draft.body = { kind: 'raw', contentType, bytes: Buffer.from(text) };
  draft.label = `raw ${contentType} ${JSON.stringify(String(text).slice(0, 30))}`;
};

const mutateMultipart: Mutation = (draft, _operation, _source, random) => {
  const choice = random.int(0, 7);
  const filename = random.pick([
    '../../../etc/passwd',
    'nul\u0000.txt',
    'a'.repeat(400) + '.txt',
    '.txt',
    'noextension',
    'photo.png',
    'x.exe',
    '👋.json',
  ]);
  const parts = [
    [
      {
        name: 'files',
        filename,
        content: random.pick([
          '{"a":',
          'plain',
          '\u0000\u0001',
          '',
          deeplyNested(3_000, true).text,
        ]),
      },
    ],
    [{ name: 'wrong_field', filename: 'a.txt', content: 'x' }],
    [{ name: 'tags', content: 'only tags, no file' }],
    [
      { name: 'files', filename: 'a.txt', content: 'x' },
      {
        name: 'metadata',
        content: random.pick([
          'not json',
          '[1,2]',
          '{"a":',
          'null',
          deeplyNested(2_000, false).text,
        ]),
      },
    ],
    [
      { name: 'files', filename: 'a.txt', content: 'x' },
      { name: 'tags', content: random.pick(['bad tag!', 'x'.repeat(80), ',,,', '\u0000']) },
    ],
    [
      { name: 'files', filename: 'a.txt', content: 'x' },
      { name: 'unexpected', content: 'y' },
    ],
    [{ name: 'files', encodedFilename: random.pick(['\u0000', '/', '..', '\\a']), content: 'x' }],
    [],
  ][choice];
  const form = multipart(parts);
  draft.body = { kind: 'raw', contentType: form.contentType, bytes: form.body };
  draft.label = `multipart case ${choice} ${JSON.stringify(filename.slice(0, 30))}`;
};

function describe(value: unknown): string {
  if (value instanceof JsonFragment) return value.summary;
  const text = toJson(value);
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length})` : text;
}

function encodePathValue(value: { raw: string } | { text: string }): string {
  return 'raw' in value ? value.raw : encodeText(value.text) || '%20';
}

function render(operation: Operation, draft: Draft): FuzzCase {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodePathValue(draft.pathValues[name] ?? { text: 'x' }),
  );
  const query = draft.query
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${'raw' in value ? value.raw : encodeText(value.text)}`,
    )
    .join('&');
  const headers = { ...draft.headers };
  let body: Buffer | undefined;
  if (draft.body?.kind === 'json') {
    body = Buffer.from(toJson(draft.body.value));
    headers['Content-Type'] ??= 'application/json';
  } else if (draft.body?.kind === 'raw') {
    body = draft.body.bytes;
    headers['Content-Type'] = draft.body.contentType;
  }
  return {
    label: draft.label,
    method: operation.method,
    url: query ? `${path}?${query}` : path,
    headers,
    body,
  };
}
