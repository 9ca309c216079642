// Credentials in camera URLs (user:password@ and secret-looking query parameters) never leave
// algo: maskUrl is what logs, metrics and API answers show, and redactor scrubs any text
// (ffmpeg's stderr, error messages) of the URL and of each secret in it, raw or %-encoded.

const SECRET_QUERY = /pass|pwd|token|key|secret|auth|sig|user|login/i;
export const MASK = '***';

function parse(url: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL as it may be shown: userinfo and secret-looking query values replaced by ***. */
export function maskUrl(url: string): string {
  const parsed = parse(url);
  // Not a URL the parser accepts: still hide anything that looks like userinfo.
  if (parsed === undefined) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${MASK}@`);
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = MASK;
    parsed.password = parsed.password === '' ? '' : MASK;
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(name)) parsed.searchParams.set(name, MASK);
  }
  // URL escapes the asterisks it was given; show them plainly.
  return parsed.toString().replaceAll('%2A', '*');
}

/** Every string of `url` that must not be shown: the URL itself, userinfo parts and secret query values. */
function secretsOf(url: string): string[] {
  const parsed = parse(url);
  if (parsed === undefined) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
    return userinfo === undefined ? [] : [url, userinfo];
  }
  const secrets = new Set<string>([url]);
  const add = (value: string): void => {
    if (value.length === 0) return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // not %-encoded: the raw value is already covered
    }
  };
  add(parsed.username);
  add(parsed.password);
  for (const [name, value] of parsed.searchParams) if (SECRET_QUERY.test(name)) add(value);
  // Longest first, so the whole URL is replaced before its parts.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** A function that replaces the URL by its masked form and any of its secrets by *** in text. */
export function redactor(url: string): (text: string) => string {
  const masked = maskUrl(url);
  const secrets = secretsOf(url);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of secrets) out = out.replaceAll(secret, secret === url ? masked : MASK);
    return out;
  };
}
