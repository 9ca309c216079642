// Whether a socket's remote address is this machine: 127.0.0.0/8, ::1, or 127.x mapped into
// IPv6. Only the socket's own address counts; X-Forwarded-For and the like are never read.

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
