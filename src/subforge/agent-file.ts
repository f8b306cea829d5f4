import { parseDocument } from 'yaml';
import type { AgentDefinition } from '../agent-definition/agent-configuration.js';

/** The agent type given to agents described in `.claude/agents/*.md`. */
export const SUBFORGE_AGENT_TYPE = 'claude-subagent';

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

export type AgentFileResult =
  { ok: true; definition: AgentDefinition } | { ok: false; error: string };

/**
 * A Claude Code agent file: YAML front matter (`name`, `description`, `tools` as a
 * comma list or a list, `model`) and a body of instructions. Pure.
 */
export function readAgentFile(text: string, fallbackName: string): AgentFileResult {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { ok: false, error: 'no front matter (--- ... ---) at the top of the file' };
  const document = parseDocument(match[1]);
  if (document.errors.length)
    return { ok: false, error: `front matter: ${document.errors[0].message.split('\n')[0]}` };
  const front = document.toJS() as Record<string, unknown> | null;
  if (!front || typeof front !== 'object') return { ok: false, error: 'front matter is not a map' };
  const name =
    typeof front.name === 'string' && front.name.trim() ? front.name.trim() : fallbackName;
  const tools = Array.isArray(front.tools)
    ? front.tools.filter((tool): tool is string => typeof tool === 'string')
    : typeof front.tools === 'string'
      ? front.tools
          .split(',')
          .map((tool) => tool.trim())
          .filter(Boolean)
      : [];
  const body = match[2].trim();
  return {
    ok: true,
    definition: {
      name: name.slice(0, 200),
      agent_type: SUBFORGE_AGENT_TYPE,
      ...(typeof front.description === 'string'
        ? { description: front.description.trim().slice(0, 10_000) }
        : {}),
      model: typeof front.model === 'string' && front.model.trim() ? front.model.trim() : 'inherit',
      tools,
      capabilities: [],
      ...(body ? { custom_instructions: body.slice(0, 100_000) } : {}),
    },
  };
}
