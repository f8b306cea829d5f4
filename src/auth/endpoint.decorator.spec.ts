import 'reflect-metadata';
import { HttpCode } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { Cached } from '../common/cache/cached.decorator.js';
import { Auth } from './auth.decorator.js';
import { Read, Write } from './endpoint.decorator.js';

class Dto {}

/** Every metadata entry a decorator leaves on a handler, by key. */
function metadataOf(decorator: MethodDecorator): Record<string, unknown> {
  const target = { handler() {} };
  const descriptor = Object.getOwnPropertyDescriptor(target, 'handler')!;
  decorator(target, 'handler', descriptor);
  const keys = Reflect.getMetadataKeys(descriptor.value as object) as string[];
  return Object.fromEntries(
    keys.map((key) => [key, Reflect.getMetadata(key, descriptor.value as object)]),
  );
}

/** A stack written out, applied bottom-up as TypeScript applies stacked decorators. */
const stack =
  (...decorators: MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const decorator of decorators.reverse()) decorator(target, key, descriptor);
  };

describe('Read and Write', () => {
  it('Read leaves what the stack of access, cache, summary and answers left', () => {
    const cached = { families: ['tasks' as const], ttlSeconds: 10 };
    expect(
      metadataOf(Read({ summary: 'Get', type: Dto, cached, notFound: 'No such thing' })),
    ).toEqual(
      metadataOf(
        stack(
          Auth('viewer', { agent: 'read' }),
          Cached(cached),
          ApiOperation({ summary: 'Get' }),
          ApiOkResponse({ type: Dto }),
          ApiNotFoundResponse({ description: 'No such thing' }),
        ),
      ),
    );
    expect(metadataOf(Read({ summary: 'List', type: [Dto], agent: false }))).toEqual(
      metadataOf(
        stack(Auth('viewer'), ApiOperation({ summary: 'List' }), ApiOkResponse({ type: [Dto] })),
      ),
    );
  });

  it('Write sets the status it documents', () => {
    expect(
      metadataOf(Write({ summary: 'Create', status: 201, type: Dto, conflict: 'Taken' })),
    ).toEqual(
      metadataOf(
        stack(
          Auth('operator'),
          HttpCode(201),
          ApiOperation({ summary: 'Create' }),
          ApiCreatedResponse({ type: Dto }),
          ApiConflictResponse({ description: 'Taken' }),
        ),
      ),
    );
    expect(
      metadataOf(Write({ summary: 'Delete', status: 204, agent: 'own-task', notFound: 'Gone' })),
    ).toEqual(
      metadataOf(
        stack(
          Auth('operator', { agent: 'own-task' }),
          HttpCode(204),
          ApiOperation({ summary: 'Delete' }),
          ApiNoContentResponse(),
          ApiNotFoundResponse({ description: 'Gone' }),
        ),
      ),
    );
    expect(metadataOf(Write({ summary: 'Update', type: Dto }))).toEqual(
      metadataOf(
        stack(
          Auth('operator'),
          HttpCode(200),
          ApiOperation({ summary: 'Update' }),
          ApiOkResponse({ type: Dto }),
        ),
      ),
    );
  });
});
