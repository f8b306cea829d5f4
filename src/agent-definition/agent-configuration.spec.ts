import { describe, expect, it } from 'vitest';
import { readAgentConfiguration, readAgentDefinition } from './agent-configuration.js';
import { formatOf } from './config-text.js';

describe('agent configuration files', () => {
  it('accepts a valid YAML configuration and fills defaults', () => {
    const result = readAgentConfiguration(
      'model: claude-sonnet\ntools: [read, write]\ntemperature: 0.2\n',
      'yaml',
    );
    expect(result).toEqual({
      ok: true,
      value: {
        model: 'claude-sonnet',
        tools: ['read', 'write'],
        capabilities: [],
        temperature: 0.2,
      },
    });
  });

  it('reports schema errors with the field and its line', () => {
    const text = '{\n  "model": "m",\n  "temperature": 5,\n  "max_tokens": 0,\n  "bogus": true\n}';
    const result = readAgentConfiguration(text, 'json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'temperature', line: 3 }),
        expect.objectContaining({ path: 'max_tokens', line: 4 }),
        expect.objectContaining({ path: 'bogus', line: 5 }),
      ]),
    );
  });

  it('reports syntax errors with their line, for JSON and YAML', () => {
    const json = readAgentConfiguration('{\n  "model": "m",\n  "tools": [\n}', 'json');
    expect(json).toMatchObject({ ok: false, errors: [{ line: 4 }] });
    const yaml = readAgentConfiguration('model: m\ntools:\n  - a\n - b\n', 'yaml');
    expect(yaml.ok).toBe(false);
    if (!yaml.ok) expect(yaml.errors[0].line).toBeGreaterThanOrEqual(3);
  });

  it('locates list entries and nested maps', () => {
    const result = readAgentConfiguration(
      'model: m\ntools:\n  - ok\n  - 7\nenvironment_vars:\n  GOOD: "1"\n  BAD: 2\n',
      'yaml',
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { path: 'tools.1', line: 4 },
        { path: 'environment_vars.BAD', line: 7 },
      ],
    });
  });

  it('requires name and agent_type in agent definitions', () => {
    const result = readAgentDefinition('{"model": "m"}', 'json');
    expect(result).toMatchObject({ ok: false });
    if (!result.ok)
      expect(result.errors.map((error) => error.path)).toEqual(['name', 'agent_type']);
    expect(readAgentDefinition('name: a\nagent_type: coder\nmodel: m\n', 'yaml').ok).toBe(true);
  });

  it('knows formats by extension', () => {
    expect(formatOf('a.JSON')).toBe('json');
    expect(formatOf('b.yml')).toBe('yaml');
    expect(formatOf('c.txt')).toBeUndefined();
  });
});
