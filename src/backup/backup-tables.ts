/**
 * What a backup carries: the product's data. Left out on purpose: API keys and
 * settings (secrets: the JWT secret lives in settings), job records, events and the
 * telemetry tables (system_metrics, api_metrics, agent_logs), which are
 * operational, regenerated, and purged by retention anyway.
 *
 * The order here does not matter: export and restore order tables by their
 * foreign keys, read from the database. A module adds its tables with one line each.
 */
export interface BackupTable {
  name: string;
  /**
   * A column that moves whenever a row changes (`updated_at`), or, for rows that
   * never change after insertion, the time they were written. An incremental
   * backup exports the rows where it is at or after the previous backup's
   * watermark. Null: the table has no such column and incrementals carry it whole.
   */
  changedAt: string | null;
  /** Columns never exported (secrets). */
  omit?: readonly string[];
  /** Values a restore writes instead of the backup's (or in place of omitted columns). */
  restoreAs?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Never a valid password hash (`verifyPassword` accepts only `scrypt$...`): a
 * restored account cannot sign in until an admin sets a new password.
 */
export const RESET_REQUIRED_PASSWORD_HASH = '!reset-required';

export const BACKUP_TABLES: readonly BackupTable[] = [
  // Accounts come back inactive with no usable password: an admin reactivates them
  // with a new password (PATCH /api/v2/users/{id} {password, is_active: true}).
  {
    name: 'users',
    changedAt: 'updated_at',
    omit: ['password_hash'],
    restoreAs: { password_hash: RESET_REQUIRED_PASSWORD_HASH, is_active: false },
  },
  { name: 'agents', changedAt: 'updated_at' },
  // Append-only: a row's time of writing is its only change.
  { name: 'agent_status_history', changedAt: 'changed_at' },
  { name: 'tasks', changedAt: 'updated_at' },
  { name: 'task_dependencies', changedAt: null },
  // Metadata only (the bytes stay in the file store); rows change (tags, validation) without a timestamp.
  { name: 'files', changedAt: null },
  { name: 'workflows', changedAt: 'updated_at' },
  { name: 'workflow_runs', changedAt: 'updated_at' },
  // A run's steps are written with the run and change with its tasks (no timestamp of their own).
  { name: 'workflow_run_steps', changedAt: null },
  // The dispatch log: append-only, dated by the dispatch.
  { name: 'workflow_step_dispatches', changedAt: 'dispatched_at' },
];

export function backupTable(name: string): BackupTable | undefined {
  return BACKUP_TABLES.find((table) => table.name === name);
}
