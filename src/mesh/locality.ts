// Istio locality `region/zone[/subzone]` of an endpoint: the zone from its EndpointSlice, region and
// sub-zone from its node's labels when a lookup knows them. Istio itself writes an empty region when a node
// has a zone label but no region label (pilot's pod locality), so "/zone" is a locality it understands.

export interface NodeTopology {
  region?: string;
  zone?: string;
  subzone?: string;
}

export function localityOf(endpointZone: string | undefined, node: NodeTopology | undefined): string | undefined {
  const region = node?.region ?? '';
  const zone = endpointZone ?? node?.zone ?? '';
  const subzone = node?.subzone ?? '';
  if (region === '' && zone === '' && subzone === '') return undefined;
  // A "/" inside a part would shift the parts; such a value is not a topology label value anyway.
  if ([region, zone, subzone].some((p) => p.includes('/'))) return undefined;
  return subzone === '' ? `${region}/${zone}` : `${region}/${zone}/${subzone}`;
}
