// Member clusters from kubeconfig: one file with several contexts, or one file per cluster. Each member gets
// its own KubeConfig with its context made current, so credentials and TLS never mix between clusters.
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/load.ts';
import { isDns1123Label } from '../mcs/names.ts';

export interface Member {
  name: string;
  context: string;
  file: string;
  kubeConfig: KubeConfig;
}

export function membersFromKubeconfig(files: readonly string[], contexts: readonly string[]): Member[] {
  const wanted = contexts.map((c) => {
    const eq = c.indexOf('=');
    return eq > 0 ? { name: c.slice(0, eq), context: c.slice(eq + 1) } : { name: c, context: c };
  });
  const found: Member[] = [];
  for (const file of files) {
    const probe = new KubeConfig();
    try {
      probe.loadFromFile(file);
    } catch (err) {
      throw new ConfigError(`kubeconfig: ${file}: ${(err as Error).message}`);
    }
    for (const ctx of probe.getContexts()) {
      const pick =
        wanted.length === 0 ? { name: ctx.name, context: ctx.name } : wanted.find((w) => w.context === ctx.name);
      if (!pick) continue;
      if (found.some((m) => m.context === ctx.name)) continue; // the first file that has a context wins
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      kc.setCurrentContext(ctx.name);
      if (!kc.getCurrentCluster()) throw new ConfigError(`kubeconfig: ${file}: context "${ctx.name}" names no cluster`);
      found.push({ name: pick.name, context: ctx.name, file, kubeConfig: kc });
    }
  }
  for (const w of wanted) {
    if (!found.some((m) => m.context === w.context))
      throw new ConfigError(`contexts: "${w.context}" is in none of ${files.join(', ')}`);
  }
  const names = new Set<string>();
  for (const m of found) {
    if (!isDns1123Label(m.name)) {
      throw new ConfigError(
        `contexts: cluster name "${m.name}" (context "${m.context}") is not an RFC 1123 DNS label; name it with name=context`,
      );
    }
    if (names.has(m.name)) throw new ConfigError(`contexts: two member clusters are named "${m.name}"`);
    names.add(m.name);
  }
  if (found.length === 0) throw new ConfigError(`kubeconfig: no contexts in ${files.join(', ')}`);
  return found;
}
