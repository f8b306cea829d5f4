import { type Page, toPage } from '../common/pagination/page.js';
import type { ApiKeySortField, ListApiKeysQuery } from './dto/auth.dto.js';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { BadRequestError, NotFoundError } from '../common/errors/app-errors.js';
import { CredentialService } from './credential.service.js';
import type {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
} from './dto/auth.dto.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { toApiKeyResponse } from './mappers.js';
import type { Principal } from './principal.js';
import { displayPrefix, generateApiKey, sha256Hex } from './secrets.js';

const API_KEY_SORT_COLUMNS: Record<ApiKeySortField, keyof ApiKeyEntity> = {
  created_at: 'createdAt',
  name: 'name',
  role: 'role',
  last_used_at: 'lastUsedAt',
};

/** Checks that an agent exists before a key is bound to it (provided by the agents module). */
export abstract class AgentDirectory {
  abstract exists(agentId: string): Promise<boolean>;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly credentials: CredentialService,
    private readonly agents: AgentDirectory,
  ) {}

  async create(dto: CreateApiKeyDto, creator: Principal): Promise<CreatedApiKeyResponseDto> {
    if (dto.role !== 'agent' && dto.agent_id) {
      throw new BadRequestError('agent_id is only for keys with the agent role', [
        { field: 'agent_id', message: 'only allowed when role is agent' },
      ]);
    }
    if (dto.agent_id && !(await this.agents.exists(dto.agent_id))) {
      throw new BadRequestError(`Agent ${dto.agent_id} does not exist`, [
        { field: 'agent_id', message: 'unknown agent' },
      ]);
    }
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new BadRequestError('expires_at must be in the future', [
        { field: 'expires_at', message: 'must be in the future' },
      ]);
    }
    const key = generateApiKey();
    const entity = await this.keys.save(
      this.keys.create({
        name: dto.name,
        role: dto.role,
        agentId: dto.agent_id ?? null,
        keyHash: sha256Hex(key),
        prefix: displayPrefix(key),
        expiresAt,
        createdBy: creator.kind === 'anonymous' ? null : creator.id,
      }),
    );
    return { ...toApiKeyResponse(entity), key };
  }

  async list(query: ListApiKeysQuery): Promise<Page<ApiKeyResponseDto>> {
    const [keys, total] = await this.keys.findAndCount({
      where: { revokedAt: IsNull() },
      order: { [API_KEY_SORT_COLUMNS[query.sort_by]]: query.sort_order, id: 'ASC' },
      skip: query.skip,
      take: query.limit,
    });
    return toPage(keys.map(toApiKeyResponse), total, query);
  }

  /** Revokes at once on every instance; sockets holding the key are disconnected. */
  async revoke(id: string): Promise<void> {
    const result = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundError('API key', id);
    await this.credentials.broadcastInvalidation({ kind: 'api_key', id });
  }

  /** Revokes every key bound to an agent (when the agent is deleted). */
  async revokeForAgent(agentId: string): Promise<void> {
    const keys = await this.keys.find({
      where: { agentId, revokedAt: IsNull() },
      select: { id: true },
    });
    if (!keys.length) return;
    await this.keys.update({ agentId, revokedAt: IsNull() }, { revokedAt: new Date() });
    for (const key of keys)
      await this.credentials.broadcastInvalidation({ kind: 'api_key', id: key.id });
  }
}
