import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UnauthorizedError } from '../common/errors/app-errors.js';
import { iso } from '../common/time.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { CredentialService, JwtClaims } from './credential.service.js';
import type { LoginDto, MeResponseDto, TokenResponseDto } from './dto/auth.dto.js';
import { UserEntity } from './entities/user.entity.js';
import { LoginProtectionService } from './login-protection.service.js';
import type { Principal } from './principal.js';
import { DUMMY_PASSWORD_HASH, hashPassword, needsRehash, verifyPassword } from './secrets.js';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly jwt: JwtService,
    private readonly credentials: CredentialService,
    private readonly protection: LoginProtectionService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async login(dto: LoginDto, ip: string): Promise<TokenResponseDto> {
    const email = dto.email.trim().toLowerCase();
    await this.protection.assertAllowed(email, ip);
    const user = await this.users.findOne({ where: { email } });
    // Hash even for unknown users, so the answer time does not reveal which emails exist.
    const valid = await verifyPassword(dto.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid || !user.isActive) {
      await this.protection.recordFailure(email, ip);
      throw new UnauthorizedError('Wrong email or password');
    }
    await this.protection.recordSuccess(email, ip);
    // The one moment the password is known: bring an older hash up to today's parameters.
    const rehashed = needsRehash(user.passwordHash)
      ? { passwordHash: await hashPassword(dto.password) }
      : {};
    await this.users.update({ id: user.id }, { lastLoginAt: new Date(), ...rehashed });
    return this.issue(user, Math.floor(Date.now() / 1000));
  }

  /**
   * A valid sign-in token buys a fresh one of the same session (API keys have nothing to
   * refresh); never beyond JWT_MAX_SESSION from the sign-in.
   */
  async refresh(principal: Principal): Promise<TokenResponseDto> {
    if (principal.kind !== 'user' || !principal.session)
      throw new UnauthorizedError('Only sign-in tokens can be refreshed');
    const user = await this.credentials.findUser(principal.id);
    if (!user || !user.isActive || user.sessionVersion !== principal.session.version)
      throw new UnauthorizedError();
    const startedAt = Math.floor(principal.session.startedAt / 1000);
    if (this.sessionEnd(startedAt) - Math.floor(Date.now() / 1000) <= 0)
      throw new UnauthorizedError('The session is older than JWT_MAX_SESSION: sign in again');
    return this.issue(user, startedAt);
  }

  /** Ends every sign-in session of the user on every instance (tokens and sockets). */
  async logoutAll(principal: Principal): Promise<void> {
    if (principal.kind !== 'user')
      throw new UnauthorizedError('Only sign-in sessions can be ended; revoke an API key instead');
    await this.users.increment({ id: principal.id }, 'sessionVersion', 1);
    await this.credentials.broadcastInvalidation({ kind: 'user', id: principal.id });
  }

  private sessionEnd(startedAt: number): number {
    return startedAt + this.config.jwtMaxSessionSeconds;
  }

  async me(principal: Principal): Promise<MeResponseDto> {
    const user = principal.kind === 'user' ? await this.credentials.findUser(principal.id) : null;
    return {
      kind: principal.kind,
      id: principal.id,
      role: principal.role,
      name: principal.name,
      email: user?.email ?? null,
      agent_id: principal.agentId,
      expires_at: principal.expiresAt ? iso(new Date(principal.expiresAt)) : null,
    };
  }

  private async issue(user: UserEntity, startedAt: number): Promise<TokenResponseDto> {
    const claims: JwtClaims = {
      sub: user.id,
      role: user.role,
      typ: 'access',
      sv: user.sessionVersion,
      sat: startedAt,
    };
    const expiresIn = Math.min(
      this.config.jwtExpiresInSeconds,
      this.sessionEnd(startedAt) - Math.floor(Date.now() / 1000),
    );
    const access_token = await this.jwt.signAsync(claims, { expiresIn, algorithm: 'HS256' });
    return { access_token, token_type: 'Bearer', expires_in: expiresIn };
  }
}
