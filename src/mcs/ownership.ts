// How the objects we write are marked, so that we find, update and delete only our own.

/** Standard label on every object we create; its value tells other tools who owns it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'clusterset';

/** KEP-1645: MCS EndpointSlices must be marked as managed by the mcs-controller, not the default controller. */
export const ENDPOINTSLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_MANAGED_BY_VALUE = 'clusterset-controller.clusterset.io';

/** The one field manager of every server-side apply we make. */
export const FIELD_MANAGER = 'clusterset';

export const MCS_GROUP = 'multicluster.x-k8s.io';
export const MCS_VERSION = 'v1beta1';
