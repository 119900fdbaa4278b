// The ops HTTP server: /metrics for Prometheus, /healthz and /readyz for the kubelet, /debug/* for people.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';

export interface DebugRoute {
  path: string;
  handler(params: Record<string, string>, query: Record<string, string>): unknown | undefined;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  ready(): boolean;
  /** Why not ready, for the /readyz body. */
  readiness?(): Record<string, unknown>;
  debug?: DebugRoute[];
  logger: Logger;
}

export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = options.ready();
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not ready', ...options.readiness?.() };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  for (const route of options.debug ?? []) {
    app.get(route.path, async (req, reply) => {
      const body = route.handler(req.params as Record<string, string>, req.query as Record<string, string>);
      if (body === undefined) {
        reply.code(404);
        return { error: 'not found' };
      }
      return body;
    });
  }
  app.setErrorHandler((err, req, reply) => {
    options.logger.error('ops server request failed', { url: req.url, err });
    reply.code(500).send({ error: err instanceof Error ? err.message : String(err) });
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `httpAddress: ${options.host}:${options.port} is already in use (set --http-address or CLUSTERSET_HTTP_ADDRESS)`
        : `httpAddress: cannot listen on ${options.host}:${options.port}: ${(err as Error).message}`,
    );
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    app,
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    close: () => app.close(),
  };
}
