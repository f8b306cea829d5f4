import { BadRequestError, TooBusyError } from './errors/app-errors.js';
import { mapError } from './errors/error-mapper.js';
import { validateNested } from './validation/validation-pipe.js';

export const DUPLICATE_ITEM = 'Duplicate id in this request: applied once';

/** The counts and items every bulk answer (tasks, agents, jobs) carries, in this order. */
export interface BulkOutcome<T> {
  successful: number;
  failed: number;
  results: T[];
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
  return { successful, failed: results.length - successful, results };
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

/**
 * The `parameters` of a bulk operation, validated like a body of `type` once, before any
 * item is touched.
 */
export function bulkParameters<T extends object>(type: new () => T, value: unknown): Promise<T> {
  return validateNested(type, value, 'parameters', () => 'Invalid parameters');
}

/** A bulk `update`'s parameters: valid as an update body, and naming at least one field. */
export async function bulkUpdate<T extends object>(type: new () => T, value: unknown): Promise<T> {
  const update = await bulkParameters(type, value);
  if (!Object.values(update).some((field) => field !== undefined))
    throw new BadRequestError('update needs at least one field in parameters', [
      { field: 'parameters', message: 'must name at least one field to change' },
    ]);
  return update;
}
