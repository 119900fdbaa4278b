// Text IP address → the bytes of an A or AAAA record. Pure, without node:net, so the zone index stays free of I/O
// modules. Returns undefined for anything that is not a plain IPv4 or IPv6 address.

export function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words: number[][] = [];
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] ?? '';
    const list: number[] = [];
    const groups = half === '' ? [] : half.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (g.includes('.') && i === groups.length - 1 && h === halves.length - 1) {
        const v4 = ipv4Bytes(g);
        if (!v4) return undefined;
        list.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      list.push(Number.parseInt(g, 16));
    }
    words.push(list);
  }
  const head = words[0] ?? [];
  const tail = words[1] ?? [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Bytes of either family: 4 for IPv4, 16 for IPv6. */
export function ipBytes(text: string): Uint8Array | undefined {
  return ipv4Bytes(text) ?? ipv6Bytes(text);
}
