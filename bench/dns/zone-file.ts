// Our zone, dumped as an RFC 1035 master file for Knot DNS: the peer serves exactly the records we serve.
import { type RecordData, RR_A, RR_AAAA, RR_NS, RR_SOA, RR_SRV, RR_TXT } from '../../src/dns/records.ts';
import type { ZoneIndex } from '../../src/dns/zone.ts';

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return words.join(':');
}

function rdataText(d: RecordData): [string, string] | undefined {
  switch (d.type) {
    case RR_A:
      return ['A', ipText(d.bytes)];
    case RR_AAAA:
      return ['AAAA', ipText(d.bytes)];
    case RR_SRV:
      return ['SRV', `${d.priority} ${d.weight} ${d.port} ${d.target}.`];
    case RR_TXT:
      return ['TXT', d.strings.map((s) => JSON.stringify(s)).join(' ')];
    case RR_NS:
      return ['NS', `${d.target}.`];
    case RR_SOA:
      return ['SOA', `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`];
    default:
      return undefined;
  }
}

export function zoneFileOf(zone: ZoneIndex): string {
  const lines = [`$ORIGIN ${zone.apex}.`];
  // The SOA first, as a master file wants.
  const entries = [...zone.entries()].sort(([a], [b]) => (a === zone.apex ? -1 : b === zone.apex ? 1 : 0));
  for (const [name, records] of entries) {
    for (const set of records.values()) {
      for (const data of set.records) {
        const text = rdataText(data);
        if (text) lines.push(`${name}. ${set.ttl} IN ${text[0]} ${text[1]}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
