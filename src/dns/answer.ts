// The DNS handler, pure (CoreDNS style: question + zone → answer; transport lives elsewhere). `resolve` decides
// what to say, `encodeTemplate` turns it into response bytes with a placeholder id, and `finishResponse` fits a
// template to one query: id, RD bit, the query's own question bytes (so names come back in the query's case:
// every owner name is a compression pointer into the question), EDNS OPT, and truncation to the payload size.
import { Buffer } from 'node:buffer';
import { MessageWriter } from './message-writer.ts';
import { isWithin } from './names.ts';
import {
  type DecodedQuery,
  decodeQuery,
  HEADER_LENGTH,
  isProblem,
  qnameText,
  RCODE_BADVERS,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
} from './query-decode.ts';
import {
  CLASS_IN,
  QTYPE_ANY,
  QTYPE_AXFR,
  QTYPE_IXFR,
  QTYPE_MAILA,
  QTYPE_MAILB,
  type ResourceRecord,
  RR_A,
  RR_AAAA,
  RR_HINFO,
  RR_NS,
  RR_OPT,
  RR_SRV,
} from './records.ts';
import type { ZoneIndex } from './zone.ts';

export interface Question {
  /** Lower-case presentation form, no trailing dot. */
  qname: string;
  qtype: number;
  qclass: number;
}

export interface Answer {
  rcode: number;
  authoritative: boolean;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** Encoded forms of one answer; the header's id is 0 and RD clear until `finishResponse`. */
export interface ResponseTemplate {
  full: Uint8Array;
  /** The same without the additional section (glue is optional), when there is one. */
  lean: Uint8Array | undefined;
  /** Header and question only, TC set: for when even `lean` does not fit. */
  truncated: Uint8Array;
  rcode: number;
}

/** The largest UDP payload we offer in our OPT (DNS flag day 2020: 1232 avoids IP fragmentation). */
export const SERVER_UDP_PAYLOAD = 1232;
export const PLAIN_UDP_LIMIT = 512;
export const TCP_LIMIT = 65535;
const OPT_LENGTH = 11;

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;

export function resolve(q: Question, zone: ZoneIndex): Answer {
  const refuse = (rcode: number): Answer => ({
    rcode,
    authoritative: false,
    answer: [],
    authority: [],
    additional: [],
  });
  // Authoritative for one zone of class IN; no recursion, so everything else is refused.
  if (q.qclass !== CLASS_IN || !isWithin(q.qname, zone.apex)) return refuse(RCODE_REFUSED);
  if (q.qtype === RR_OPT) return refuse(RCODE_FORMERR);
  if (q.qtype === QTYPE_AXFR || q.qtype === QTYPE_IXFR || q.qtype === QTYPE_MAILA || q.qtype === QTYPE_MAILB) {
    return refuse(RCODE_NOTIMP);
  }
  const negative = (rcode: number): Answer => ({
    rcode,
    authoritative: true,
    answer: [],
    authority: [zone.soa],
    additional: [],
  });
  if (!zone.exists(q.qname)) return negative(RCODE_NXDOMAIN);
  const records = zone.lookup(q.qname);
  if (q.qtype === QTYPE_ANY) {
    // RFC 8482: answer ANY with one small synthesized record instead of everything the name owns.
    if (!records || records.size === 0) return negative(RCODE_NOERROR);
    return {
      rcode: RCODE_NOERROR,
      authoritative: true,
      answer: [{ name: q.qname, ttl: zone.ttl, data: { type: RR_HINFO, cpu: 'RFC8482', os: '' } }],
      authority: [],
      additional: [],
    };
  }
  const set = records?.get(q.qtype);
  if (!set) return negative(RCODE_NOERROR);
  const answer = set.records.map((data) => ({ name: q.qname, ttl: set.ttl, data }));
  const additional: ResourceRecord[] = [];
  const glued = new Set<string>();
  for (const data of set.records) {
    const target = data.type === RR_SRV || data.type === RR_NS ? data.target : undefined;
    if (target === undefined || glued.has(target)) continue;
    glued.add(target);
    for (const type of [RR_A, RR_AAAA]) {
      const glue = zone.rrset(target, type);
      if (glue) for (const g of glue.records) additional.push({ name: target, ttl: glue.ttl, data: g });
    }
  }
  return { rcode: RCODE_NOERROR, authoritative: true, answer, authority: [], additional };
}

function encode(q: Question, a: Answer, withAdditional: boolean): Uint8Array {
  const w = new MessageWriter();
  w.u16(0);
  w.u16(FLAG_QR | (a.authoritative ? FLAG_AA : 0) | (a.rcode & 0x0f));
  w.u16(1);
  w.u16(a.answer.length);
  w.u16(a.authority.length);
  w.u16(withAdditional ? a.additional.length : 0);
  w.name(q.qname);
  w.u16(q.qtype);
  w.u16(q.qclass);
  for (const rr of a.answer) w.record(rr);
  for (const rr of a.authority) w.record(rr);
  if (withAdditional) for (const rr of a.additional) w.record(rr);
  return w.finish();
}

export function encodeTemplate(q: Question, a: Answer): ResponseTemplate {
  const full = encode(q, a, true);
  const lean = a.additional.length > 0 ? encode(q, a, false) : undefined;
  const questionEnd = HEADER_LENGTH + (full.length >= HEADER_LENGTH ? questionWireLength(q) : 0);
  const truncated = full.slice(0, questionEnd);
  truncated[2] = (truncated[2] ?? 0) | (FLAG_TC >> 8);
  truncated.fill(0, 6, 12);
  return { full, lean, truncated, rcode: a.rcode };
}

function questionWireLength(q: Question): number {
  const w = new MessageWriter();
  w.name(q.qname, false);
  return w.length + 4;
}

/** The byte limit of a response to this query on this transport (RFC 6891 §6.2.5, RFC 1035 §4.2.1). */
export function responseLimit(q: DecodedQuery, tcp: boolean): number {
  if (tcp) return TCP_LIMIT;
  if (q.ednsPayload === undefined) return PLAIN_UDP_LIMIT;
  return Math.min(q.ednsPayload, SERVER_UDP_PAYLOAD);
}

/**
 * Fit a template to one query. `msg` is the query; its question bytes replace the template's lower-case ones.
 * This is the per-query cost on a cache hit, so it allocates from Buffer's pool and copies without views.
 */
export function finishResponse(template: ResponseTemplate, msg: Buffer, q: DecodedQuery, limit: number): Buffer {
  const opt = q.ednsPayload === undefined ? 0 : OPT_LENGTH;
  let body = template.full;
  if (body.length + opt > limit) body = template.lean && template.lean.length + opt <= limit ? template.lean : body;
  if (body.length + opt > limit) body = template.truncated;
  const out = Buffer.allocUnsafe(body.length + opt);
  out.set(body);
  out[0] = msg[0] ?? 0;
  out[1] = msg[1] ?? 0;
  out[2] = (out[2] ?? 0) | ((msg[2] ?? 0) & 0x79);
  msg.copy(out, HEADER_LENGTH, HEADER_LENGTH, q.questionEnd);
  if (opt) writeOpt(out, body.length, 0);
  return out;
}

function writeOpt(out: Uint8Array, at: number, extendedRcode: number): void {
  const arcount = (((out[10] ?? 0) << 8) | (out[11] ?? 0)) + 1;
  out[10] = arcount >> 8;
  out[11] = arcount & 0xff;
  out[at] = 0; // root owner
  out[at + 1] = 0;
  out[at + 2] = RR_OPT;
  out[at + 3] = SERVER_UDP_PAYLOAD >> 8;
  out[at + 4] = SERVER_UDP_PAYLOAD & 0xff;
  out[at + 5] = extendedRcode; // upper 8 bits of the 12-bit rcode; then version 0, DO clear, rdlength 0
  for (let i = at + 6; i < at + 11; i++) out[i] = 0;
}

/**
 * A reply that carries only a header (and the question when it could be read): FORMERR, NOTIMP, REFUSED, BADVERS.
 * Never cached: such queries are cheap to answer and must not crowd good answers out of the cache.
 */
export function errorResponse(
  msg: Uint8Array,
  id: number,
  flags: number,
  rcode: number,
  questionEnd: number,
  edns: boolean,
): Buffer {
  const opt = edns ? OPT_LENGTH : 0;
  const out = Buffer.alloc(questionEnd + opt);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = 0x80 | (flags & 0x79);
  out[3] = rcode & 0x0f;
  out[5] = questionEnd > HEADER_LENGTH ? 1 : 0;
  if (questionEnd > HEADER_LENGTH) out.set(msg.subarray(HEADER_LENGTH, questionEnd), HEADER_LENGTH);
  if (edns) writeOpt(out, questionEnd, rcode >> 4);
  return out;
}

/** The whole handler without a cache: query bytes in, response bytes out (null: send nothing). */
export function answerQuery(msg: Buffer, zone: ZoneIndex, tcp = false): Buffer | null {
  const q = decodeQuery(msg);
  if (isProblem(q)) {
    if (q.kind === 'drop') return null;
    return errorResponse(msg, q.id, q.flags, q.rcode, q.questionEnd, false);
  }
  if (q.ednsPayload !== undefined && q.ednsVersion !== 0) {
    return errorResponse(msg, q.id, q.flags, RCODE_BADVERS, q.questionEnd, true);
  }
  const question = { qname: qnameText(msg, HEADER_LENGTH), qtype: q.qtype, qclass: q.qclass };
  const template = encodeTemplate(question, resolve(question, zone));
  return finishResponse(template, msg, q, responseLimit(q, tcp));
}
