// One serving unit: a responder behind a UDP socket and a TCP listener on the same port. The main thread runs one
// (workers ≤ 1), or each worker thread runs one with reusePort so the kernel spreads queries over them.
import type { DnsLogger } from './logger.ts';
import type { DnsResponder } from './responder.ts';
import { listenTcp } from './tcp-transport.ts';
import { closeUdp, listenUdp } from './udp-transport.ts';

export interface DnsListener {
  udpPort: number;
  tcpPort: number;
  close(): Promise<void>;
}

/** How often to retry when port 0 gave a UDP port whose TCP twin is taken. */
const PORT_ATTEMPTS = 20;

export async function listenDns(
  responder: DnsResponder,
  host: string,
  port: number,
  reusePort: boolean,
  logger: DnsLogger,
): Promise<DnsListener> {
  for (let attempt = 1; ; attempt++) {
    const udp = await listenUdp(responder, host, port, reusePort, logger);
    const udpPort = udp.address().port;
    try {
      const tcp = await listenTcp(responder, host, udpPort, reusePort, logger);
      return {
        udpPort,
        tcpPort: tcp.port,
        close: async () => {
          await Promise.all([closeUdp(udp), tcp.close()]);
        },
      };
    } catch (err) {
      await closeUdp(udp);
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}
