// The logging the DNS server needs: a pino-compatible subset, so the controller can pass its own logger.
export interface DnsLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const silentLogger: DnsLogger = { info() {}, warn() {}, error() {} };

/** At most one log line per `everyMs` for one kind of event: a packet flood must not become a log flood. */
export function throttled(log: (fields: object, message?: string) => void, everyMs: number) {
  let last = 0;
  let suppressed = 0;
  return (fields: object, message?: string) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    last = now;
    log({ ...fields, suppressed }, message);
    suppressed = 0;
  };
}
