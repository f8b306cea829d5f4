import type { Principal } from '../auth/principal.js';

/** What `configuration.environment_vars` values read as (CONTRACT §3). */
export const MASKED = '***';

type Configuration = Record<string, unknown>;

function envOf(configuration: Configuration | null | undefined): Record<string, unknown> | null {
  const env = configuration?.environment_vars;
  return typeof env === 'object' && env !== null && !Array.isArray(env)
    ? (env as Record<string, unknown>)
    : null;
}

/** The configuration with every environment variable's value replaced by `***`. */
export function maskSecrets<T extends Configuration | null | undefined>(configuration: T): T {
  const env = envOf(configuration);
  if (!env) return configuration;
  const masked = Object.fromEntries(Object.keys(env).map((name) => [name, MASKED]));
  return { ...configuration, environment_vars: masked };
}

/** A written configuration where `***` means "keep the stored value" (dropped when none is stored). */
export function keepMaskedSecrets<T extends Configuration | null | undefined>(
  incoming: T,
  stored: Configuration | null | undefined,
): T {
  const env = envOf(incoming);
  if (!env) return incoming;
  const previous = envOf(stored) ?? {};
  const merged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== MASKED) merged[name] = value;
    else if (name in previous) merged[name] = previous[name];
  }
  return { ...incoming, environment_vars: merged };
}

/** Admins and the agent's own keys read its environment variables; everyone else sees `***`. */
export function readsSecretsOf(principal: Principal, agentId: string): boolean {
  return (
    principal.role === 'admin' || (principal.role === 'agent' && principal.agentId === agentId)
  );
}
