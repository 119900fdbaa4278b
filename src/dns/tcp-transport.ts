// TCP transport (RFC 1035 §4.2.2, RFC 7766): two-byte length framing, several queries per connection answered in
// order, partial reads and several messages per read, idle timeout, and reading paused while the client does not
// read its answers (so a client that only writes cannot make us buffer without bound).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { type DnsLogger, throttled } from './logger.ts';
import type { DnsResponder } from './responder.ts';

const IDLE_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 1024;

export async function listenTcp(
  responder: DnsResponder,
  host: string,
  port: number,
  reusePort: boolean,
  logger: DnsLogger,
): Promise<TcpListener> {
  const logError = throttled(logger.error.bind(logger), 10_000);
  const open = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, responder, logError);
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, reusePort, exclusive: !reusePort }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logError({ err: err.message }, 'dns: tcp server error'));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() waits for open connections: end them so that a client holding one cannot hold the shutdown.
        for (const socket of open) socket.destroy();
      }),
  };
}

export interface TcpListener {
  port: number;
  close(): Promise<void>;
}

function serveConnection(
  socket: net.Socket,
  responder: DnsResponder,
  logError: (fields: object, message?: string) => void,
): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('drain', () => socket.resume());
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 2) {
      const length = pending.readUInt16BE(at);
      if (pending.length - at - 2 < length) break;
      const msg = pending.subarray(at + 2, at + 2 + length);
      at += 2 + length;
      const started = performance.now();
      let out: Uint8Array | null = null;
      try {
        out = responder.respond(msg, true);
      } catch (err) {
        logError({ err: String(err) }, 'dns: query handler failed');
      }
      if (out) {
        const framed = Buffer.allocUnsafe(out.length + 2);
        framed.writeUInt16BE(out.length, 0);
        framed.set(out, 2);
        if (!socket.write(framed)) socket.pause();
      } else {
        // RFC 7766 §6.2.4 lets us close on what we cannot answer: a response or a runt on a stream is garbage.
        socket.destroy();
        return;
      }
      responder.stats.observeLatency((performance.now() - started) / 1000);
    }
    pending = at === 0 ? pending : pending.subarray(at);
  });
}
