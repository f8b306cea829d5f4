import { describe, expect, it } from 'vitest';
import { rankAgents, routingKey, serves } from './dispatch-selection.js';

const agent = (id: string, running: number, capacity = 1, idleSince = 0) => ({
  id,
  running,
  capacity,
  lastActivity: new Date(idleSince),
});

describe('dispatch selection', () => {
  it('ranks agents with room, least busy first', () => {
    const ranked = rankAgents([
      agent('full', 1, 1),
      agent('half', 1, 2),
      agent('idle-recent', 0, 1, 2_000),
      agent('idle-long', 0, 1, 1_000),
      agent('quarter', 1, 4),
    ]);
    expect(ranked.map((a) => a.id)).toEqual(['idle-long', 'idle-recent', 'quarter', 'half']);
  });

  it('breaks ties by id so that the order is stable', () => {
    expect(rankAgents([agent('b', 0), agent('a', 0)]).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('matches a named agent, or the type and every capability', () => {
    const coder = { id: 'x', agentType: 'coder', capabilities: ['ts', 'tests'] };
    expect(serves(coder, { agentId: 'x', agentType: null, requiredCapabilities: [] })).toBe(true);
    expect(serves(coder, { agentId: 'y', agentType: null, requiredCapabilities: [] })).toBe(false);
    expect(serves(coder, { agentId: null, agentType: 'coder', requiredCapabilities: ['ts'] })).toBe(
      true,
    );
    expect(serves(coder, { agentId: null, agentType: 'coder', requiredCapabilities: ['go'] })).toBe(
      false,
    );
    expect(serves(coder, { agentId: null, agentType: 'writer', requiredCapabilities: [] })).toBe(
      false,
    );
    expect(serves(coder, { agentId: null, agentType: null, requiredCapabilities: [] })).toBe(true);
  });

  it('gives steps with the same routing one key, whatever the order of capabilities', () => {
    expect(routingKey({ agentId: null, agentType: 'c', requiredCapabilities: ['b', 'a'] })).toBe(
      routingKey({ agentId: null, agentType: 'c', requiredCapabilities: ['a', 'b'] }),
    );
    expect(routingKey({ agentId: 'x', agentType: null, requiredCapabilities: [] })).toBe('id:x');
  });
});
