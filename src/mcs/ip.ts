// IP address and CIDR arithmetic on bigints, without node:net, so the core stays free of I/O modules.
import type { IPFamily } from './types.ts';

export interface Cidr {
  family: IPFamily;
  base: bigint;
  prefix: number;
  bits: 32 | 128;
}

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const push = (list: string[], allowV4Tail: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i] ?? '';
      if (allowV4Tail && i === list.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return false;
        words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      words.push(Number.parseInt(g, 16));
    }
    return true;
  };
  if (!push(head, halves.length === 1)) return undefined;
  const headLen = words.length;
  if (!push(tail, true)) return undefined;
  const tailWords = words.splice(headLen);
  const missing = 8 - words.length - tailWords.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...words, ...new Array<number>(missing).fill(0), ...tailWords];
  return all.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

export function ipFamilyOf(text: string): IPFamily | undefined {
  if (parseIPv4(text) !== undefined) return 'IPv4';
  if (parseIPv6(text) !== undefined) return 'IPv6';
  return undefined;
}

export function formatIP(value: bigint, family: IPFamily): string {
  if (family === 'IPv4') {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (of two or more) of zero words, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address, so that `fd00:0::1` and `fd00::1` are one key. */
export function canonicalIP(text: string): string | undefined {
  const family = ipFamilyOf(text);
  if (!family) return undefined;
  const value = family === 'IPv4' ? parseIPv4(text) : parseIPv6(text);
  return value === undefined ? undefined : formatIP(value, family);
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (addr === undefined || len === undefined || rest.length > 0 || !/^[0-9]{1,3}$/.test(len)) return undefined;
  const family = ipFamilyOf(addr);
  if (!family) return undefined;
  const bits = family === 'IPv4' ? 32 : 128;
  const prefix = Number(len);
  if (prefix > bits) return undefined;
  const value = family === 'IPv4' ? parseIPv4(addr) : parseIPv6(addr);
  if (value === undefined) return undefined;
  const hostBits = BigInt(bits - prefix);
  const base = (value >> hostBits) << hostBits;
  return { family, base, prefix, bits };
}

export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(cidr.bits - cidr.prefix);
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (ipFamilyOf(ip) !== cidr.family) return false;
  const value = cidr.family === 'IPv4' ? parseIPv4(ip) : parseIPv6(ip);
  if (value === undefined) return false;
  return value >= cidr.base && value < cidr.base + cidrSize(cidr);
}
