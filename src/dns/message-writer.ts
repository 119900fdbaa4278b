// Encoding a DNS response (RFC 1035 §4.1) with name compression (§4.1.4). Grows its own buffer; never throws for
// a too-large message: the caller reads `length` and decides to truncate.
import {
  type RecordData,
  type ResourceRecord,
  RR_A,
  RR_AAAA,
  RR_HINFO,
  RR_NS,
  RR_SOA,
  RR_SRV,
  RR_TXT,
} from './records.ts';

/** Compression pointers hold 14 bits of offset. */
const MAX_POINTER_OFFSET = 0x3fff;

export class MessageWriter {
  private buf = new Uint8Array(512);
  length = 0;
  /** Suffix (lower-case presentation form) → offset of its first occurrence. */
  private readonly suffixes = new Map<string, number>();

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.length++] = (v >> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number): void {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  setU16(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /**
   * A name, compressed against earlier names unless `compress` is false (RFC 2782: SRV targets are written in
   * full). Either way its suffixes become targets for later names. Labels are ASCII: the zone holds no others.
   */
  name(name: string, compress = true): void {
    const labels = name === '' ? [] : splitLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const known = compress ? this.suffixes.get(suffix) : undefined;
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length <= MAX_POINTER_OFFSET && !this.suffixes.has(suffix)) this.suffixes.set(suffix, this.length);
      const label = unescapeLabel(labels[i] ?? '');
      this.u8(label.length);
      for (let j = 0; j < label.length; j++) this.u8(label.charCodeAt(j));
    }
    this.u8(0);
  }

  record(rr: ResourceRecord): void {
    this.name(rr.name);
    this.u16(rr.data.type);
    this.u16(1); // IN
    this.u32(rr.ttl);
    const rdlengthAt = this.length;
    this.u16(0);
    this.rdata(rr.data);
    this.setU16(rdlengthAt, this.length - rdlengthAt - 2);
  }

  private rdata(data: RecordData): void {
    switch (data.type) {
      case RR_A:
      case RR_AAAA:
        this.bytes(data.bytes);
        return;
      case RR_SRV:
        this.u16(data.priority);
        this.u16(data.weight);
        this.u16(data.port);
        this.name(data.target, false);
        return;
      case RR_TXT:
        for (const s of data.strings) this.characterString(s);
        return;
      case RR_NS:
        this.name(data.target);
        return;
      case RR_SOA:
        this.name(data.mname);
        this.name(data.rname);
        this.u32(data.serial);
        this.u32(data.refresh);
        this.u32(data.retry);
        this.u32(data.expire);
        this.u32(data.minimum);
        return;
      case RR_HINFO:
        this.characterString(data.cpu);
        this.characterString(data.os);
        return;
    }
  }

  private characterString(s: string): void {
    const bytes = new TextEncoder().encode(s).subarray(0, 255);
    this.u8(bytes.length);
    this.bytes(bytes);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Split presentation form on dots that are not escaped by a backslash. */
function splitLabels(name: string): string[] {
  if (!name.includes('\\')) return name.split('.');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && i + 1 < name.length) {
      cur += c + name[i + 1];
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescapeLabel(label: string): string {
  return label.includes('\\') ? label.replace(/\\(.)/g, '$1') : label;
}
