import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM config module without types
import { boundaryConfigs } from '../eslint.boundaries.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Lints `code` as if it were the file `path` (under src/), with the boundary rules only. */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...(boundaryConfigs() as ESLint.Options['overrideConfig'][]),
    ] as ESLint.Options['overrideConfig'],
  });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

// Linting and scanning every file take seconds on a busy machine.
describe('module boundaries (eslint.boundaries.mjs)', { timeout: 30_000 }, () => {
  it("refuses another module's entity, repository or private helper", async () => {
    const errors = await boundaryErrors(
      'src/dashboard/fixture.ts',
      [
        "import { TaskEntity } from '../tasks/entities/task.entity.js';",
        "import { TasksRepository } from '../tasks/tasks.repository.js';",
        "import { toTaskResponse } from '../tasks/task.mapper.js';",
        'export const used = [TaskEntity, TasksRepository, toTaskResponse];',
      ].join('\n'),
    );
    expect(errors).toHaveLength(3);
    for (const error of errors)
      expect(error).toMatch(/^no-restricted-imports: .*dashboard\/ may use tasks\/ only through/);
  });

  it('refuses it from a nested file too', async () => {
    const errors = await boundaryErrors(
      'src/analytics/dto/fixture.dto.ts',
      "import { AgentsRepository } from '../../agents/agents.repository.js';\nexport { AgentsRepository };",
    );
    expect(errors).toHaveLength(1);
  });

  it("accepts a module's public files and the toolkit", async () => {
    const errors = await boundaryErrors(
      'src/dashboard/fixture.ts',
      [
        "import { TasksModule } from '../tasks/tasks.module.js';",
        "import { TasksService } from '../tasks/tasks.service.js';",
        "import { ListTasksQuery } from '../tasks/dto/task.dto.js';",
        "import { likePattern } from '../database/sql.js';",
        "import { sleep } from '../common/async.js';",
        "import { DashboardQuery } from './dashboard.query.js';",
        'export const used = [TasksModule, TasksService, ListTasksQuery, likePattern, sleep, DashboardQuery];',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  });

  it('lets an entity name another module’s entity (a relation), nothing else', async () => {
    const errors = await boundaryErrors(
      'src/subforge/entities/fixture.entity.ts',
      [
        "import { AgentEntity } from '../../agents/entities/agent.entity.js';",
        "import { AgentsRepository } from '../../agents/agents.repository.js';",
        'export const used = [AgentEntity, AgentsRepository];',
      ].join('\n'),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('subforge/ may use agents/');
  });

  it('keeps the toolkit free of feature modules', async () => {
    const errors = await boundaryErrors(
      'src/common/fixture.ts',
      "import { TasksService } from '../tasks/tasks.service.js';\nexport { TasksService };",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/import no feature module/);
  });
});

/** Every relative import (static, dynamic, `import type`, `export … from`) of a file. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      found.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith('.'));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a path belongs to; undefined for files at src/ itself. */
function folderOf(path: string): string | undefined {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 && parts[0] !== '..' ? parts[0] : undefined;
}

/** Strongly connected groups of more than one folder (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indices = new Map<string, number>();
  const lowest = new Map<string, number>();
  const groups: string[][] = [];
  const connect = (node: string): void => {
    indices.set(node, index);
    lowest.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        lowest.set(node, Math.min(lowest.get(node)!, lowest.get(next)!));
      } else if (onStack.has(next))
        lowest.set(node, Math.min(lowest.get(node)!, indices.get(next)!));
    }
    if (lowest.get(node) === indices.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return groups;
}

describe('folders of src/', () => {
  it('import one another without a cycle (type-only imports count)', { timeout: 30_000 }, () => {
    const graph = new Map<string, Set<string>>();
    const examples = new Map<string, string>();
    for (const file of sourceFiles(SRC)) {
      const from = folderOf(file);
      if (!from) continue;
      for (const specifier of specifiers(file)) {
        const to = folderOf(resolve(dirname(file), specifier));
        if (!to || to === from) continue;
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from)!.add(to);
        examples.set(`${from} -> ${to}`, `${relative(SRC, file)} imports ${specifier}`);
      }
    }
    const found = cycles(graph).map((group) => {
      const edges = [...examples].filter(([edge]) => {
        const [a, b] = edge.split(' -> ');
        return group.includes(a) && group.includes(b);
      });
      return `${group.join(' <-> ')}: ${edges.map(([, example]) => example).join('; ')}`;
    });
    expect(found).toEqual([]);
  });
});
