/**
 * Every entity class, listed explicitly (not globbed) so that the app, the migration
 * CLI and the tests load the same classes through the same module system. The list
 * belongs to the composition root: database/ knows no feature module.
 */
import { AgentLogEntity } from './agents/entities/agent-log.entity.js';
import { AgentStatusChangeEntity } from './agents/entities/agent-status-change.entity.js';
import { AgentEntity } from './agents/entities/agent.entity.js';
import { ApiKeyEntity } from './auth/entities/api-key.entity.js';
import { SettingEntity } from './auth/entities/setting.entity.js';
import { UserEntity } from './auth/entities/user.entity.js';
import { BackgroundTaskLogEntity } from './jobs/entities/background-task-log.entity.js';
import { BackgroundTaskEntity } from './jobs/entities/background-task.entity.js';
import { EventEntity } from './realtime/event.entity.js';
import { FileEntity } from './files/file.entity.js';
import { SubforgeAgentFileEntity } from './subforge/entities/subforge-agent-file.entity.js';
import { SubforgeRunEntity } from './subforge/entities/subforge-run.entity.js';
import { ApiMetricEntity } from './telemetry/entities/api-metric.entity.js';
import { SystemMetricsEntity } from './telemetry/entities/system-metrics.entity.js';
import { TaskDependencyEntity } from './tasks/entities/task-dependency.entity.js';
import { TaskEntity } from './tasks/entities/task.entity.js';
import { StepDispatchEntity } from './workflows/entities/step-dispatch.entity.js';
import { WorkflowRunStepEntity } from './workflows/entities/workflow-run-step.entity.js';
import { WorkflowRunEntity } from './workflows/entities/workflow-run.entity.js';
import { WorkflowEntity } from './workflows/entities/workflow.entity.js';

export const ENTITIES: (new () => object)[] = [
  UserEntity,
  ApiKeyEntity,
  SettingEntity,
  EventEntity,
  BackgroundTaskEntity,
  BackgroundTaskLogEntity,
  FileEntity,
  SystemMetricsEntity,
  ApiMetricEntity,
  AgentEntity,
  AgentStatusChangeEntity,
  AgentLogEntity,
  TaskEntity,
  TaskDependencyEntity,
  WorkflowEntity,
  WorkflowRunEntity,
  WorkflowRunStepEntity,
  StepDispatchEntity,
  SubforgeRunEntity,
  SubforgeAgentFileEntity,
];
