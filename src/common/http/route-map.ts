import { METHODS } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** One HTTP route as Express will match it: the full path, with prefix and version. */
export interface MappedRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * The routes the HTTP server really answers, read from Express's router after `init()`.
 * Nest's own start-up map prints the controller path before the global prefix's
 * exclusions and the URI version are applied (`{/api/api/subforge}`, `{/api/health}`,
 * `/api/auth/login (version: 2)`); this one prints what a client must call.
 */
export function mappedRoutes(app: NestExpressApplication): MappedRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  const routes: MappedRoute[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods)
      .filter((method) => layer.route!.methods[method])
      .map((method) => method.toUpperCase());
    // Nest mounts middleware for a path as a route on every method; no controller does.
    if (layer.route.methods._all || methods.length >= METHODS.length) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) for (const method of methods) routes.push({ method, path });
  }
  return routes;
}
