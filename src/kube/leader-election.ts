// Leader election on a coordination.k8s.io/v1 Lease, so that several controller replicas can run and only one
// writes. The rules are client-go's: a holder renews its lease every retry period; a candidate takes the lease
// only when it is free or its holder has not renewed it for leaseDuration; every write carries the
// resourceVersion it read, so two candidates can never both win (the API server refuses the second).
import type { Logger } from '../log.ts';
import { KubeApiError, type KubeClient } from './client.ts';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** This replica's identity (pod name); must differ between replicas. */
  identity: string;
  logger: Logger;
  leaseDurationMs?: number;
  /** A leader that cannot renew for this long steps down, before anyone else may take over. */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onChange(leading: boolean): void;
}

interface Lease {
  metadata?: { resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, 'onChange' | 'logger' | 'client'>> & LeaderElectionOptions;
  readonly #log: Logger;
  #leading = false;
  #lastRenew = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    this.#log = options.logger.child({ component: 'leader-election', lease: `${options.namespace}/${options.name}` });
  }

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#tick();
  }

  /** Stops trying; a leader gives the lease up at once so that another replica need not wait it out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    if (this.#leading) {
      await this.#release().catch((err) => this.#log.warn('releasing the lease failed', { err }));
      this.#set(false);
    }
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#running = this.#attempt().finally(() => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#tick(), this.#o.retryPeriodMs);
      this.#timer.unref();
    });
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases/${this.#o.name}`;
  }

  async #attempt(): Promise<void> {
    const now = Date.now();
    try {
      const lease = await this.#read();
      if (!lease) {
        await this.#o.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases`, {
          body: this.#body(undefined, now, 0),
          timeoutMs: this.#o.retryPeriodMs * 2,
        });
        this.#won(now);
        return;
      }
      const spec = lease.spec ?? {};
      const mine = spec.holderIdentity === this.#o.identity;
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const duration = (spec.leaseDurationSeconds ?? this.#o.leaseDurationMs / 1000) * 1000;
      const free = !spec.holderIdentity || now - renewed > duration;
      if (!mine && !free) {
        this.#set(false);
        return;
      }
      const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
      await this.#o.client.request('PUT', this.#path, {
        body: this.#body(lease, now, transitions, mine ? spec.acquireTime : undefined),
        timeoutMs: this.#o.retryPeriodMs * 2,
      });
      this.#won(now);
    } catch (err) {
      // 409: another replica wrote first; anything else: the API server is not reachable. Either way we only
      // stay leader while our last renewal is within the renew deadline.
      if (!(err instanceof KubeApiError && err.status === 409)) this.#log.warn('lease update failed', { err });
      if (this.#leading && Date.now() - this.#lastRenew > this.#o.renewDeadlineMs) {
        this.#log.warn('could not renew the lease in time; stepping down');
        this.#set(false);
      } else if (!this.#leading) this.#set(false);
    }
  }

  async #read(): Promise<Lease | undefined> {
    try {
      return await this.#o.client.request<Lease>('GET', this.#path, { timeoutMs: this.#o.retryPeriodMs * 2 });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  #body(existing: Lease | undefined, now: number, transitions: number, acquired?: string): object {
    const time = new Date(now).toISOString().replace('Z', '000Z'); // MicroTime: microsecond precision
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#o.name,
        namespace: this.#o.namespace,
        ...(existing?.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: acquired ?? time,
        renewTime: time,
        leaseTransitions: transitions,
      },
    };
  }

  async #release(): Promise<void> {
    const lease = await this.#read();
    if (!lease || lease.spec?.holderIdentity !== this.#o.identity) return;
    await this.#o.client.request('PUT', this.#path, {
      body: {
        ...this.#body(lease, Date.now(), lease.spec?.leaseTransitions ?? 0, lease.spec?.acquireTime),
        spec: { ...lease.spec, holderIdentity: '', renewTime: new Date(0).toISOString().replace('Z', '000Z') },
      },
    });
  }

  #won(now: number): void {
    this.#lastRenew = now;
    this.#set(true);
  }

  #set(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#log.info(leading ? 'became the leader: writing to member clusters' : 'not the leader: not writing', {
      identity: this.#o.identity,
    });
    this.#o.onChange(leading);
  }
}
