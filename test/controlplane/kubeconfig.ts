import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly name: string;
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
}

/** The kubeconfig file text (YAML) for one member cluster: one cluster, one bearer-token user, one context. */
export function kubeconfigText(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') },
      },
    ],
    users: [{ name: `${input.name}-admin`, user: { token: input.token } }],
    contexts: [{ name: input.name, context: { cluster: input.name, user: `${input.name}-admin` } }],
    'current-context': input.name,
  });
}

/** Writes the kubeconfig file and returns a KubeConfig loaded from exactly that text, so both agree. */
export function writeKubeconfig(file: string, input: KubeconfigInput): KubeConfig {
  const text = kubeconfigText(input);
  writeFileSync(file, text, { mode: 0o600 });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(text);
  return kubeConfig;
}
