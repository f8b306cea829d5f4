import { type ConfigFormat, type ConfigIssue, parseConfigText } from './config-text.js';

/**
 * Agent configuration files (CONTRACT §3 Agents, "configuration/upload", and the
 * `agent_configs` file category) validated against the configuration schema, and
 * agent definitions (`.claude/agents`). Pure: no I/O.
 */

/** The configuration schema of an agent. */
export interface AgentConfiguration {
  model: string;
  tools: string[];
  capabilities: string[];
  max_tokens?: number;
  temperature?: number;
  /** Seconds. */
  timeout?: number;
  custom_instructions?: string;
  environment_vars?: Record<string, string>;
}

/** A whole agent described in a file: who it is, plus its configuration. */
export interface AgentDefinition extends AgentConfiguration {
  name: string;
  agent_type: string;
  description?: string;
  tags?: string[];
}

type Issues = ConfigIssue[];

/** A file with thousands of mistakes gets the first ones with lines, and a count of the rest. */
const MAX_REPORTED_ISSUES = 100;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(
  issues: Issues,
  object: Record<string, unknown>,
  field: string,
  required: boolean,
  max = 10_000,
): void {
  const value = object[field];
  if (value === undefined) {
    if (required) issues.push({ path: field, message: `${field} is required` });
  } else if (typeof value !== 'string' || !value.trim()) {
    issues.push({ path: field, message: `${field} must be a non-empty string` });
  } else if (value.length > max) {
    issues.push({ path: field, message: `${field} must be at most ${max} characters` });
  }
}

function checkStringList(issues: Issues, object: Record<string, unknown>, field: string): void {
  const value = object[field];
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.push({ path: field, message: `${field} must be a list of strings` });
    return;
  }
  if (value.length > 500)
    issues.push({ path: field, message: `${field} may hold at most 500 entries` });
  value.forEach((entry, index) => {
    if (typeof entry !== 'string' || !entry.trim() || entry.length > 200) {
      issues.push({
        path: `${field}.${index}`,
        message: `${field}[${index}] must be a non-empty string of at most 200 characters`,
      });
    }
  });
}

function checkNumber(
  issues: Issues,
  object: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  integer: boolean,
): void {
  const value = object[field];
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    issues.push({
      path: field,
      message: `${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    });
  }
}

const CONFIGURATION_FIELDS = [
  'model',
  'tools',
  'capabilities',
  'max_tokens',
  'temperature',
  'timeout',
  'custom_instructions',
  'environment_vars',
];
const DEFINITION_FIELDS = [...CONFIGURATION_FIELDS, 'name', 'agent_type', 'description', 'tags'];

function checkConfiguration(issues: Issues, value: Record<string, unknown>): void {
  checkString(issues, value, 'model', true, 200);
  checkStringList(issues, value, 'tools');
  checkStringList(issues, value, 'capabilities');
  checkNumber(issues, value, 'max_tokens', 1, 1_000_000, true);
  checkNumber(issues, value, 'temperature', 0, 2, false);
  checkNumber(issues, value, 'timeout', 1, 86_400, false);
  checkString(issues, value, 'custom_instructions', false, 100_000);
  const env = value.environment_vars;
  if (env !== undefined) {
    if (!isPlainObject(env)) {
      issues.push({
        path: 'environment_vars',
        message: 'environment_vars must be a map of strings to strings',
      });
    } else {
      for (const [key, entry] of Object.entries(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key)) {
          issues.push({
            path: `environment_vars.${key}`,
            message: `environment variable name "${key}" is not valid`,
          });
        } else if (typeof entry !== 'string') {
          issues.push({
            path: `environment_vars.${key}`,
            message: `environment_vars.${key} must be a string`,
          });
        }
      }
    }
  }
}

function unknownFields(issues: Issues, value: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.push({ path: key, message: `${key} is not an accepted field` });
  }
}

function finish<T>(
  value: unknown,
  issues: Issues,
  locate?: (path: string) => number | undefined,
): { ok: true; value: T } | { ok: false; errors: ConfigIssue[] } {
  if (!issues.length) return { ok: true, value: value as T };
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
    ...issue,
    ...(locate && issue.path ? { line: locate(issue.path) } : {}),
  }));
  if (issues.length > shown.length)
    shown.push({ message: `${issues.length - shown.length} more issues not shown` });
  return { ok: false, errors: shown };
}

/** Validates a parsed configuration against the schema; issues name the field and its line. */
export function validateAgentConfiguration(
  value: unknown,
  locate?: (path: string) => number | undefined,
) {
  const issues: Issues = [];
  if (!isPlainObject(value))
    return finish<AgentConfiguration>(value, [{ message: 'The configuration must be an object' }]);
  unknownFields(issues, value, CONFIGURATION_FIELDS);
  checkConfiguration(issues, value);
  return finish<AgentConfiguration>({ tools: [], capabilities: [], ...value }, issues, locate);
}

/** Validates a whole agent (name, type, configuration) as found in an `agent_configs` file. */
export function validateAgentDefinition(
  value: unknown,
  locate?: (path: string) => number | undefined,
) {
  const issues: Issues = [];
  if (!isPlainObject(value))
    return finish<AgentDefinition>(value, [{ message: 'The agent definition must be an object' }]);
  unknownFields(issues, value, DEFINITION_FIELDS);
  checkString(issues, value, 'name', true, 200);
  checkString(issues, value, 'agent_type', true, 100);
  checkString(issues, value, 'description', false, 10_000);
  checkStringList(issues, value, 'tags');
  checkConfiguration(issues, value);
  return finish<AgentDefinition>({ tools: [], capabilities: [], ...value }, issues, locate);
}

/** Parse + validate in one go, for uploads. */
export function readAgentConfiguration(text: string, format: ConfigFormat) {
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return parsed;
  return validateAgentConfiguration(parsed.value, parsed.locate);
}

export function readAgentDefinition(text: string, format: ConfigFormat) {
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return parsed;
  return validateAgentDefinition(parsed.value, parsed.locate);
}
