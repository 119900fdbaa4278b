// FNV-1a (64-bit) over UTF-16 code units: a stable, dependency-free hash for deterministic choices
// (ClusterSetIP offsets, EndpointSlice names). Not for security.
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv1a64(text: string): bigint {
  let h = OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * PRIME) & MASK;
  }
  return h;
}

/** A short lower-case base-36 digest, safe inside DNS-1123 names. */
export function shortHash(text: string, length = 10): string {
  return fnv1a64(text).toString(36).padStart(length, '0').slice(-length);
}
