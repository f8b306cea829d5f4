/**
 * The original backend's job names (CONTRACT §3, background tasks), accepted on submit with
 * our `parameters`; the job is stored and returned under our name.
 */
export const ORIGINAL_JOB_NAMES: Readonly<Record<string, string>> = Object.freeze({
  process_agent_configuration: 'agents.process_configuration',
  analyze_system_metrics: 'system.analyze_metrics',
  backup_agent_data: 'system.backup',
  process_uploaded_agent_configs: 'files.process_agent_configs',
});

/** Our name for a job name (itself when it is no alias). */
export function canonicalJobName(name: string): string {
  return Object.hasOwn(ORIGINAL_JOB_NAMES, name) ? ORIGINAL_JOB_NAMES[name] : name;
}

/** The original names of one of our job types. */
export function aliasesOf(name: string): string[] {
  return Object.entries(ORIGINAL_JOB_NAMES)
    .filter(([, ours]) => ours === name)
    .map(([alias]) => alias);
}
