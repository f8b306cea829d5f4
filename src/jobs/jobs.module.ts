import { Global, Module } from '@nestjs/common';
import { JobCatalog } from './job-catalog.service.js';

@Global()
@Module({
  providers: [JobCatalog],
  exports: [JobCatalog],
})
export class JobsModule {}
