import { type Page, toPage } from '../common/pagination/page.js';
import type { ListUsersQuery, UserSortField } from './dto/auth.dto.js';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { CacheVersions } from '../common/cache/cache-versions.service.js';
import { ConflictError, NotFoundError } from '../common/errors/app-errors.js';
import { CredentialService } from './credential.service.js';
import type { CreateUserDto, UpdateUserDto, UserResponseDto } from './dto/auth.dto.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { toUserResponse } from './mappers.js';
import { hashPassword } from './secrets.js';

const USER_SORT_COLUMNS: Record<UserSortField, keyof UserEntity> = {
  created_at: 'createdAt',
  email: 'email',
  display_name: 'displayName',
  role: 'role',
};

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialService,
    private readonly cache: CacheVersions,
  ) {}

  async create(dto: CreateUserDto): Promise<UserResponseDto> {
    const email = dto.email.trim().toLowerCase();
    if (await this.users.exists({ where: { email } }))
      throw new ConflictError(`A user with email ${email} already exists`);
    const user = await this.users.save(
      this.users.create({
        email,
        displayName: dto.display_name,
        role: dto.role,
        passwordHash: await hashPassword(dto.password),
        isActive: true,
      }),
    );
    await this.cache.bump(['users']);
    return toUserResponse(user);
  }

  async list(query: ListUsersQuery): Promise<Page<UserResponseDto>> {
    const [users, total] = await this.users.findAndCount({
      order: { [USER_SORT_COLUMNS[query.sort_by]]: query.sort_order, id: 'ASC' },
      skip: query.skip,
      take: query.limit,
    });
    return toPage(users.map(toUserResponse), total, query);
  }

  async get(id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.find(id));
  }

  async update(id: string, dto: UpdateUserDto): Promise<UserResponseDto> {
    const passwordHash = dto.password ? await hashPassword(dto.password) : undefined;
    const user = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(UserEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User', id);
      const losesAdmin =
        user.role === 'admin' &&
        user.isActive &&
        ((dto.role !== undefined && dto.role !== 'admin') || dto.is_active === false);
      if (losesAdmin) await this.assertAnotherAdmin(manager, id);
      // A new password, role or activation ends the user's sessions (tokens and sockets).
      const endsSessions =
        passwordHash !== undefined ||
        (dto.role !== undefined && dto.role !== user.role) ||
        (dto.is_active !== undefined && dto.is_active !== user.isActive);
      if (dto.display_name !== undefined) user.displayName = dto.display_name;
      if (dto.role !== undefined) user.role = dto.role;
      if (dto.is_active !== undefined) user.isActive = dto.is_active;
      if (passwordHash) user.passwordHash = passwordHash;
      if (endsSessions) user.sessionVersion += 1;
      return manager.save(user);
    });
    await this.credentials.broadcastInvalidation({ kind: 'user', id });
    await this.cache.bump(['users']);
    return toUserResponse(user);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(UserEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User', id);
      if (user.role === 'admin' && user.isActive) await this.assertAnotherAdmin(manager, id);
      await manager.delete(UserEntity, { id });
    });
    await this.credentials.broadcastInvalidation({ kind: 'user', id });
    await this.cache.bump(['users']);
  }

  private async find(id: string): Promise<UserEntity> {
    const user = await this.users.findOne({ where: { id } });
    if (!user) throw new NotFoundError('User', id);
    return user;
  }

  /** Nobody locks the service out: the last admin credential cannot be removed or demoted. */
  private async assertAnotherAdmin(manager: EntityManager, exceptUserId: string): Promise<void> {
    const otherUsers = await manager
      .createQueryBuilder(UserEntity, 'u')
      .where('u.role = :role AND u.is_active AND u.id <> :id', { role: 'admin', id: exceptUserId })
      .getCount();
    const adminKeys = await manager.count(ApiKeyEntity, {
      where: { role: 'admin', revokedAt: IsNull() },
    });
    if (otherUsers + adminKeys === 0)
      throw new ConflictError('This is the last admin credential; create another admin first');
  }
}
