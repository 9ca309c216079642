// Shared by the console tests: the page modules compiled from src/console/ui/ (what `npm run
// build` does), so a test run sees the current sources.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function buildConsoleUi(): Promise<void> {
  await promisify(execFile)(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.ui.json`], { cwd: ROOT });
}
