import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/config.js';
import { loadDotEnv } from './config/dotenv.js';
import { AppLogger } from './common/logging/app-logger.js';
import { StartupError } from './infra/startup-error.js';
import { startService } from './bootstrap.js';

async function main(): Promise<void> {
  let config;
  let dotEnv;
  try {
    dotEnv = loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new AppLogger(config);
  const log = new Logger('Main');
  if (dotEnv)
    logger.log(
      `Read ${dotEnv.applied.length} variable(s) from ${dotEnv.file}: ${dotEnv.applied.join(', ')}`,
      'Config',
    );
  let service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      logger.error(error.message, undefined, 'Bootstrap');
    } else {
      logger.error(
        `Start-up failed: ${(error as Error).message}`,
        (error as Error).stack,
        'Bootstrap',
      );
    }
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received: shutting down`);
    const force = setTimeout(() => {
      log.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    service.shutdown().then(
      () => {
        log.log('Shut down cleanly');
        process.exit(0);
      },
      (error: Error) => {
        log.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
