import { TooBusyError } from './errors/app-errors.js';
import { mapError } from './errors/error-mapper.js';

export const DUPLICATE_ITEM = 'Duplicate id in this request: applied once';

export interface BulkOutcome<T> {
  results: T[];
  successful: number;
  failed: number;
}

/**
 * The per-item loop of bulk operations: each id on its own (a refused item does not undo
 * the others), a repeated id reported and applied once. `refused` builds the answer of an
 * item that failed; `messageOf` says why, or throws to fail the whole request.
 */
export async function eachOnce<T>(
  ids: readonly string[],
  apply: (id: string) => Promise<T>,
  refused: (id: string, message: string) => T,
  messageOf: (error: unknown) => string,
  duplicate = DUPLICATE_ITEM,
): Promise<BulkOutcome<T>> {
  const seen = new Set<string>();
  const results: T[] = [];
  let successful = 0;
  for (const id of ids) {
    if (seen.has(id)) {
      results.push(refused(id, duplicate));
      continue;
    }
    seen.add(id);
    try {
      results.push(await apply(id));
      successful++;
    } catch (error) {
      results.push(refused(id, messageOf(error)));
    }
  }
  return { results, successful, failed: results.length - successful };
}

/**
 * Why an item failed, as its answer says it: `notFound` for a 404, the error's message
 * for a refusal or a busy moment (not applied; the client may retry it). Anything else
 * is thrown: the request fails as a whole.
 */
export function refusalOf(notFound: string): (error: unknown) => string {
  return (error) => {
    const { status, body } = mapError(error);
    if (status >= 500 && !(error instanceof TooBusyError)) throw error;
    return status === 404 ? notFound : body.message;
  };
}
