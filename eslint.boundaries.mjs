/**
 * Module boundaries (ARCHITECTURE.md, "Dependency rules"). A file of one module may import
 * another module only through that module's public files, named here; everything else in
 * a module (entities, repositories and queries, mappers, private helpers) is its own.
 * The toolkit folders import no feature module. Relative specifiers are matched: a
 * specifier that climbs out of the importer's module into `src/<other>/`.
 */

/** Folders every module may use in full, and which themselves import no feature module. */
export const TOOLKIT = ['common', 'config', 'database', 'redis', 'infra', 'metrics'];

/** Each feature module's public files (paths inside the module, without `.ts`). */
export const PUBLIC = {
  auth: [
    'auth.module',
    'auth.decorator',
    'endpoint.decorator',
    'principal',
    'roles',
    'secrets',
    'credential.service',
    'api-keys.service',
    'guards/authentication.guard',
  ],
  'agent-definition': ['agent-configuration', 'config-text', 'agent-secrets', 'config-check-pool'],
  realtime: [
    'realtime.module',
    'domain-events',
    'event-bus.service',
    'event-store.service',
    'event-stream.service',
    'event-envelope',
    'event-routing',
    'rooms',
    'socket-hub.service',
    'socket-stats.service',
    'socket-auth',
    'connection-limits',
    'ws-ack',
    'feed-client',
    'delivery/delivery-core.service',
    'plain-ws/plain-ws.server',
    'plain-ws/client-frame',
    'plain-ws/frames',
    'dto/[^/]+\\.dto',
  ],
  jobs: [
    'jobs.module',
    'jobs.service',
    'job-catalog.service',
    'job-queues.service',
    'queue-inspector.service',
    'retention.service',
    'queues',
    'dto/[^/]+\\.dto',
  ],
  files: [
    'files.module',
    'files.service',
    'file-validation.service',
    'storage/file-store',
    'storage/s3-client',
    'dto/[^/]+\\.dto',
  ],
  agents: [
    'agents.module',
    'agents.service',
    'agent-status',
    'agent-logs.service',
    'agent-import.service',
    'agents-v1.service',
    'agent-views.service',
    'dto/[^/]+\\.dto',
  ],
  tasks: [
    'tasks.module',
    'tasks.service',
    'tasks-v1.service',
    'task-commands.service',
    'task-state',
    'task-graph',
    'dto/[^/]+\\.dto',
  ],
  workflows: [
    'workflows.module',
    'run-state',
    'run-engine',
    'run-store',
    'run-views.service',
    'workflow-definition',
    'retry-policy',
    'waiting-reason',
    'run-import.service',
    'dto/[^/]+\\.dto',
  ],
  orchestration: ['orchestration.module'],
  health: ['health.module', 'system-health.service', 'health-responses.dto'],
  telemetry: [
    'telemetry.module',
    'api-metrics/api-metrics.service',
    'measure/live-metrics.service',
    'snapshots/system-metrics.service',
    'workload/workload.service',
    'workload/workload',
    'dto/[^/]+\\.dto',
  ],
  analytics: ['analytics.module', 'analytics.service', 'dto/[^/]+\\.dto'],
  backup: ['backup.module'],
  dashboard: ['dashboard.module', 'dashboard-feed'],
  system: ['system.module'],
  subforge: ['subforge.module'],
  docs: ['socket-docs', 'asyncapi'],
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FEATURES = Object.keys(PUBLIC);

function restriction(importer, module, extra = []) {
  const allowed = [...PUBLIC[module], ...extra].map((file) =>
    file.includes('[') ? file : escape(file),
  );
  return {
    regex: `^(\\.\\./)+${escape(module)}/(?!(?:${allowed.join('|')})\\.js$)`,
    message:
      `${importer}/ may use ${module}/ only through its public files ` +
      `(${PUBLIC[module].join(', ')}): see ARCHITECTURE.md, "Dependency rules".`,
  };
}

/** Flat-config blocks: one per feature module (its entities may name others' entities). */
export function boundaryConfigs() {
  const blocks = [];
  for (const importer of FEATURES) {
    const others = FEATURES.filter((module) => module !== importer);
    const patterns = (entities) =>
      others.map((module) =>
        restriction(
          importer,
          module,
          entities ? ['(?:[^/]+/)*entities/[^/]+\\.entity', '[^/]+\\.entity'] : [],
        ),
      );
    blocks.push({
      files: [`src/${importer}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: patterns(false) }] },
    });
    // TypeORM relations need the other entity's class.
    blocks.push({
      files: [`src/${importer}/**/entities/**/*.ts`, `src/${importer}/**/*.entity.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: patterns(true) }] },
    });
  }
  blocks.push({
    files: TOOLKIT.map((folder) => `src/${folder}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(?:${FEATURES.map(escape).join('|')})/`,
              message: `${TOOLKIT.join(', ')} import no feature module: see ARCHITECTURE.md.`,
            },
          ],
        },
      ],
    },
  });
  return blocks;
}
