// Raw JSON requests to one member cluster's API server. client-node supplies the kubeconfig, credentials
// and TLS (through a RequestContext); we read plain JSON ourselves, so timestamps stay strings and list,
// watch and server-side apply behave exactly as the API documents them.

import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';

/** An error answer of the API server (a metav1.Status), or a transport failure (status 0). */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  readonly status: number;
  readonly reason: string;
  readonly cluster: string;

  constructor(cluster: string, status: number, reason: string, message: string) {
    super(`${cluster}: ${message}`);
    this.cluster = cluster;
    this.status = status;
    this.reason = reason;
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Milliseconds before the request is abandoned (default 30 s). */
  timeoutMs?: number;
}

const METHODS = {
  GET: HttpMethod.GET,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
} as const;

export class KubeClient {
  readonly cluster: string;
  readonly #kc: KubeConfig;
  readonly #server: string;

  constructor(cluster: string, kc: KubeConfig) {
    this.cluster = cluster;
    this.#kc = kc;
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new KubeApiError(cluster, 0, 'NoServer', 'the kubeconfig context has no cluster server');
    this.#server = server.replace(/\/$/, '');
  }

  get server(): string {
    return this.#server;
  }

  async #prepare(method: keyof typeof METHODS, path: string, options: RequestOptions) {
    const url = new URL(this.#server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), METHODS[method]);
    await this.#kc.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    return { url, headers, dispatcher: ctx.getDispatcher() };
  }

  async request<T = unknown>(method: keyof typeof METHODS, path: string, options: RequestOptions = {}): Promise<T> {
    const { url, headers, dispatcher } = await this.#prepare(method, path, options);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, {
        method,
        headers,
        dispatcher,
        signal,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      } as Parameters<typeof fetch>[1]);
    } catch (err) {
      throw new KubeApiError(this.cluster, 0, 'Unreachable', `${method} ${url.pathname}: ${describeFetchError(err)}`);
    }
    const text = await res.text();
    if (res.status >= 400) throw statusError(this.cluster, res.status, text, `${method} ${url.pathname}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Opens a watch and calls onEvent for each JSON line. Resolves when the server closes the stream;
   * rejects on errors. `idleMs` aborts a stream that stays silent (no event, no bookmark) that long.
   */
  async stream(
    path: string,
    query: RequestOptions['query'],
    onEvent: (event: unknown) => void,
    signal: AbortSignal,
    idleMs: number,
  ): Promise<void> {
    const { url, headers, dispatcher } = await this.#prepare('GET', path, { query });
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new Error(`no event for ${idleMs} ms`)), idleMs);
      timer.unref();
    };
    arm();
    try {
      let res: Awaited<ReturnType<typeof fetch>>;
      try {
        res = await fetch(url, {
          method: 'GET',
          headers,
          dispatcher,
          signal: AbortSignal.any([signal, idle.signal]),
        } as Parameters<typeof fetch>[1]);
      } catch (err) {
        throw new KubeApiError(this.cluster, 0, 'Unreachable', `watch ${url.pathname}: ${describeFetchError(err)}`);
      }
      if (res.status >= 400 || !res.body)
        throw statusError(this.cluster, res.status, await res.text(), `watch ${url.pathname}`);
      const body = Readable.fromWeb(res.body as never);
      const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
      // An error thrown by onEvent (a 410 in the stream, say) is the caller's: it passes through unwrapped.
      let callbackError: unknown;
      try {
        for await (const line of lines) {
          arm();
          if (line.trim() === '') continue;
          const event: unknown = JSON.parse(line);
          try {
            onEvent(event);
          } catch (err) {
            callbackError = err;
            break;
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        throw new KubeApiError(
          this.cluster,
          0,
          'StreamBroken',
          `watch ${url.pathname}: ${idle.signal.aborted ? String(idle.signal.reason) : describeFetchError(err)}`,
        );
      }
      if (callbackError !== undefined) throw callbackError;
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

function statusError(cluster: string, status: number, text: string, what: string): KubeApiError {
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    reason = s.reason ?? reason;
    message = s.message ?? message;
  } catch {
    // not a metav1.Status: keep the text
  }
  return new KubeApiError(cluster, status, reason, `${what}: ${status} ${reason}: ${message}`);
}
