import { describe, expect, it } from 'vitest';
import { currentPhase, deriveStatus, readContext } from './context.js';
import { readAgentFile } from './agent-file.js';

describe('readContext', () => {
  it('fills defaults and derives status, counts and progress', () => {
    const context = readContext(
      {
        project_id: 'p1',
        user_request: 'Build it',
        created_at: '2026-11-20T10:00:00',
        phase_results: {
          analysis: { status: 'completed', duration: 12.5 },
          generation: {
            status: 'in_progress',
            outputs: { tasks: [{ id: 't1', title: 'Scaffold' }, { title: 'No id' }] },
          },
          validation: { status: 'pending' },
          bogus: 'not an object',
        },
        deployed_agents: [{ name: 'backend-developer', tools: ['Read', 7] }, { role: 'nameless' }],
        tasks: [{ id: 't1', title: 'Scaffold (top level wins)' }],
        agent_activities: [
          {
            agent_name: 'backend-developer',
            activity_type: 'task_started',
            timestamp: '2026-11-20T10:05:00Z',
          },
        ],
      },
      'subforge_demo',
    );
    expect(context).toMatchObject({
      project_id: 'p1',
      status: 'active',
      created_at: '2026-11-20T10:00:00.000Z',
      total_phases: 3,
      completed_phases: 1,
      failed_phases: 0,
      progress_percentage: 33.33,
    });
    expect(context.tasks.map((t) => t.title)).toEqual(['Scaffold (top level wins)', 'No id']);
    expect(context.tasks[1]).toMatchObject({ id: 'generation-2', phase: 'generation' });
    expect(context.deployed_agents).toHaveLength(1);
    expect(context.deployed_agents[0].tools).toEqual(['Read']);
    expect(context.agent_activities[0]).toMatchObject({
      workflow_id: 'subforge_demo',
      status: 'active',
    });
    expect(currentPhase(context)).toBe('generation');
  });

  it('follows the original status rule when the file has none, and keeps a given one', () => {
    const phase = (status: string) => ({ phase: 'x', status }) as never;
    expect(deriveStatus([phase('completed'), phase('failed')])).toBe('failed');
    expect(deriveStatus([phase('completed'), phase('in_progress')])).toBe('active');
    expect(deriveStatus([phase('completed'), phase('skipped')])).toBe('completed');
    expect(deriveStatus([])).toBe('active');
    expect(
      readContext({ status: 'paused', phase_results: { a: { status: 'failed' } } }, 'subforge_x')
        .status,
    ).toBe('paused');
    expect(readContext(null, 'subforge_empty')).toMatchObject({
      project_id: 'subforge_empty',
      status: 'active',
      tasks: [],
    });
  });
});

describe('readAgentFile', () => {
  it('reads front matter and body', () => {
    const result = readAgentFile(
      '---\nname: backend-developer\ndescription: Builds APIs\ntools: Read, Write, Bash\nmodel: sonnet\n---\nYou build APIs.\n',
      'file',
    );
    expect(result).toEqual({
      ok: true,
      definition: {
        name: 'backend-developer',
        agent_type: 'claude-subagent',
        description: 'Builds APIs',
        model: 'sonnet',
        tools: ['Read', 'Write', 'Bash'],
        capabilities: [],
        custom_instructions: 'You build APIs.',
      },
    });
  });

  it('names the agent after its file when the front matter does not, and refuses files without one', () => {
    expect(readAgentFile('---\ntools: [Read]\n---\n', 'tester')).toMatchObject({
      ok: true,
      definition: { name: 'tester', tools: ['Read'], model: 'inherit' },
    });
    expect(readAgentFile('just text', 'x')).toMatchObject({ ok: false });
    expect(readAgentFile('---\nname: [unclosed\n---\n', 'x')).toMatchObject({ ok: false });
  });
});
