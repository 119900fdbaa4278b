// Decoding a DNS query off the wire (RFC 1035 §4, RFC 6891 for OPT). Never throws: every bound is checked, and a
// bad packet comes back as the reason to refuse it. Names in a query are never followed through compression
// pointers: the only name we read is the question's, and a pointer there could only point back into the header.

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;
/** Extended rcode 16 (RFC 6891): header rcode 0, upper bits 1 in the OPT TTL. */
export const RCODE_BADVERS = 16;

export const HEADER_LENGTH = 12;
export const OPCODE_QUERY = 0;

export interface DecodedQuery {
  id: number;
  /** The opcode and RD bit as sent, for echoing. */
  flags: number;
  /** Offset just past the question section; the question bytes are [12, questionEnd). */
  questionEnd: number;
  /** Length of the question name on the wire, including the root byte. */
  qnameLength: number;
  qtype: number;
  qclass: number;
  /** The EDNS(0) requestor payload size, or undefined without an OPT record. */
  ednsPayload: number | undefined;
  ednsVersion: number;
}

export type QueryProblem =
  /** Too short for a header, or a response: no reply at all (replying to responses invites loops). */
  | { kind: 'drop' }
  /** Parsable header: reply with this rcode and no question unless one could be read. */
  | { kind: 'error'; rcode: number; id: number; flags: number; questionEnd: number };

export function isProblem(q: DecodedQuery | QueryProblem): q is QueryProblem {
  return 'kind' in q;
}

/** Read the question name: returns its wire length, or -1 when it is malformed (pointer, bad label, too long). */
export function questionNameLength(msg: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    if (at >= msg.length) return -1;
    const len = msg[at] ?? 0;
    if (len === 0) break;
    if (len > 63) return -1; // 0xC0 pointer or the obsolete 0x40/0x80 label types
    at += len + 1;
    if (at - start > 254) return -1; // 255 octets including the root byte
  }
  return at + 1 - start;
}

/**
 * The question name in presentation form (computed only on a cache miss), lower-cased ASCII, labels joined by dots; "" for the root. */
export function qnameText(msg: Uint8Array, start: number): string {
  let at = start;
  let out = '';
  for (;;) {
    const len = msg[at] ?? 0;
    if (len === 0) return out;
    if (out !== '') out += '.';
    for (let i = at + 1; i <= at + len; i++) {
      let c = msg[i] ?? 0;
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      // Escape what would let a label masquerade as two labels: no zone name holds these bytes, so no false match.
      if (c === 0x2e || c === 0x5c) out += '\\';
      out += String.fromCharCode(c);
    }
    at += len + 1;
  }
}

/** Skip a possibly compressed name (never following a pointer); returns the offset after it, or -1. */
function skipName(msg: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    if (at >= msg.length) return -1;
    const len = msg[at] ?? 0;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2 <= msg.length ? at + 2 : -1;
    if (len > 63) return -1;
    at += len + 1;
  }
}

function u16(msg: Uint8Array, at: number): number {
  return ((msg[at] ?? 0) << 8) | (msg[at + 1] ?? 0);
}

// A module-level function rather than a closure in decodeQuery: the query path allocates nothing it can avoid.
function problem(rcode: number, id: number, flags: number, questionEnd: number): QueryProblem {
  return { kind: 'error', rcode, id, flags, questionEnd };
}

export function decodeQuery(msg: Uint8Array): DecodedQuery | QueryProblem {
  if (msg.length < HEADER_LENGTH) return { kind: 'drop' };
  const id = u16(msg, 0);
  const flagsHi = msg[2] ?? 0;
  if (flagsHi & 0x80) return { kind: 'drop' };
  const flags = flagsHi & 0x79; // opcode + RD
  const opcode = (flagsHi >> 3) & 0x0f;
  const qdcount = u16(msg, 4);
  const ancount = u16(msg, 6);
  const nscount = u16(msg, 8);
  const arcount = u16(msg, 10);
  if (opcode !== OPCODE_QUERY) return problem(RCODE_NOTIMP, id, flags, HEADER_LENGTH);
  if (qdcount !== 1) return problem(RCODE_FORMERR, id, flags, HEADER_LENGTH);
  const qnameLength = questionNameLength(msg, HEADER_LENGTH);
  if (qnameLength < 0 || HEADER_LENGTH + qnameLength + 4 > msg.length)
    return problem(RCODE_FORMERR, id, flags, HEADER_LENGTH);
  const questionEnd = HEADER_LENGTH + qnameLength + 4;
  const qtype = u16(msg, HEADER_LENGTH + qnameLength);
  const qclass = u16(msg, HEADER_LENGTH + qnameLength + 2);
  let at = questionEnd;
  let ednsPayload: number | undefined;
  let ednsVersion = 0;
  const total = ancount + nscount + arcount;
  for (let i = 0; i < total; i++) {
    const nameStart = at;
    at = skipName(msg, at);
    if (at < 0 || at + 10 > msg.length) return problem(RCODE_FORMERR, id, flags, questionEnd);
    const type = u16(msg, at);
    const rdlength = u16(msg, at + 8);
    if (type === 41) {
      // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
      if (i < ancount + nscount || ednsPayload !== undefined || msg[nameStart] !== 0) {
        return problem(RCODE_FORMERR, id, flags, questionEnd);
      }
      ednsPayload = Math.max(512, u16(msg, at + 2));
      ednsVersion = msg[at + 5] ?? 0;
    }
    at += 10 + rdlength;
    if (at > msg.length) return problem(RCODE_FORMERR, id, flags, questionEnd);
  }
  return {
    id,
    flags,
    questionEnd,
    qnameLength,
    qtype,
    qclass,
    ednsPayload,
    ednsVersion,
  };
}
