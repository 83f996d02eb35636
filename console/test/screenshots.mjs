// Regenerates the README's pictures of the console (docs/console/*.png) against a running node with
// realistic keys: node console/test/screenshots.mjs with CONSOLE_URL and CONSOLE_ADMIN_TOKEN set.
// (The browser tests save their own screenshots under target/console-screenshots.)
import { Run } from './browser.mjs';

const run = new Run({ url: process.env.CONSOLE_URL, adminToken: process.env.CONSOLE_ADMIN_TOKEN, artifacts: process.env.CONSOLE_ARTIFACTS ?? 'docs/console' });
await run.launch();
try {
  const services = ['payment', 'checkout', 'search', 'inventory', 'shipping'];
  for (const env of ['staging', 'production']) {
    for (const service of services) {
      await run.put(env, `services.${service}.database_url`, `jdbc:postgresql://${env}-db-${service}/app`, { critical: true });
      await run.put(env, `services.${service}.pool`, { size: env === 'production' ? 40 : 10, timeout: '2s' });
      await run.put(env, `services.${service}.features.new_ui`, service !== 'search' || env === 'staging');
    }
    await run.put(env, 'platform.kafka.brokers', ['kafka-1:9092', 'kafka-2:9092']);
  }
  await run.put('production', 'services.payment.pool', { size: 40, timeout: '3s' }, { comment: 'slower upstream' });
  const page = await run.page({ width: 1280, height: 760 });
  await run.signIn(page);
  await page.goto(`${run.url}/console/#/browse/production/services.payment.pool`);
  await page.locator('.key-title').waitFor();
  await page.locator('[data-path="services"][data-role="node"]').click();
  await page.locator('[data-path="services"][data-role="toggle"]').waitFor();
  await run.shot(page, 'browse');
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Value (JSON)').fill('{\n  "size": 60,\n  "timeout": "3s"\n}');
  await page.getByLabel('Comment').fill('Black Friday');
  await page.getByRole('button', { name: 'Review changes' }).click();
  await run.put('production', 'services.payment.pool', { size: 40, timeout: '5s' }, { comment: 'even slower upstream' });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('region', { name: 'Conflict' }).waitFor();
  await run.shot(page, 'conflict');
  await page.goto(`${run.url}/console/#/browse/production/services.payment.pool?view=history`);
  await page.locator('table.versions').waitFor();
  await run.shot(page, 'history');
  await page.goto(`${run.url}/console/#/compare?from=staging&to=production&prefix=services`);
  await page.locator('.compare-table').waitFor();
  await run.shot(page, 'compare');
  await page.goto(`${run.url}/console/#/status`);
  await page.locator('[data-cell="ready"]', { hasText: 'UP' }).waitFor();
  await run.shot(page, 'status');
  console.log(`screenshots in ${run.artifacts}`);
} finally {
  await run.close();
}
