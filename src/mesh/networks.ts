// The `cluster=network` list of the mesh settings: which Istio network each member cluster's endpoints are in.
import { labelValueProblem } from '../mcs/names.ts';

export class MeshNetworksError extends Error {
  override name = 'MeshNetworksError';
}

export function parseMeshNetworks(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const cluster = eq > 0 ? entry.slice(0, eq).trim() : '';
    const network = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (cluster === '' || network === '')
      throw new MeshNetworksError(`"${entry}" is not cluster=network (for example east=network-1)`);
    // Istio copies the network onto endpoint labels (topology.istio.io/network): it must be a label value.
    const problem = labelValueProblem(network);
    if (problem) throw new MeshNetworksError(`"${entry}": the network ${problem}`);
    const seen = out.get(cluster);
    if (seen !== undefined && seen !== network)
      throw new MeshNetworksError(`cluster "${cluster}" is given two networks: "${seen}" and "${network}"`);
    out.set(cluster, network);
  }
  return out;
}
