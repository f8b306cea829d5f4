/*
 * The bare NestJS twin: NestJS 12 on express (the service's versions), one JSON route,
 * no middleware, no guards, no interceptors, no logger. Every HTTP figure is a ratio of it.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [PingController] })
class BareModule {}

const app = await NestFactory.create(BareModule, { logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(`listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
