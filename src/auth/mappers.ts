import { iso } from '../common/time.js';
import type { ApiKeyResponseDto, UserResponseDto } from './dto/auth.dto.js';
import type { ApiKeyEntity } from './entities/api-key.entity.js';
import type { UserEntity } from './entities/user.entity.js';

export function toUserResponse(user: UserEntity): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    is_active: user.isActive,
    last_login_at: iso(user.lastLoginAt),
    created_at: iso(user.createdAt)!,
    updated_at: iso(user.updatedAt)!,
  };
}

export function toApiKeyResponse(key: ApiKeyEntity): ApiKeyResponseDto {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    agent_id: key.agentId,
    prefix: key.prefix,
    created_by: key.createdBy,
    created_at: iso(key.createdAt)!,
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
  };
}
