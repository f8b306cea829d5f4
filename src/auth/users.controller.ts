import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiErrors, ApiOk } from '../common/http/api-responses.js';
import type { Page } from '../common/pagination/page.js';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { Cached } from '../common/cache/cached.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Auth } from './auth.decorator.js';
import { CreateUserDto, ListUsersQuery, UpdateUserDto, UserResponseDto } from './dto/auth.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Auth('admin')
@Controller({ path: 'users', version: '2' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RateLimit('write')
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiErrors([409, 'A user with this email exists'])
  create(@Body() dto: CreateUserDto): Promise<UserResponseDto> {
    return this.users.create(dto);
  }

  @Get()
  @Cached({ families: ['users'], ttlSeconds: 60 })
  @ApiOperation({ summary: 'List users' })
  @ApiOk(UserResponseDto, { page: true })
  list(@Query() query: ListUsersQuery): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponseDto })
  get(@UuidParam() id: string): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @RateLimit('write')
  @ApiOperation({
    summary: 'Change display name, role, password or active flag (effective at once everywhere)',
  })
  @ApiOkResponse({ type: UserResponseDto })
  update(@UuidParam() id: string, @Body() dto: UpdateUserDto): Promise<UserResponseDto> {
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RateLimit('write')
  @ApiOperation({ summary: 'Delete a user' })
  @ApiNoContentResponse()
  remove(@UuidParam() id: string): Promise<void> {
    return this.users.remove(id);
  }
}
