// The query path with its answer cache: query bytes → response bytes. Answers are encoded once per (name, type)
// and kept in an LRU until the zone says that name changed. Names that do not exist go to a separate, smaller LRU
// so that a flood of random names cannot push the real answers out.
import type { Buffer } from 'node:buffer';
import { LRUCache } from 'lru-cache';
import {
  answerQuery,
  encodeTemplate,
  errorResponse,
  finishResponse,
  type ResponseTemplate,
  resolve,
  responseLimit,
} from './answer.ts';
import { wireKeyOf } from './names.ts';
import {
  decodeQuery,
  HEADER_LENGTH,
  isProblem,
  qnameText,
  RCODE_BADVERS,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
} from './query-decode.ts';
import { CLASS_IN } from './records.ts';
import { DnsStats } from './stats.ts';
import type { ZoneIndex } from './zone.ts';

export interface ResponderOptions {
  /** Names with cached answers (each holds one template per queried type). */
  cacheNames?: number;
  /** Non-existent names with a cached NXDOMAIN. */
  negativeCacheNames?: number;
}

type NameAnswers = Map<number, ResponseTemplate>;

export class DnsResponder {
  readonly stats = new DnsStats();
  private readonly positive: LRUCache<string, NameAnswers>;
  private readonly negative: LRUCache<string, NameAnswers>;

  readonly zone: ZoneIndex;

  constructor(zone: ZoneIndex, options: ResponderOptions = {}) {
    this.zone = zone;
    this.positive = new LRUCache({ max: options.cacheNames ?? 50_000 });
    this.negative = new LRUCache({ max: options.negativeCacheNames ?? 10_000 });
    zone.onChange((names) => {
      for (const name of names) {
        const key = wireKeyOf(name);
        this.positive.delete(key);
        this.negative.delete(key);
      }
    });
  }

  /** Answer one query; null means send nothing (a response, or too short to carry an id). */
  respond(msg: Buffer, tcp: boolean): Buffer | null {
    const q = decodeQuery(msg);
    if (isProblem(q)) {
      if (q.kind === 'drop') {
        this.stats.dropped++;
        return null;
      }
      this.stats.countQuery(-1, q.rcode);
      return errorResponse(msg, q.id, q.flags, q.rcode, q.questionEnd, false);
    }
    if (q.ednsPayload !== undefined && q.ednsVersion !== 0) {
      this.stats.countQuery(q.qtype, RCODE_BADVERS);
      return errorResponse(msg, q.id, q.flags, RCODE_BADVERS, q.questionEnd, true);
    }
    if (q.qclass !== CLASS_IN) {
      const out = answerQuery(msg, this.zone, tcp);
      this.stats.countQuery(q.qtype, out ? (out[3] ?? 0) & 0x0f : 0);
      return out;
    }
    // Decoding the name bytes as latin1 keeps one character per byte: see wireKeyOf.
    const raw = msg.toString('latin1', HEADER_LENGTH, HEADER_LENGTH + q.qnameLength);
    // Most queries are lower case already: a second string only when one has upper-case letters.
    const key = hasUpperCase(msg, HEADER_LENGTH, HEADER_LENGTH + q.qnameLength) ? raw.toLowerCase() : raw;
    let template = this.positive.get(key)?.get(q.qtype) ?? this.negative.get(key)?.get(q.qtype);
    if (template) this.stats.cacheHits++;
    else {
      this.stats.cacheMisses++;
      const question = { qname: qnameText(msg, HEADER_LENGTH), qtype: q.qtype, qclass: q.qclass };
      template = encodeTemplate(question, resolve(question, this.zone));
      this.remember(key, q.qtype, template);
    }
    const limit = responseLimit(q, tcp);
    const out = finishResponse(template, msg, q, limit);
    if (((out[2] ?? 0) & 0x02) !== 0) this.stats.truncated++;
    this.stats.countQuery(q.qtype, template.rcode);
    return out;
  }

  private remember(key: string, qtype: number, template: ResponseTemplate): void {
    // REFUSED and the other errors are not kept: they are cheap and their names are whatever a client sends.
    const cache =
      template.rcode === RCODE_NOERROR ? this.positive : template.rcode === RCODE_NXDOMAIN ? this.negative : undefined;
    if (!cache) return;
    let entry = cache.get(key);
    if (!entry) {
      entry = new Map();
      cache.set(key, entry);
    }
    entry.set(qtype, template);
  }
}

function hasUpperCase(msg: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = msg[i] ?? 0;
    if (b >= 0x41 && b <= 0x5a) return true;
  }
  return false;
}
