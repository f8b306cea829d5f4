import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import { API_KEY_ROLES, type Role, USER_ROLES, type UserRole } from '../roles.js';
import {
  BooleanField,
  DateTimeField,
  EnumField,
  TextField,
} from '../../common/validation/fields.js';

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @TextField({ min: 1, max: 1024 }, { doc: { example: 'correct horse battery staple' } })
  password: string;
}

export class TokenResponseDto {
  @ApiProperty()
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires' })
  expires_in: number;
}

export class CreateApiKeyDto {
  @TextField({ min: 1, max: 200 }, { doc: { example: 'ci pipeline' } })
  name: string;

  @EnumField(API_KEY_ROLES, 'ApiKeyRole')
  role: Role;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Required when role is agent: the agent this key acts for',
  })
  @ValidateIf((dto: CreateApiKeyDto) => dto.role === 'agent' || dto.agent_id !== undefined)
  @IsUUID()
  agent_id?: string;

  @DateTimeField({ nullable: true })
  expires_at?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'ops@example.com' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @TextField({ min: 1, max: 200 }, { doc: { example: 'Ops Person' } })
  display_name: string;

  @TextField({ min: 8, max: 1024 })
  password: string;

  @EnumField(USER_ROLES, 'UserRole')
  role: UserRole;
}

export class UpdateUserDto {
  @TextField({ min: 1, max: 200 }, { optional: true })
  display_name?: string;

  @EnumField(USER_ROLES, 'UserRole', { optional: true })
  role?: UserRole;

  @TextField({ min: 8, max: 1024 }, { optional: true })
  password?: string;

  @BooleanField({ optional: true })
  is_active?: boolean;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() display_name: string;
  @ApiProperty({ enum: USER_ROLES, enumName: 'UserRole' }) role: UserRole;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_login_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: API_KEY_ROLES, enumName: 'ApiKeyRole' }) role: Role;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agent_id: string | null;
  @ApiProperty({ description: 'First characters of the key' }) prefix: string;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_used_at: string | null;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response: store it now.' })
  key: string;
}

export class MeResponseDto {
  @ApiProperty({ enum: ['user', 'api_key', 'anonymous'] }) kind: string;
  @ApiProperty() id: string;
  @ApiProperty({ enum: API_KEY_ROLES, enumName: 'ApiKeyRole' }) role: Role;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agent_id: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
}

export const USER_SORT_FIELDS = ['created_at', 'email', 'display_name', 'role'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

export class ListUsersQuery extends PageQuery {
  @EnumField(USER_SORT_FIELDS, 'UserSortField', { optional: true, doc: { default: 'created_at' } })
  sort_by: UserSortField = 'created_at';
}

export const API_KEY_SORT_FIELDS = ['created_at', 'name', 'role', 'last_used_at'] as const;
export type ApiKeySortField = (typeof API_KEY_SORT_FIELDS)[number];

export class ListApiKeysQuery extends PageQuery {
  @EnumField(API_KEY_SORT_FIELDS, 'ApiKeySortField', {
    optional: true,
    doc: { default: 'created_at' },
  })
  sort_by: ApiKeySortField = 'created_at';
}
