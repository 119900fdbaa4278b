import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { assertPortFree, freeLoopbackPort } from './ports.ts';
import { ManagedProcess } from './process.ts';

export interface ApiServerSettings {
  readonly name: string;
  readonly binary: string;
  /** This cluster's own folder: certificates, token file, log. Kept across restarts. */
  readonly dir: string;
  readonly etcdUrl: string;
  /** Keys of this cluster in the shared etcd; kept across restarts so the data survives them. */
  readonly etcdPrefix: string;
  /** Inside 198.18.0.0/15, the only range this project uses for test addresses. */
  readonly serviceClusterIpRange: string;
  readonly token: string;
}

const startTimeoutMs = Number(process.env.CLUSTERSET_APISERVER_START_TIMEOUT_MS ?? 90_000);

/** A token for the admin user (group system:masters), written to the API server's --token-auth-file. */
export function newAdminToken(): string {
  return randomBytes(24).toString('hex');
}

function writeCredentials(settings: ApiServerSettings): { tokenFile: string; saKey: string; certDir: string } {
  const certDir = path.join(settings.dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const tokenFile = path.join(settings.dir, 'tokens.csv');
  writeFileSync(tokenFile, `${settings.token},clusterset-admin,clusterset-admin,"system:masters"\n`, { mode: 0o600 });
  // Service-account tokens need a signing key even though no test mints them; one RSA key serves as both the
  // signing key and (the API server derives the public half) the verification key.
  const saKey = path.join(certDir, 'sa-signer.key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { tokenFile, saKey, certDir };
}

/** The envtest flag set, with a bearer-token admin instead of a client certificate. */
function apiServerArgs(
  settings: ApiServerSettings,
  port: number,
  files: ReturnType<typeof writeCredentials>,
): string[] {
  return [
    `--etcd-servers=${settings.etcdUrl}`,
    `--etcd-prefix=${settings.etcdPrefix}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // The endpoint reconciler refuses a loopback address for the `kubernetes` Service's endpoints; nothing in a
    // test reaches the API server through that Service, so it is switched off rather than given a fake address.
    '--endpoint-reconciler-type=none',
    `--secure-port=${port}`,
    // The API server writes a self-signed serving certificate here (apiserver.crt) and reuses it on restart.
    `--cert-dir=${files.certDir}`,
    `--token-auth-file=${files.tokenFile}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // Nothing creates the default ServiceAccount without a controller manager, so its admission would block pods.
    '--disable-admission-plugins=ServiceAccount',
    `--service-cluster-ip-range=${settings.serviceClusterIpRange}`,
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${files.saKey}`,
    `--service-account-signing-key-file=${files.saKey}`,
    '--v=1',
  ];
}

/** GET /readyz with the admin token; the serving certificate is self-signed, so it is read, not verified here. */
function readyz(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/readyz',
        headers: { authorization: `Bearer ${token}` },
        rejectUnauthorized: false,
        timeout: 2000,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.once('error', () => resolve(false));
    request.once('timeout', () => request.destroy());
  });
}

/** One member cluster's kube-apiserver, restartable on the same port with the same etcd prefix. */
export class ApiServer {
  readonly settings: ApiServerSettings;
  readonly port: number;
  readonly #files: ReturnType<typeof writeCredentials>;
  #process: ManagedProcess | undefined;

  private constructor(settings: ApiServerSettings, port: number) {
    this.settings = settings;
    this.port = port;
    this.#files = writeCredentials(settings);
  }

  static async create(settings: ApiServerSettings): Promise<ApiServer> {
    return new ApiServer(settings, await freeLoopbackPort());
  }

  get server(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return path.join(this.settings.dir, 'kube-apiserver.log');
  }

  /** The CA bundle the API server generated for its self-signed serving certificate (exists once it started). */
  caPem(): string {
    return readFileSync(path.join(this.#files.certDir, 'apiserver.crt'), 'utf8');
  }

  async start(): Promise<void> {
    if (this.#process?.running === true) return;
    if (this.#process !== undefined) await assertPortFree(this.port, `kube-apiserver ${this.settings.name}`);
    const proc = new ManagedProcess(
      `kube-apiserver ${this.settings.name}`,
      this.settings.binary,
      apiServerArgs(this.settings, this.port, this.#files),
      this.logFile,
    );
    this.#process = proc;
    await proc.waitUntil(
      () => readyz(this.port, this.settings.token),
      startTimeoutMs,
      `ready at ${this.server}/readyz`,
    );
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  killNow(): void {
    this.#process?.killNow();
  }
}
