import { validateAgentConfiguration, validateAgentDefinition } from './agent-configuration.js';
import { type ConfigFormat, type ConfigIssue, parseConfigText } from './config-text.js';

/**
 * What to check a text against: its syntax only (no value returned), any content
 * (the value returned), a configuration, or a whole agent.
 */
export type ConfigSchema = 'syntax' | 'any' | 'configuration' | 'definition';

export interface ConfigCheckTask {
  text: string;
  format: ConfigFormat;
  schema: ConfigSchema;
}

/** Plain data, so that it crosses from a worker thread. */
export interface ConfigCheckResult {
  /** Whether the text parsed (schema errors come with a value, syntax errors without). */
  parsed: boolean;
  value?: unknown;
  errors: ConfigIssue[];
}

/** Parses and validates a configuration text, with lines on every issue. Pure and synchronous. */
export function checkConfigText({ text, format, schema }: ConfigCheckTask): ConfigCheckResult {
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return { parsed: false, errors: parsed.errors };
  if (schema === 'syntax') return { parsed: true, errors: [] };
  if (schema === 'any') return { parsed: true, value: parsed.value, errors: [] };
  const validate =
    schema === 'configuration' ? validateAgentConfiguration : validateAgentDefinition;
  const checked = validate(parsed.value, parsed.locate);
  if (checked.ok) return { parsed: true, value: checked.value, errors: [] };
  // A refused upload needs only the issues; a file's validation shows what it holds.
  return schema === 'definition'
    ? { parsed: true, value: parsed.value, errors: checked.errors }
    : { parsed: true, errors: checked.errors };
}
