import type { Random } from './random.js';

/** Strings that have broken parsers, validators, databases and templates elsewhere. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  'ℌ𝔢𝔩𝔩𝔬 👋🏽 мир 世界',
  'nul\u0000inside',
  '\u0000',
  'lone \ud800 surrogate',
  '\u202eRTL override',
  'zero\u200bwidth',
  'Ω≈ç√∫˜µ≤≥÷',
  "' OR '1'='1",
  "'; DROP TABLE agents; --",
  '" OR ""="',
  "1' AND pg_sleep(5)--",
  '$where',
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  '99999999999999999999999999',
  '2026-13-45T25:61:61Z',
  '0000-00-00',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{6f1c2a2e-0d3c-4c9a-9d0c-2a1f0c6b7e11}',
  '6f1c2a2e0d3c4c9a9d0c2a1f0c6b7e11',
  '6F1C2A2E-0D3C-4C9A-9D0C-2A1F0C6B7E11',
  '6f1c2a2e-0d3c-4c9a-9d0c-2a1f0c6b7e1g',
  'PENDING',
  'not_an_enum_value',
];

export const NASTY_NUMBERS: readonly number[] = [
  0,
  -1,
  -0.5,
  1.5,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 2,
  2 ** 64,
  1e-300,
  123456789012,
];

/** Any JSON value a client might send where it should not. */
export function nastyValue(random: Random): unknown {
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return random.pick(NASTY_STRINGS);
    case 3:
    case 4:
      return random.pick(NASTY_NUMBERS);
    case 5:
      return random.pick([true, false, null]);
    case 6:
      return random.pick([
        [],
        {},
        [null],
        [[[]]],
        [1, 'two', { three: 3 }],
        { a: { b: { c: {} } } },
      ]);
    case 7:
      return hugeString(random);
    case 8:
      return deeplyNested(random.pick([64, 1_000, 5_000]), random.chance(0.5));
    default:
      return random.pick([
        JSON.parse('{"__proto__": {"polluted": true}}'),
        { constructor: { prototype: { polluted: true } } },
        { toString: 'x', valueOf: 1, hasOwnProperty: null },
      ]);
  }
}

export function hugeString(random: Random): string {
  return random.pick(['x', 'é', '👋', '\u0000']).repeat(random.pick([1_001, 20_001, 200_001]));
}

/**
 * JSON written as text: nesting deep enough to matter would overflow JSON.stringify
 * in the test itself. `toJson` splices it into the body.
 */
export class JsonFragment {
  constructor(
    readonly text: string,
    readonly summary: string,
  ) {}
}

export function deeplyNested(depth: number, arrays: boolean): JsonFragment {
  const text = arrays
    ? '['.repeat(depth) + '"bottom"' + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '"bottom"' + '}'.repeat(depth);
  return new JsonFragment(text, `${arrays ? 'arrays' : 'objects'} nested ${depth} deep`);
}

/** JSON.stringify that writes JsonFragments as their text. */
export function toJson(value: unknown): string {
  const fragments: string[] = [];
  const text =
    JSON.stringify(value, (_key, item: unknown) => {
      if (!(item instanceof JsonFragment)) return item;
      fragments.push(item.text);
      return `\u0001fragment${fragments.length - 1}\u0001`;
    }) ?? 'null';
  return text.replace(
    /"\\u0001fragment(\d+)\\u0001"/g,
    (_, index: string) => fragments[Number(index)],
  );
}

/** Percent-encoding that also takes lone surrogates (as the UTF-8 of U+FFFD, as a browser would). */
export function encodeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')]
      .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
      .join('');
  }
}

/** Query and path text: nasty strings plus what only a URL can carry (raw, not re-encoded). */
export function nastyUrlText(random: Random): { raw: string } | { text: string } {
  if (random.chance(0.15))
    return {
      raw: random.pick([
        '%',
        '%%',
        '%E0%A4%A',
        '%ZZ',
        '%C0%AE%C0%AE',
        '..%2F..%2Fetc%2Fpasswd',
        '%2e%2e',
        'a%00b',
        '%F0%9F%91%8B',
        '%FF%FE',
      ]),
    };
  if (random.chance(0.1)) return { text: 'q'.repeat(random.pick([300, 4_000])) };
  if (random.chance(0.2)) return { text: String(random.pick(NASTY_NUMBERS)) };
  return { text: random.pick(NASTY_STRINGS) };
}
