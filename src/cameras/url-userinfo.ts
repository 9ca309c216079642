// A user name or password with a raw `#`, `/` or `?` ends the URL's authority early: parsers
// (WHATWG, ffmpeg) read part of the password as the host or port, and the rest as the path.
// Such URLs are refused at start-up with a hint to percent-encode, never echoing the password.

/** True when the part between `://` and the last `@` holds `#`, `/` or `?` that is not a query value's `@`. */
export function hasUnencodedUserinfo(url: string): boolean {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/(.*)@/is.exec(url)?.[1];
  if (userinfo === undefined || !/[/?#]/.test(userinfo)) return false;
  // `?email=a@b.example`: the last @ is in a query value, the URL is fine as written.
  try {
    const parsed = new URL(url);
    const at = parsed.search.lastIndexOf('@');
    return parsed.hostname === '' || parsed.hash.includes('@') || at < 0 || !parsed.search.slice(0, at).includes('=');
  } catch {
    return true;
  }
}
