import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { QueryInt } from '../validation/decorators.js';

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** v2 list parameters; each resource adds an allow-listed `sort_by`. */
export class PageQuery {
  @QueryInt({ minimum: 0, default: 0 })
  skip: number = 0;

  @QueryInt({ minimum: 1, maximum: 1000, default: 50 })
  limit: number = 50;

  @ApiPropertyOptional({ enum: SORT_ORDERS, enumName: 'SortOrder', default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  sort_order: SortOrder = 'desc';
}

/** v1 list parameters: the original's defaults. */
export class V1PageQuery {
  @QueryInt({ minimum: 0, default: 0 })
  skip: number = 0;

  @QueryInt({ minimum: 1, maximum: 1000, default: 100 })
  limit: number = 100;
}

export interface PageMeta {
  total: number;
  skip: number;
  limit: number;
}

/** The v2 list envelope. */
export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export function toPage<T>(
  data: T[],
  total: number,
  query: { skip: number; limit: number },
): Page<T> {
  return { data, meta: { total, skip: query.skip, limit: query.limit } };
}

export function isPage(body: unknown): body is Page<unknown> {
  const candidate = body as Partial<Page<unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Array.isArray(candidate.data) &&
    typeof candidate.meta?.total === 'number' &&
    typeof candidate.meta.limit === 'number'
  );
}
