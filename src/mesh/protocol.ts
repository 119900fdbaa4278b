// The protocol Istio would give a Kubernetes Service port, carried onto the ServiceEntry port so that the
// clusterset host is proxied like the cluster.local one: appProtocol first, else the port name's prefix
// (`http-web` → HTTP), else TCP for a few well-known server-first ports, else unset (Istio sniffs).
// Behaviour read in istio/istio pkg/config/kube/conversion.go (ConvertProtocol); written here from scratch.
import type { ServicePort } from '../mcs/types.ts';
import type { MeshProtocol } from './serviceentry.ts';

const BY_NAME: Record<string, MeshProtocol> = {
  http: 'HTTP',
  https: 'HTTPS',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-WEB',
  http2: 'HTTP2',
  mongo: 'MONGO',
  redis: 'REDIS',
  mysql: 'MYSQL',
  tcp: 'TCP',
  tls: 'TLS',
  // Kubernetes' standard appProtocol values (KEP-3726).
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/** SMTP, DNS, MySQL, MongoDB: server-first protocols that sniffing would break. */
const SERVER_FIRST_PORTS = new Set([25, 53, 3306, 27017]);

export function meshProtocolOf(port: ServicePort): MeshProtocol | undefined {
  const hint = (port.appProtocol ?? port.name).toLowerCase();
  const exact = BY_NAME[hint];
  if (exact) return exact;
  if (hint.startsWith('grpc-web')) return 'GRPC-WEB';
  const dash = hint.indexOf('-');
  const prefixed = dash >= 0 ? BY_NAME[hint.slice(0, dash)] : undefined;
  if (prefixed) return prefixed;
  return SERVER_FIRST_PORTS.has(port.port) ? 'TCP' : undefined;
}
