// How a configured value may appear in an error message or a log line: with anything that
// could be a secret cut out.

/**
 * A value as an error message may show it: the userinfo of any URL-like part (`user:pw@`)
 * and everything from a `?` query or `#` fragment on are cut, since either may carry a
 * secret (`?key=sk-…`, `https://user:token@host`).
 */
export function redactValue(value: string): string {
  return value.replace(/(^|[\s,/])[^\s,/@]*@/g, '$1<hidden>@').replace(/[?#].*$/s, '?<hidden>');
}

export const show = (value: string): string => JSON.stringify(redactValue(value));
