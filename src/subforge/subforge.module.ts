import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { SubforgeController } from './subforge.controller.js';
import { SubforgeImporter } from './subforge-importer.service.js';
import { SubforgeMonitor } from './subforge-monitor.service.js';
import { ApiRunsQueries } from './api-runs.queries.js';
import { SubforgeQueries } from './subforge.queries.js';
import { WorkflowWindow } from './workflow-window.service.js';

/** SubForge projects: their `.subforge/` runs and `.claude/agents/` imported and served. */
@Module({
  imports: [AgentsModule, WorkflowsModule],
  controllers: [SubforgeController],
  providers: [SubforgeImporter, SubforgeMonitor, SubforgeQueries, ApiRunsQueries, WorkflowWindow],
  exports: [SubforgeMonitor],
})
export class SubforgeModule {}
