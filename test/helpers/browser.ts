// A real browser for the console tests: Debian's chromium, headless, driven over the DevTools
// protocol by puppeteer-core (which downloads no browser). `--no-sandbox` because the tests may
// run as root. Screenshots go to .bench/console/ (gitignored) and, with ALGO_DOC_SCREENSHOTS=1,
// to docs/console/ as well (the ones docs/console.md shows).
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.ALGO_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../.bench/console/', import.meta.url));
const DOC_SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--mute-audio'],
  });
}

export async function newPage(browser: Browser, width = 1440, height = 900): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  return page;
}

/** Full-page screenshot at `width` into the artifacts (and docs/console/ when asked); the viewport is restored. */
export async function screenshot(page: Page, name: string, width: number): Promise<void> {
  const viewport = page.viewport() ?? { width: 1440, height: 900 };
  await page.setViewport({ width, height: 900 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await mkdir(ARTIFACTS, { recursive: true });
  const file = `${name}-${width}.png`;
  await page.screenshot({ path: `${ARTIFACTS}${file}`, fullPage: true });
  if (process.env.ALGO_DOC_SCREENSHOTS === '1') {
    await mkdir(DOC_SHOTS, { recursive: true });
    await page.screenshot({ path: `${DOC_SHOTS}${file}`, fullPage: true });
  }
  await page.setViewport(viewport);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

let axeSource: string | undefined;

/**
 * axe-core run in the page. The console's CSP allows no inline script, so the source is
 * evaluated through the DevTools protocol (which CSP does not govern). Serious and critical only.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
