import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RateLimitGuard } from '../common/rate-limit/rate-limit.guard.js';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AgentDirectory, ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { CredentialService } from './credential.service.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { AuthenticationGuard } from './guards/authentication.guard.js';
import { AuthorizationGuard } from './guards/authorization.guard.js';
import { loadJwtSecret } from './jwt-secret.js';
import { LoginProtectionService } from './login-protection.service.js';
import { SqlAgentDirectory } from './sql-agent-directory.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG, DataSource],
      useFactory: async (config: AppConfig, dataSource: DataSource) => ({
        secret: await loadJwtSecret(config, dataSource),
        signOptions: { algorithm: 'HS256' },
      }),
    }),
    RateLimitModule,
  ],
  controllers: [AuthController, UsersController],
  providers: [
    CredentialService,
    AuthService,
    ApiKeysService,
    UsersService,
    LoginProtectionService,
    AdminBootstrapService,
    { provide: AgentDirectory, useClass: SqlAgentDirectory },
    // Order matters: who is calling, then rate limits (per credential or IP), then may they.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthorizationGuard },
  ],
  exports: [CredentialService, ApiKeysService, JwtModule],
})
export class AuthModule {}
