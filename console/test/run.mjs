// Runs browser scenarios against a running node and exits non-zero when one fails.
// usage: node console/test/run.mjs <scenario>   with CONSOLE_URL, CONSOLE_ADMIN_TOKEN, CONSOLE_ARTIFACTS set
//        node console/test/run.mjs --serve      the same, for each scenario name read from stdin, in one browser
//                                               (Node.js, playwright-core and Chromium start once, not per scenario);
//                                               each ends with the line "@@scenario <name> passed|FAILED"
import { createInterface } from 'node:readline';
import { Run } from './browser.mjs';
import { scenarios } from './scenarios.mjs';

const run = new Run({ url: process.env.CONSOLE_URL, adminToken: process.env.CONSOLE_ADMIN_TOKEN, artifacts: process.env.CONSOLE_ARTIFACTS ?? 'target/console-screenshots' });

/** One scenario on the run's browser, in contexts of its own; true when it passed. */
async function play(name) {
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`unknown scenario '${name}'; one of ${Object.keys(scenarios).join(', ')}`);
    return false;
  }
  try {
    await run.begin();
    await scenario(run);
    if (run.problems.length > 0) {
      throw new Error(`the page reported problems:\n  ${run.problems.join('\n  ')}`);
    }
    console.log(`scenario ${name}: passed`);
    return true;
  } catch (e) {
    console.error(`scenario ${name}: FAILED\n${e.stack ?? e}`);
    return false;
  } finally {
    await run.end().catch(() => {});
  }
}

if (process.argv[2] === '--serve') {
  for await (const line of createInterface({ input: process.stdin })) {
    const name = line.trim();
    if (name) {
      const passed = await play(name);
      console.log(`@@scenario ${name} ${passed ? 'passed' : 'FAILED'}`);
    }
  }
  await run.close().catch(() => {});
  process.exit(0);
} else {
  const passed = await play(process.argv[2]);
  await run.close().catch(() => {});
  process.exit(passed ? 0 : 1);
}
