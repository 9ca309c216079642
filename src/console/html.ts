// The console's HTML: one escape for every text and attribute value that comes from outside
// (camera ids, labels, zone names, masked URLs, messages), and the page shell every page shares
// (navigation, the one stylesheet, its own module script; no inline script).
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A template literal tag: interpolated values are escaped unless they are `Html` (already built). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = string | number | Html | readonly Html[] | undefined | null | false;

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += partText(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

function partText(value: Part): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map((item: Html) => item.text).join('');
  return escapeHtml(value as string | number);
}

export type PageName = 'cameras' | 'events' | 'system' | 'login';

export interface PageOptions {
  title: string;
  page: PageName;
  body: Html;
  /** The page's module under /console/ (none on the login page). */
  script?: string;
  /** Show the logout button (the request came with a session). */
  session: boolean;
}

const NAV: ReadonlyArray<[PageName, string, string]> = [
  ['cameras', '/', 'Cameras'],
  ['events', '/events', 'Events'],
  ['system', '/system', 'System'],
];

export function page({ title, page: current, body, script, session }: PageOptions): string {
  const nav =
    current === 'login'
      ? html``
      : html`<nav aria-label="Main">
          <ul>
            ${NAV.map(
              ([name, href, label]) =>
                html`<li><a href="${href}" ${current === name ? html` aria-current="page"` : html``}>${label}</a></li>`,
            )}
          </ul>
          ${session ? html`<form method="post" action="/logout" class="logout"><button type="submit">Log out</button></form>` : html``}
        </nav>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · algo</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/console.css" />
        ${script === undefined ? html`` : html`<script type="module" src="/console/${script}"></script>`}
      </head>
      <body>
        <header><span class="brand">algo</span>${nav}</header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.text;
}
