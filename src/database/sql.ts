/* SQL fragments more than one module writes into its queries. */

/** Escapes LIKE wildcards so that search text is matched literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * The status a workflow shows (alias `workflow`): its unfinished runs' state first, else
 * the stored one. The workflows list sorts by it and the workload figures count by it.
 */
export const DERIVED_WORKFLOW_STATUS = `COALESCE((
  SELECT CASE WHEN bool_or(r.status = 'running') THEN 'running'
              WHEN bool_or(r.status = 'paused') THEN 'paused'
              ELSE 'scheduled' END
    FROM workflow_runs r
   WHERE r.workflow_id = workflow.id AND r.status IN ('running', 'paused', 'scheduled')), workflow.status)`;

/** Whether a statement failed on the foreign key `constraint` (a referenced row is missing). */
export function violatesForeignKey(error: unknown, constraint: string): boolean {
  const failure = error as { code?: unknown; constraint?: unknown } | null;
  return failure?.code === '23503' && failure.constraint === constraint;
}
