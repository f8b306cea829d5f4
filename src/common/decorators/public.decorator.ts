import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'subforge:public';

/** Opts a route out of authentication. Only the contract's public routes carry it. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
