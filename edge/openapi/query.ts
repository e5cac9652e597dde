import { resolver, uniqueSymbol } from 'hono-openapi';
import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';

/**
 * Documents a route's query parameters from the schema its handler parses `c.req.query()` with,
 * through hono-openapi's hook for custom middleware (`uniqueSymbol`). It validates nothing:
 * hono-openapi's `validator` would read a repeated parameter as an array and answer errors in its
 * own shape, where the handlers answer the API's.
 */
export const queryParameters = (schema: z.ZodType) =>
  Object.assign(
    createMiddleware((_c, next) => next()),
    { [uniqueSymbol]: { target: 'query', ...resolver(schema) } },
  );
