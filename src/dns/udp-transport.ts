// UDP transport: one socket, one answer per datagram, sent back to the sender.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { type DnsLogger, throttled } from './logger.ts';
import type { DnsResponder } from './responder.ts';

/** Room for bursts while the event loop is busy (Linux caps it at net.core.rmem_max). */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export async function listenUdp(
  responder: DnsResponder,
  host: string,
  port: number,
  reusePort: boolean,
  logger: DnsLogger,
): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reusePort });
  const logError = throttled(logger.error.bind(logger), 10_000);
  socket.on('message', (msg, rinfo) => {
    const started = performance.now();
    let out: Uint8Array | null = null;
    try {
      out = responder.respond(msg, false);
    } catch (err) {
      // A bug must cost one answer, never the server.
      logError({ err: String(err), from: rinfo.address }, 'dns: query handler failed');
    }
    // No send callback: it costs a third of the per-query CPU; send errors surface as the socket's 'error'.
    if (out) socket.send(out, rinfo.port, rinfo.address);
    responder.stats.observeLatency((performance.now() - started) / 1000);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: !reusePort }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => logError({ err: err.message }, 'dns: udp socket error'));
  try {
    socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
  } catch {
    // Not fatal: the kernel default still works, with less headroom for bursts.
  }
  return socket;
}

export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
