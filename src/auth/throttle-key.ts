// What the failure throttle counts a client by: an IPv4 address as itself (an IPv4-mapped IPv6
// address as its IPv4 address), an IPv6 address by its /64 — one host is commonly given a
// whole /64, so counting each address apart would let it guess from a fresh one each time.
import { isIPv6 } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (zone removed, `::` and an IPv4 tail expanded). */
function groupsOf(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parts = (text: string | undefined): number[] =>
    text === undefined || text === ''
      ? []
      : text.split(':').flatMap((part) => {
          if (!part.includes('.')) return [parseInt(part, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const first = parts(head);
  const last = parts(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

export function throttleKey(address: string): string {
  const withoutZone = address.split('%')[0] ?? address;
  if (!isIPv6(withoutZone)) return address;
  const groups = groupsOf(withoutZone);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
