import { Body, Controller, Delete, Get, HttpCode, Ip, Post, Query } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { ApiErrors, ApiOk } from '../common/http/api-responses.js';
import type { Page } from '../common/pagination/page.js';
import { ApiKeysService } from './api-keys.service.js';
import { Auth, CurrentPrincipal } from './auth.decorator.js';
import { AuthService } from './auth.service.js';
import { Read, Write } from './endpoint.decorator.js';
import {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQuery,
  LoginDto,
  MeResponseDto,
  TokenResponseDto,
} from './dto/auth.dto.js';
import type { Principal } from './principal.js';

@ApiTags('auth')
@Controller({ path: 'auth', version: '2' })
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @RateLimit('login')
  @ApiOperation({ summary: 'Sign in with email and password; returns a JWT' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors([401, 'Wrong email or password, or the user is inactive'])
  @ApiTooManyRequestsResponse({
    description: 'Too many attempts for this email or from this address',
  })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenResponseDto> {
    return this.auth.login(dto, ip);
  }

  @Get('me')
  @Read({ summary: 'Who the credential belongs to', type: MeResponseDto })
  me(@CurrentPrincipal() principal: Principal): Promise<MeResponseDto> {
    return this.auth.me(principal);
  }

  @Post('refresh')
  @Auth('viewer')
  @HttpCode(200)
  @RateLimit('write')
  @ApiOperation({
    summary: 'Exchange a valid sign-in token for a fresh one of the same session',
    description:
      'The new token never outlives JWT_MAX_SESSION counted from the sign-in; past it, 401 (sign in again). ' +
      'A session ends when the user signs out everywhere or their password, role or is_active changes.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Not a sign-in token, or the session has ended' })
  refresh(@CurrentPrincipal() principal: Principal): Promise<TokenResponseDto> {
    return this.auth.refresh(principal);
  }

  @Post('logout-all')
  @Auth('viewer')
  @HttpCode(204)
  @RateLimit('write')
  @ApiOperation({
    summary: "End every sign-in session of the caller's user",
    description:
      "Every token of the user (this one included) is refused and the user's sockets are disconnected, on every instance within a second. API keys are unaffected.",
  })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ description: 'Not a sign-in token (API keys are revoked instead)' })
  logoutAll(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.auth.logoutAll(principal);
  }

  @Post('api-keys')
  @Write({
    summary: 'Create an API key; the key is shown once, in this response',
    status: 201,
    type: CreatedApiKeyResponseDto,
    role: 'admin',
  })
  @RateLimit('write')
  createApiKey(
    @Body() dto: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CreatedApiKeyResponseDto> {
    return this.apiKeys.create(dto, principal);
  }

  @Get('api-keys')
  @Auth('admin')
  @ApiOperation({ summary: 'List API keys that are not revoked (never the keys themselves)' })
  @ApiOk(ApiKeyResponseDto, { page: true })
  listApiKeys(@Query() query: ListApiKeysQuery): Promise<Page<ApiKeyResponseDto>> {
    return this.apiKeys.list(query);
  }

  @Delete('api-keys/:id')
  @Write({ summary: 'Revoke an API key on every instance at once', status: 204, role: 'admin' })
  @RateLimit('write')
  revokeApiKey(@UuidParam() id: string): Promise<void> {
    return this.apiKeys.revoke(id);
  }
}
