import { iso } from '../common/time.js';
import type { JobResponseDto } from './dto/jobs.dto.js';
import type { BackgroundTaskEntity } from './entities/background-task.entity.js';

export function toJobResponse(record: BackgroundTaskEntity): JobResponseDto {
  return {
    id: record.id,
    task_name: record.taskName,
    status: record.status,
    priority: record.priority,
    progress: Math.round(record.progress * 100) / 100,
    progress_message: record.progressMessage,
    parameters: record.parameters,
    result: record.result ?? null,
    error: record.error,
    attempts: record.attempts,
    max_retries: record.maxRetries,
    queue: record.queue,
    internal: record.internal,
    created_by: record.createdBy,
    created_at: iso(record.createdAt)!,
    started_at: iso(record.startedAt),
    completed_at: iso(record.completedAt),
    duration_ms:
      record.startedAt && record.completedAt
        ? record.completedAt.getTime() - record.startedAt.getTime()
        : null,
    metadata: record.metadata,
  };
}
