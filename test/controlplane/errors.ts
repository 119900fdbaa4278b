/** Why the test control plane could not be had; `reason` lets callers branch without parsing messages. */
export type ControlPlaneFailure =
  | 'binaries-missing' // kube-apiserver/etcd not in the cache and no build was asked for
  | 'go-missing' // a build was asked for but Go is not installed
  | 'build-failed' // scripts/build-controlplane.sh exited non-zero
  | 'port-in-use' // a process could not bind its loopback port
  | 'not-ready' // a process never answered its health endpoint in time
  | 'exited' // a process exited while starting
  | 'crd-not-established' // a CRD was created but never became Established
  | 'reference-missing'; // a reference file (e.g. the Istio CRD) was asked for but is absent

export class ControlPlaneError extends Error {
  readonly reason: ControlPlaneFailure;
  constructor(reason: ControlPlaneFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlPlaneError';
    this.reason = reason;
  }
}
