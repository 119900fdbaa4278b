// Domain-name helpers shared by the zone index, the renderer and the wire codec. Names inside the DNS room are
// kept lower-case, without the trailing dot ("web.prod.svc.clusterset.local"), except the wire key below.

/** RFC 1035 §2.3.4: 63 octets per label, 255 on the wire (253 characters in text form). */
export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_TEXT_LENGTH = 253;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The first label of an SRV owner (`_http`, `_tcp`): a port name or protocol behind an underscore. */
const SERVICE_LABEL = /^_[a-z0-9]([a-z0-9-]{0,60}[a-z0-9])?$/;

export function isDnsLabel(label: string): boolean {
  return LABEL.test(label);
}

export function isServiceLabel(label: string): boolean {
  return SERVICE_LABEL.test(label);
}

/** A cluster id is one label, or two joined by a dot (KEP-2149 allows `label.label`). */
export function isClusterIdLabels(id: string): boolean {
  const parts = id.split('.');
  return parts.length >= 1 && parts.length <= 2 && parts.every(isDnsLabel);
}

export function fitsNameLength(name: string): boolean {
  return name.length <= MAX_NAME_TEXT_LENGTH && name.split('.').every((l) => l.length <= MAX_LABEL_LENGTH);
}

/** Ancestors of `name` strictly below and including `apex`, nearest first ("a.b.apex" → ["b.apex", "apex"]). */
export function ancestorsWithin(name: string, apex: string): string[] {
  const out: string[] = [];
  let rest = name;
  while (rest !== apex) {
    const dot = rest.indexOf('.');
    if (dot < 0) return out;
    rest = rest.slice(dot + 1);
    out.push(rest);
  }
  return out;
}

export function isWithin(name: string, apex: string): boolean {
  return name === apex || name.endsWith(`.${apex}`);
}

/**
 * The cache key of a name: its uncompressed wire form as a latin1 string, lower-cased. A query's question name
 * becomes the same key with one `toString('latin1')` + `toLowerCase()`, so the hot path never builds a dotted name.
 * Label length bytes (≤ 63) are never touched by toLowerCase, and no non-ASCII latin1 character lower-cases to ASCII,
 * so two keys are equal only for names that are equal without regard to ASCII case.
 */
export function wireKeyOf(name: string): string {
  let key = '';
  if (name !== '') {
    for (const label of name.split('.')) key += String.fromCharCode(label.length) + label;
  }
  return `${key}\u0000`;
}

/**
 * The system-assigned id of an endpoint without a hostname: its first address with dots and colons turned into
 * dashes, as CoreDNS names pods ("198.18.0.7" → "198-18-0-7", "2001:db8::7" → "2001-db8--7").
 */
export function endpointIdOf(address: string): string {
  const dashed = address.toLowerCase().replace(/[.:]/g, '-');
  // "::1" would give "--1"; a label may not start or end with a dash, so pad with the zero that "::" stands for.
  return `${dashed.startsWith('-') ? '0' : ''}${dashed}${dashed.endsWith('-') ? '0' : ''}`;
}
