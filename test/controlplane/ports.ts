import net from 'node:net';
import { ControlPlaneError } from './errors.ts';

/**
 * A port that was free on 127.0.0.1 a moment ago: the OS picks it, we release it and hand it to a child process.
 * Another process could take it in between; the child then fails to bind and the caller reports 'port-in-use'.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from the OS'));
      });
    });
  });
}

/** Fails with a clear error when something already listens on 127.0.0.1:port (used before a restart). */
export function assertPortFree(port: number, who: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new ControlPlaneError('port-in-use', `${who}: 127.0.0.1:${port} is already in use by another process`));
      } else reject(error);
    });
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve()));
  });
}
