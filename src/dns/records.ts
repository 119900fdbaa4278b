// Resource-record data as the zone holds it: decoded enough to compare and to encode with name compression.
// Names are lower-case, without the trailing dot.

export const RR_A = 1;
export const RR_NS = 2;
export const RR_SOA = 6;
export const RR_HINFO = 13;
export const RR_TXT = 16;
export const RR_AAAA = 28;
export const RR_SRV = 33;
export const RR_OPT = 41;
export const QTYPE_IXFR = 251;
export const QTYPE_AXFR = 252;
export const QTYPE_MAILB = 253;
export const QTYPE_MAILA = 254;
export const QTYPE_ANY = 255;
export const CLASS_IN = 1;

export interface AddressData {
  type: typeof RR_A | typeof RR_AAAA;
  /** 4 bytes for A, 16 for AAAA. */
  bytes: Uint8Array;
}

export interface SrvData {
  type: typeof RR_SRV;
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface TxtData {
  type: typeof RR_TXT;
  strings: string[];
}

export interface NsData {
  type: typeof RR_NS;
  target: string;
}

export interface SoaData {
  type: typeof RR_SOA;
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** Only for RFC 8482 minimal answers to ANY. */
export interface HinfoData {
  type: typeof RR_HINFO;
  cpu: string;
  os: string;
}

export type RecordData = AddressData | SrvData | TxtData | NsData | SoaData | HinfoData;

/** All records of one type at one name (an RRset): every record shares the TTL. */
export interface RRSet {
  type: number;
  ttl: number;
  records: RecordData[];
}

/** One owner name's records, keyed by type. */
export type NameRecords = Map<number, RRSet>;

/** A record ready to encode: owner, TTL and data. */
export interface ResourceRecord {
  name: string;
  ttl: number;
  data: RecordData;
}

/** A stable text form of one name's records, to tell whether an upsert changed a name at all. */
export function signatureOf(records: NameRecords): string {
  const parts: string[] = [];
  for (const type of [...records.keys()].sort((a, b) => a - b)) {
    const set = records.get(type);
    if (!set) continue;
    parts.push(`${type}/${set.ttl}:${set.records.map(recordText).join(',')}`);
  }
  return parts.join(';');
}

function recordText(data: RecordData): string {
  switch (data.type) {
    case RR_A:
    case RR_AAAA:
      return Array.from(data.bytes).join('.');
    case RR_SRV:
      return `${data.priority} ${data.weight} ${data.port} ${data.target}`;
    case RR_TXT:
      return JSON.stringify(data.strings);
    case RR_NS:
      return data.target;
    case RR_SOA:
      return `${data.mname} ${data.rname} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
    case RR_HINFO:
      return JSON.stringify([data.cpu, data.os]);
  }
}
