import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentDirectory } from './api-keys.service.js';

/** Looks agents up by id without depending on the agents module (which depends on auth). */
@Injectable()
export class SqlAgentDirectory extends AgentDirectory {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async exists(agentId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM agents WHERE id = $1', [
      agentId,
    ]);
    return rows.length > 0;
  }
}
