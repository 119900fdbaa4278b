// Messages between the DNS server's main thread and its worker threads. ServiceView (with its Map) crosses by
// structured clone.
import type { ServiceKey, ServiceView } from '../mcs/types.ts';
import type { ResponderOptions } from './responder.ts';
import type { DnsStatsSnapshot } from './stats.ts';
import type { ZoneOptions } from './zone.ts';

export interface WorkerConfig {
  host: string;
  port: number;
  zone: ZoneOptions;
  responder: ResponderOptions;
}

export type ToWorker =
  | { kind: 'upsert'; view: ServiceView }
  | { kind: 'remove'; key: ServiceKey }
  | { kind: 'flush'; seq: number }
  | { kind: 'stats'; seq: number }
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'ready'; udpPort: number; tcpPort: number }
  | { kind: 'failed'; message: string }
  | { kind: 'flushed'; seq: number }
  | { kind: 'stats'; seq: number; snapshot: DnsStatsSnapshot }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; fields: object; message?: string }
  | { kind: 'closed' };
