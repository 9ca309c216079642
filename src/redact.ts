// Credentials in URLs never leave algo. maskUrl is the one masker: logs, API answers, error
// messages, the doctor and the console show what it returns, and redactor scrubs any text
// (ffmpeg's stderr) of the URL and of each secret in it, raw or %-encoded.
// It works by position, before any parsing, because a password with a raw `#`, `/` or `?`
// does not parse (and a numeric one may parse as a port):
// - userinfo: everything between `://` and the last `@` (an `@` in a query is masked with
//   it: showing too little is safe); without a scheme, the `user:pw@` run before each `@`;
// - `name=value` pairs in the path or query whose name holds a secret word (`?pwd=…`,
//   `/user=admin_password=…_channel=1`);
// - the fragment of a URL, whole: it is never sent to a server, so nothing useful is hidden.

export const MASK = '***';

/** Parameter names that hold secrets, matched anywhere in the name (`api_key`, `X-Amz-Signature`), any case. */
const SECRET_NAME = new RegExp(
  [
    'pw',
    'pwd',
    'passwd',
    'password',
    'pass',
    'usr',
    'user',
    'username',
    'loginuse',
    'loginpas',
    'token',
    'key',
    'auth',
    'secret',
    'sig',
    'signature',
  ].join('|'),
  'i',
);
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//i;
/** `name=value` in a path: a value ends at the next separator or at `_name=` (cameras chain them with `_`). */
const PATH_PAIR = /(?<=^|[/;&_])([A-Za-z][A-Za-z0-9.-]*)=((?:(?!_[A-Za-z][A-Za-z0-9]*=)[^/?#&;\s"<>])*)/g;
const QUERY_PAIR = /(?<=^|[?&;])([^=&;#\s"<>]+)=([^&;#\s"<>]*)/g;

interface Span {
  start: number;
  end: number;
}

/** Where the credentials in `text` are: userinfo parts, secret parameter values, a URL's fragment. */
function secretSpans(text: string): Span[] {
  const spans: Span[] = [];
  const add = (start: number, end: number): void => {
    if (end > start) spans.push({ start, end });
  };
  const userinfo = (start: number, at: number): void => {
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon > at) return add(start, at);
    add(start, colon);
    add(colon + 1, at);
  };
  const scheme = SCHEME.exec(text);
  const lastAt = text.lastIndexOf('@');
  const beforeScheme = scheme === null ? text : text.slice(0, scheme.index);
  for (const match of beforeScheme.matchAll(/[^\s,@"<>]*@/g)) userinfo(match.index, match.index + match[0].length - 1);
  let host = lastAt + 1;
  if (scheme !== null) {
    const afterScheme = scheme.index + scheme[0].length;
    if (lastAt >= afterScheme) userinfo(afterScheme, lastAt);
    else host = afterScheme;
  }
  const fragment = scheme === null ? -1 : text.indexOf('#', host);
  const end = fragment < 0 ? text.length : fragment;
  const query = text.indexOf('?', host);
  const pathEnd = query < 0 || query > end ? end : query;
  for (const match of text.slice(host, pathEnd).matchAll(PATH_PAIR))
    if (SECRET_NAME.test(match[1]!)) add(host + match.index + match[1]!.length + 1, host + match.index + match[0].length);
  if (pathEnd < end) {
    const from = pathEnd + 1;
    for (const match of text.slice(from, end).matchAll(QUERY_PAIR))
      if (SECRET_NAME.test(match[1]!)) add(from + match.index + match[1]!.length + 1, from + match.index + match[0].length);
  }
  if (fragment >= 0) add(fragment + 1, fragment + 1 + /^[^\s"<>]*/.exec(text.slice(fragment + 1))![0].length);
  return spans.sort((a, b) => a.start - b.start);
}

/** The URL (or any text holding URLs) as it may be shown: every credential replaced by ***. */
export function maskUrl(url: string): string {
  let out = '';
  let from = 0;
  for (const span of secretSpans(url)) {
    if (span.start < from) continue;
    out += url.slice(from, span.start) + MASK;
    from = span.end;
  }
  return out + url.slice(from);
}

/** Every string of `url` that must not be shown: the URL itself and each credential in it, also %-decoded. */
function secretsOf(url: string): string[] {
  const secrets = new Set<string>();
  for (const { start, end } of secretSpans(url)) {
    const value = url.slice(start, end);
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // not %-encoded: the raw value is already covered
    }
  }
  if (secrets.size > 0) secrets.add(url);
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

/** A value as an error message may show it: any credential in it masked (see maskUrl). */
export function redactValue(value: string): string {
  return maskUrl(value);
}

export const show = (value: string): string => JSON.stringify(redactValue(value));
