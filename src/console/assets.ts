// The console's static files, read once at start-up: the stylesheet (assets/console/) and the
// page modules compiled from src/console/ui/ by `npm run build` (dist/console-ui/). Each is
// served with a strong ETag and `no-cache`, so a browser revalidates with one cheap 304.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface Asset {
  name: string;
  body: Buffer;
  type: string;
  etag: string;
}

export const STYLESHEET = 'console.css';
const STYLE_FILE = fileURLToPath(new URL('../../assets/console/console.css', import.meta.url));
/** Where tsconfig.ui.json writes the modules (the same place from src/ under tsx and from dist/). */
export const UI_DIR = fileURLToPath(new URL('../../dist/console-ui/', import.meta.url));

function asset(name: string, body: Buffer, type: string): Asset {
  return { name, body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** The stylesheet and every module; a missing build gives no modules (the pages say so). */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  assets.set(STYLESHEET, asset(STYLESHEET, await readFile(STYLE_FILE), 'text/css; charset=utf-8'));
  const names = await readdir(UI_DIR).catch(() => [] as string[]);
  for (const name of names.filter((file) => file.endsWith('.js')).sort()) {
    assets.set(name, asset(name, await readFile(`${UI_DIR}${name}`), 'text/javascript; charset=utf-8'));
  }
  return assets;
}
