// Worker-thread entry: its own zone copy, answer cache and reusePort sockets; zone changes arrive from the main
// thread in order, so a worker's answers follow the controller's upserts within one message hop.
import { parentPort, workerData } from 'node:worker_threads';
import { type DnsListener, listenDns } from './listener.ts';
import type { DnsLogger } from './logger.ts';
import { DnsResponder } from './responder.ts';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.ts';
import { ZoneIndex } from './zone.ts';

const port = parentPort;
if (!port) throw new Error('src/dns/worker.ts runs only as a worker thread');
const config = workerData as WorkerConfig;
const post = (m: FromWorker) => port.postMessage(m);
const logger: DnsLogger = {
  info: (fields, message) => post({ kind: 'log', level: 'info', fields, message }),
  warn: (fields, message) => post({ kind: 'log', level: 'warn', fields, message }),
  error: (fields, message) => post({ kind: 'log', level: 'error', fields, message }),
};

const zone = new ZoneIndex(config.zone);
const responder = new DnsResponder(zone, config.responder);

let listener: DnsListener | undefined;
// Zone messages are applied from the start: the zone can fill while the sockets bind.
port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'upsert':
      zone.upsert(m.view);
      return;
    case 'remove':
      zone.remove(m.key);
      return;
    case 'flush':
      post({ kind: 'flushed', seq: m.seq });
      return;
    case 'stats':
      post({ kind: 'stats', seq: m.seq, snapshot: responder.stats.snapshot(zone.nameCount, zone.serviceCount) });
      return;
    case 'close':
      void (listener?.close() ?? Promise.resolve()).then(() => {
        post({ kind: 'closed' });
        port.close();
      });
      return;
  }
});

try {
  listener = await listenDns(responder, config.host, config.port, true, logger);
  post({ kind: 'ready', udpPort: listener.udpPort, tcpPort: listener.tcpPort });
} catch (err) {
  post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
