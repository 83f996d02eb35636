// Runs one browser scenario against a running node and exits non-zero when it fails.
// usage: node console/test/run.mjs <scenario>   with CONSOLE_URL, CONSOLE_ADMIN_TOKEN, CONSOLE_ARTIFACTS set
import { Run } from './browser.mjs';
import { scenarios } from './scenarios.mjs';

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`unknown scenario '${name}'; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const run = new Run({ url: process.env.CONSOLE_URL, adminToken: process.env.CONSOLE_ADMIN_TOKEN, artifacts: process.env.CONSOLE_ARTIFACTS ?? 'target/console-screenshots' });
let failed = false;
try {
  await run.launch();
  await scenario(run);
  if (run.problems.length > 0) {
    throw new Error(`the page reported problems:\n  ${run.problems.join('\n  ')}`);
  }
  console.log(`scenario ${name}: passed`);
} catch (e) {
  failed = true;
  console.error(`scenario ${name}: FAILED\n${e.stack ?? e}`);
} finally {
  await run.close().catch(() => {});
}
process.exit(failed ? 1 : 0);
