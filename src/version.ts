import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package version, read from the nearest package.json (works from src/ and dist/src/). */
export function packageVersion(): string {
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate))
      return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return '0.0.0';
}
