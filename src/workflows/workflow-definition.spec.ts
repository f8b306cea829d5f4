import { describe, expect, it } from 'vitest';
import {
  checkDefinition,
  topologicalOrder,
  withStepDefaults,
  type WorkflowStep,
} from './workflow-definition.js';

const step = (
  key: string,
  dependsOn: string[] = [],
  extra: Partial<WorkflowStep> = {},
): WorkflowStep =>
  withStepDefaults({
    key,
    name: key,
    task_template: { title: key },
    depends_on: dependsOn,
    ...extra,
  });

describe('workflow definitions', () => {
  it('accepts a DAG and orders it dependencies first, stably', () => {
    const steps = [step('d', ['b', 'c']), step('a'), step('c', ['a']), step('b', ['a'])];
    const check = checkDefinition(steps);
    expect(check.errors).toEqual([]);
    expect([...check.order.entries()].sort((x, y) => x[1] - y[1]).map(([key]) => key)).toEqual([
      'a',
      'c',
      'b',
      'd',
    ]);
  });

  it('names duplicate keys, unknown and self dependencies by their path', () => {
    const { errors } = checkDefinition([step('a'), step('a'), step('b', ['zz', 'b', 'a', 'a'])]);
    expect(errors).toEqual([
      { field: 'steps.1.key', message: 'duplicates the key of steps.0' },
      { field: 'steps.2.depends_on.0', message: 'names no step of this workflow ("zz")' },
      { field: 'steps.2.depends_on.1', message: 'a step cannot depend on itself' },
      { field: 'steps.2.depends_on.3', message: 'repeats "a"' },
    ]);
  });

  it('refuses a cycle, naming it', () => {
    const { errors } = checkDefinition([
      step('a', ['c']),
      step('b', ['a']),
      step('c', ['b']),
      step('d'),
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toMatch(/^steps\.\d\.depends_on$/);
    expect(errors[0].message).toMatch(
      /cycle: (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c)/,
    );
  });

  it('refuses a named agent together with a type or capabilities', () => {
    const { errors } = checkDefinition([
      step('a', [], { agent_id: '00000000-0000-4000-8000-000000000000', agent_type: 'coder' }),
    ]);
    expect(errors).toEqual([
      {
        field: 'steps.0.agent_id',
        message: 'give either agent_id or agent_type/required_capabilities, not both',
      },
    ]);
  });

  it('fills the contract defaults', () => {
    expect(withStepDefaults({ key: 'k', name: 'n', task_template: { title: 't' } })).toMatchObject({
      depends_on: [],
      timeout_seconds: 300,
      max_retries: 3,
      required_capabilities: [],
      agent_id: null,
    });
  });

  it('orders a long chain without recursion', () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => step(`s${i}`, i ? [`s${i - 1}`] : []));
    expect(topologicalOrder(chain).get('s4999')).toBe(4999);
  });
});
