// The console's end-to-end scenarios, one per behaviour the issue lists; each arranges its data through
// the public API under a key prefix of its own and checks the result through the API as well.
import { check, eventually } from './browser.mjs';
import { Proxy } from './proxy.mjs';

const run36 = Date.now().toString(36);
const prefix = (name) => `console.${name}.r${run36}`;
const keyUrl = (run, env, key, query = '') => `${run.url}/console/#/browse/${env}/${encodeURIComponent(key)}${query}`;

async function openKey(run, page, env, key, query) {
  await page.goto(keyUrl(run, env, key, query));
  await page.locator('.key-title', { hasText: key }).waitFor();
}

/** Every control on the page has an accessible name (a label, aria-label/labelledby, or its text). */
async function unnamedControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select, textarea, [role="tab"]')]
    .filter((element) => element.offsetParent !== null || element.getClientRects().length > 0)
    .filter((element) => !(element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')
      || element.labels?.length || element.textContent.trim() || element.getAttribute('title')))
    .map((element) => element.outerHTML.slice(0, 120)));
}

/**
 * Signs in through a proxy the scenario can cut, opens base.a filtered to base, and waits until the page is live
 * and counts keys; the caller closes the proxy.
 */
async function openThroughProxy(run, base, keys) {
  const proxy = new Proxy(Number(new URL(run.url).port));
  const via = `http://127.0.0.1:${await proxy.start()}`;
  const page = await run.page();
  await page.goto(`${via}/console/`);
  await page.getByLabel('Token').fill(run.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`${via}/console/#/browse/development/${base}.a`);
  await page.locator('.key-title', { hasText: `${base}.a` }).waitFor();
  await page.locator('.live-state[data-state="live"]').waitFor();
  await page.getByLabel('Filter').fill(base);
  await page.locator('.count', { hasText: keys }).waitFor();
  return { page, proxy };
}

export const scenarios = {
  /** Sign in with a token kept in session storage only; a wrong token is refused; sign out forgets it. */
  async signIn(run) {
    const page = await run.page();
    const response = await page.goto(`${run.url}/console/`);
    const policy = response.headers()['content-security-policy'] ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      check(policy.includes(directive), `the page's Content-Security-Policy has ${directive}: ${policy}`);
    }
    check(!policy.includes('unsafe'), `no unsafe-inline or unsafe-eval: ${policy}`);
    await run.shot(page, 'sign-in');
    await page.getByLabel('Token').fill('cfd_not-a-real-token-not-a-real-token-xx');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    check(await page.evaluate(() => sessionStorage.length) === 0, 'a refused token is not kept');

    await page.getByLabel('Token').fill(run.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    check(await page.locator('.principal').textContent() === 'bootstrap-admin', 'the principal is shown');
    const stored = await page.evaluate(() => sessionStorage.getItem('configd.token'));
    check(stored === run.adminToken, 'the token is in session storage');
    check(!page.url().includes(run.adminToken), 'the token is not in the URL');
    check(await page.evaluate(() => document.cookie) === '', 'no cookie is set');
    check(await page.evaluate(() => localStorage.length) === 0, 'nothing in local storage');
    const unnamed = await unnamedControls(page);
    check(unnamed.length === 0, `controls without an accessible name: ${unnamed.join(' | ')}`);

    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    check(await page.evaluate(() => sessionStorage.getItem('configd.token')) === null, 'sign out forgets the token');
    await page.reload();
    await page.getByLabel('Token').waitFor();
  },

  /** Create a key with confirmation; edit it with syntax checking and pretty printing; see the diff; save with If-Match. */
  async createEditSave(run) {
    const key = `${prefix('edit')}.pool`;
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/browse/staging?new=1`);
    await page.getByLabel('Key', { exact: true }).fill(key);
    const value = page.getByLabel('Value (JSON)');
    await value.fill('{"size": 10, "timeout": "2s"');
    await page.getByText('Not valid JSON').waitFor();
    check(await page.getByRole('button', { name: 'Create' }).isDisabled(), 'invalid JSON cannot be saved');
    await value.fill('{"size": 10, "timeout": "2s"}');
    await page.getByText('Valid JSON').waitFor();
    await page.getByRole('button', { name: 'Format' }).click();
    check((await value.inputValue()) === '{\n  "size": 10,\n  "timeout": "2s"\n}', 'Format pretty-prints');
    await page.getByLabel('Comment').fill('first pool');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.locator('.key-title', { hasText: key }).waitFor();
    let stored = await run.api('GET', `/v1/config/${key}?env=staging`);
    check(stored.status === 200 && stored.body.value.size === 10 && stored.body.version === 1, `created: ${JSON.stringify(stored.body)}`);
    await page.locator('.row', { hasText: key }).waitFor();
    await run.shot(page, 'browse');

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Value (JSON)').fill('{\n  "size": 20,\n  "timeout": "2s"\n}');
    await page.getByLabel('Comment').fill('more connections');
    await page.getByRole('button', { name: 'Review changes' }).click();
    const diff = page.getByRole('region', { name: 'Changes to save' });
    await diff.waitFor();
    check(await diff.locator('.del').textContent() === '-   "size": 10,\n', 'the diff shows the removed line');
    check(await diff.locator('.add').textContent() === '+   "size": 20,\n', 'the diff shows the added line');
    await run.shot(page, 'edit-review-diff');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-field="version"]', { hasText: '2' }).waitFor();
    stored = await run.api('GET', `/v1/config/${key}?env=staging`);
    check(stored.body.value.size === 20 && stored.body.version === 2 && stored.body.comment === 'more connections',
      `saved: ${JSON.stringify(stored.body)}`);

    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    check((await run.api('GET', `/v1/config/${key}?env=staging`)).status === 200, 'a cancelled delete deletes nothing');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await eventually('the deletion', async () => (await run.api('GET', `/v1/config/${key}?env=staging`)).status === 404);
  },

  /** A change through the API while the page edits: saving shows theirs / yours / merge and overwrites nothing. */
  async conflict(run) {
    const key = `${prefix('conflict')}.limits`;
    await run.put('production', key, { rate: 100, burst: 10 });
    const page = await run.page();
    await run.signIn(page);
    await openKey(run, page, 'production', key);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Value (JSON)').fill('{"rate": 100, "burst": 50}');
    const theirs = await run.put('production', key, { rate: 200, burst: 10 }, { comment: 'raised by ops' });
    await page.locator('.stale', { hasText: 'while you were editing' }).waitFor();
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('region', { name: 'Conflict' });
    await conflict.waitFor();
    check((await conflict.getByRole('region', { name: 'Theirs', exact: true }).textContent()).includes('"rate": 200'), 'theirs is shown');
    check((await conflict.getByRole('region', { name: 'Yours', exact: true }).textContent()).includes('"burst": 50'), 'yours is shown');
    let stored = await run.api('GET', `/v1/config/${key}?env=production`);
    check(stored.body.version === theirs.version && stored.body.value.rate === 200 && stored.body.value.burst === 10,
      `nothing was overwritten: ${JSON.stringify(stored.body)}`);
    const merged = JSON.parse(await page.getByLabel('Merge (JSON): saved on top of theirs').inputValue());
    check(merged.rate === 200 && merged.burst === 50, `the merge holds both changes: ${JSON.stringify(merged)}`);
    await run.shot(page, 'conflict');
    await page.getByRole('button', { name: 'Save merge' }).click();
    await page.locator('[data-field="version"]', { hasText: String(theirs.version + 1) }).waitFor();
    stored = await run.api('GET', `/v1/config/${key}?env=production`);
    check(stored.body.value.rate === 200 && stored.body.value.burst === 50, `the merge was saved: ${JSON.stringify(stored.body)}`);
  },

  /** History: every version with author, time and comment; a diff between any two; roll back after seeing the diff. */
  async historyAndRollback(run) {
    const key = `${prefix('history')}.feature`;
    await run.put('staging', key, { enabled: false, percent: 0 }, { comment: 'off' });
    await run.put('staging', key, { enabled: true, percent: 10 }, { comment: 'canary' });
    await run.put('staging', key, { enabled: true, percent: 100 }, { comment: 'everyone' });
    const page = await run.page();
    await run.signIn(page);
    await openKey(run, page, 'staging', key, '?view=history');
    const table = page.locator('table.versions');
    await table.waitFor();
    check(await table.locator('tbody tr').count() === 3, 'three versions');
    check((await table.locator('tr[data-version="2"]').textContent()).includes('canary'), 'comments shown');
    check((await table.locator('tr[data-version="2"]').textContent()).includes('bootstrap-admin'), 'authors shown');
    await page.getByLabel('Compare from version').selectOption('1');
    await page.getByLabel('Compare to version').selectOption('3');
    const diff = page.getByRole('region', { name: 'Version 1 compared with version 3' });
    check((await diff.locator('.del').allTextContents()).join('').includes('"percent": 0'), 'v1 side of the diff');
    check((await diff.locator('.add').allTextContents()).join('').includes('"percent": 100'), 'v3 side of the diff');
    await run.shot(page, 'history');
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    const dialog = page.getByRole('dialog');
    const shown = dialog.getByRole('region', { name: 'Version 3 (current) → version 1' });
    check((await shown.locator('.add').allTextContents()).join('').includes('"enabled": false'), 'the roll-back diff is shown first');
    await run.shot(page, 'rollback-confirm');
    await dialog.getByLabel('Comment').fill('back to off');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-field="version"]', { hasText: '4' }).waitFor();
    const stored = await run.api('GET', `/v1/config/${key}?env=staging`);
    check(stored.body.version === 4 && stored.body.value.enabled === false && stored.body.comment === 'back to off',
      `rolled back: ${JSON.stringify(stored.body)}`);
    await page.goto(keyUrl(run, 'staging', key, '?view=history'));
    await table.locator('tr[data-version="4"]').waitFor();
    await run.put('staging', key, { enabled: true, percent: 50 }, { comment: 'half, from the API' });
    await table.locator('tr[data-version="5"]', { hasText: 'half, from the API' }).waitFor();
  },

  /** Changes made through the API appear without reload (list, tree, open value), nothing moves, and a network cut is caught up. */
  async liveUpdates(run) {
    const base = prefix('live');
    await run.put('development', `${base}.a`, 1);
    const { page, proxy } = await openThroughProxy(run, base, '1 key');
    try {
      // Where everything sits (the selected key's panel may grow with its new value, but not move)
      const layout = () => page.evaluate(() => ['.tree-pane', '.list-pane', '.viewport', 'header.top', '.detail', '.key-title', '.meta']
        .map((selector) => {
          const r = document.querySelector(selector).getBoundingClientRect();
          return [r.x, r.y, r.width, selector === '.detail' ? 0 : r.height].map(Math.round).join(',');
        }));
      const before = await layout();

      await run.put('development', `${base}.b`, 'new');
      await page.locator('.row', { hasText: `${base}.b` }).waitFor();
      await page.locator('.count', { hasText: '2 keys' }).waitFor();
      await run.put('development', `${base}.a`, { now: 2 });
      await page.locator('pre.value', { hasText: '"now": 2' }).waitFor();
      await page.locator('.notice', { hasText: 'changed' }).first().waitFor();
      const after = await layout();
      check(JSON.stringify(before) === JSON.stringify(after), `no layout jump on live updates: ${before} → ${after}`);
      await run.shot(page, 'live-update');

      run.networkCut = true;
      proxy.cut();
      await page.locator('.live-state[data-state="reconnecting"]').waitFor();
      await run.put('development', `${base}.a`, { now: 3 });
      await run.put('development', `${base}.c`, 'while cut');
      await run.api('DELETE', `/v1/config/${base}.b?env=development`);
      proxy.restore();
      await page.locator('.live-state[data-state="live"]').waitFor({ timeout: 30000 });
      run.networkCut = false;
      await page.locator('.row', { hasText: `${base}.c` }).waitFor();
      await page.locator('pre.value', { hasText: '"now": 3' }).waitFor();
      await eventually('the deletion to be caught up', async () => (await page.locator('.row', { hasText: `${base}.b` }).count()) === 0);
      await page.locator('.count', { hasText: '2 keys' }).waitFor();
    } finally {
      proxy.close();
    }
  },

  /**
   * A transaction's changes reach the page in one update of the view: while a stalled link holds back the rest of its
   * frames, and after, no frame shows some of its keys new and others old.
   */
  async liveTransaction(run) {
    const base = prefix('livetxn');
    const keys = Array.from({ length: 60 }, (_, i) => `${base}.k${String(i).padStart(2, '0')}`);
    const txn = async (value) => {
      const answer = await run.api('POST', '/v1/txn?env=development',
        { ops: keys.map((key) => ({ op: 'put', key, value })) });
      check(answer.status === 200, `POST /v1/txn answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    };
    await run.put('development', `${base}.a`, 'the open key');
    await txn('gen 1');
    const { page, proxy } = await openThroughProxy(run, base, '61 keys');
    try {
      await page.evaluate(() => {
        window.txnFrames = { frames: 0, torn: [] };
        const look = () => {
          const shown = new Set([...document.querySelectorAll('.row .preview')].map((e) => e.textContent)
            .filter((text) => text.includes('gen ')));
          window.txnFrames.frames += 1;
          if (shown.size > 1 && window.txnFrames.torn.length < 5) {
            window.txnFrames.torn.push([...shown].join(' and '));
          }
          requestAnimationFrame(look);
        };
        requestAnimationFrame(look);
      });
      // the link stalls in the middle of the transaction's frames: the page holds its first ones, not the rest
      const held = proxy.holdAfter(`${base}.k05`);
      await txn('gen 2');
      await held;
      const before = await page.evaluate(() => window.txnFrames.frames);
      await eventually('the page to draw frames while it holds part of the transaction', async () =>
        (await page.evaluate(() => window.txnFrames.frames)) > before + 10);
      const during = await page.evaluate(() => window.txnFrames);
      check(during.torn.length === 0, `no frame shows part of the transaction while the rest is held: ${during.torn.join('; ')}`);
      proxy.release();
      await eventually('every row in view at gen 2', async () => page.evaluate(() => {
        const texts = [...document.querySelectorAll('.row .preview')].map((e) => e.textContent);
        return texts.some((text) => text.includes('gen 2')) && !texts.some((text) => text.includes('gen 1'));
      }), 30000);
      const seen = await page.evaluate(() => window.txnFrames);
      check(seen.torn.length === 0, `no frame shows part of the transaction: ${seen.torn.join('; ')}`);
    } finally {
      proxy.close();
    }
  },

  /**
   * Run against a node that keeps only its newest 10 revisions (PrunedCatchUpInTheBrowserTest): while the page is
   * cut off, more changes than that are written, so its catch-up is refused (410 revision-compacted); it loads a fresh
   * snapshot instead, shows what changed and drops the key deleted meanwhile.
   */
  async prunedCatchUp(run) {
    const base = prefix('pruned');
    await run.put('development', `${base}.a`, 1);
    await run.put('development', `${base}.b`, 'doomed');
    const { page, proxy } = await openThroughProxy(run, base, '2 keys');
    try {
      const head = (await run.api('GET', `/v1/changes?env=development&prefix=${base}&since=0`)).body.head;

      run.networkCut = true;
      proxy.cut();
      await page.locator('.live-state[data-state="reconnecting"]').waitFor();
      await run.put('development', `${base}.a`, { now: 'after the cut' });
      await run.api('DELETE', `/v1/config/${base}.b?env=development`);
      await run.put('development', `${base}.c`, 'while cut');
      for (let i = 0; i < 15; i += 1) {
        await run.put('development', `console.filler.r${run36}.k${i}`, i);
      }
      await eventually('the changes after the cut pruned', async () =>
        (await run.api('GET', `/v1/changes?env=development&prefix=${base}&since=${head}`)).status === 410, 60000);
      proxy.restore();
      await page.locator('.live-state[data-state="live"]').waitFor({ timeout: 30000 });
      run.networkCut = false;
      await page.locator('.row', { hasText: `${base}.c` }).waitFor();
      await page.locator('pre.value', { hasText: 'after the cut' }).waitFor();
      await eventually('the key deleted while cut to be gone', async () => (await page.locator('.row', { hasText: `${base}.b` }).count()) === 0);
      await page.locator('.count', { hasText: '2 keys' }).waitFor();
      await run.put('development', `${base}.a`, { now: 'live again' });
      await page.locator('pre.value', { hasText: 'live again' }).waitFor();
    } finally {
      proxy.close();
    }
  },

  /**
   * Compare a prefix in two environments: only here, only there, different; then copy selected values from one to
   * the other in one atomic step (POST /v1/txn): a change made meanwhile makes it copy nothing, the next copies all.
   */
  async compare(run) {
    const base = prefix('compare');
    await run.put('staging', `${base}.same`, 'x');
    await run.put('production', `${base}.same`, 'x');
    await run.put('staging', `${base}.different`, { pool: 5 });
    await run.put('production', `${base}.different`, { pool: 50 });
    await run.put('staging', `${base}.only_staging`, true);
    await run.put('production', `${base}.only_production`, true);
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/compare`);
    await page.getByLabel('Prefix').fill(base);
    await page.getByLabel('Environment A').selectOption('staging');
    await page.getByLabel('Environment B').selectOption('production');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('.summary', { hasText: '1 only in staging, 1 only in production, 1 different, 1 the same.' }).waitFor();
    check((await page.locator(`tr[data-key="${base}.different"]`).textContent()).includes('different'), 'different row');
    check(await page.locator(`tr.onlyA[data-key="${base}.only_staging"]`).count() === 1, 'only in staging');
    check(await page.locator(`tr.onlyB[data-key="${base}.only_production"]`).count() === 1, 'only in production');
    check(await page.locator(`tr[data-key="${base}.same"]`).count() === 0, 'the same are only counted');
    await run.shot(page, 'compare');

    const head = (await run.api('GET', '/v1/changes?env=production')).body.head;
    const copyButton = page.getByRole('button', { name: 'Copy selected from staging to production' });
    const select = async () => {
      await page.getByLabel(`Copy ${base}.different to production`).check();
      await page.getByLabel(`Copy ${base}.only_staging to production`).check();
      await page.getByLabel(`Delete ${base}.only_production from production`).check();
    };
    await select();
    await run.put('production', `${base}.only_production`, 'changed meanwhile');
    await copyButton.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Copy', exact: true }).click();
    await page.locator('.notice.error', { hasText: 'Nothing was copied' }).waitFor();
    check((await run.api('GET', `/v1/config/${base}.different?env=production`)).body.value.pool === 50,
      'a refused copy changed nothing');
    check((await run.api('GET', `/v1/config/${base}.only_staging?env=production`)).status === 404,
      'a refused copy created nothing');

    // the page compared again: the same rows, the new value of B; this copy goes through, all at once
    await page.locator('.summary', { hasText: '1 only in staging, 1 only in production, 1 different, 1 the same.' }).waitFor();
    await select();
    await copyButton.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Copy', exact: true }).click();
    await page.locator('.notice', { hasText: 'in one transaction' }).waitFor();
    await page.locator('.summary', { hasText: '0 only in staging, 0 only in production, 0 different, 3 the same.' }).waitFor();
    const copied = (await run.api('GET', `/v1/changes?env=production&prefix=${base}&since=${head}`)).body.items
      .filter((change) => change.txn);
    check(copied.length === 3, `three changes of one transaction: ${JSON.stringify(copied)}`);
    check(copied.every((change) => change.txn.id === copied[0].txn.id && change.txn.last === copied[0].txn.id + 2),
      `one transaction, contiguous revisions: ${JSON.stringify(copied.map((change) => change.txn))}`);
    check((await run.api('GET', `/v1/config/${base}.different?env=production`)).body.value.pool === 5, 'copied');
    check((await run.api('GET', `/v1/config/${base}.only_production?env=production`)).status === 404, 'deleted');
    await run.shot(page, 'compare-copied');
  },

  /** A read-only token is offered no edit controls, and a write with the page's own token is refused. */
  async readOnly(run) {
    const key = `${prefix('readonly')}.value`;
    await run.put('production', key, 'keep me');
    const token = (await run.createToken(`reader-${run36}`, [{ env: 'production', prefix: '', access: 'read' }])).token;
    const page = await run.page();
    await run.signIn(page, token);
    await openKey(run, page, 'production', key);
    check(await page.getByRole('button', { name: 'Edit' }).count() === 0, 'no Edit');
    check(await page.getByRole('button', { name: 'Delete' }).count() === 0, 'no Delete');
    check(await page.getByRole('link', { name: 'New key' }).count() === 0, 'no New key');
    check(await page.getByRole('link', { name: 'Tokens' }).count() === 0, 'no Tokens section');
    check(await page.getByRole('link', { name: 'Node status' }).count() === 0, 'no Node status section');
    check((await page.getByLabel('Environment').locator('option').allTextContents()).join() === 'production', 'only readable environments');
    await page.goto(keyUrl(run, 'production', key, '?view=history'));
    await page.locator('table.versions').waitFor();
    check(await page.getByRole('button', { name: /Roll back/ }).count() === 0, 'no Roll back');
    const status = await page.evaluate(async (k) => {
      const response = await fetch(`/v1/config/${k}?env=production`, {
        method: 'PUT', credentials: 'omit',
        headers: { Authorization: `Bearer ${sessionStorage.getItem('configd.token')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ value: 'overwritten' }),
      });
      return response.status;
    }, key);
    check(status === 403, `a write with the page's token is refused: ${status}`);
    const stored = await run.api('GET', `/v1/config/${key}?env=production`);
    check(stored.body.value === 'keep me' && stored.body.version === 1, `unchanged: ${JSON.stringify(stored.body)}`);
    await run.shot(page, 'read-only');

    // A token that reads one prefix only: the page subscribes to that prefix (the bridge refuses config.production
    // for it) and shows only what it may read.
    const narrow = (await run.createToken(`narrow-${run36}`, [{ env: 'production', prefix: prefix('readonly'), access: 'read' }])).token;
    const other = await run.page();
    await run.signIn(other, narrow);
    await other.goto(`${run.url}/console/#/browse/production`);
    await other.locator('.live-state[data-state="live"]').waitFor();
    await other.locator('.count', { hasText: /^1 key$/ }).waitFor();
    await run.put('production', `${prefix('readonly')}.added`, 'seen live');
    await other.locator('.count', { hasText: /^2 keys$/ }).waitFor();
    check(await other.locator('.notice.error').count() === 0, 'no refusal on the bridge');
  },

  /**
   * Under an approval policy a save in the console is held, not written; another person sees it in Pending changes
   * with its diff and approves it (it commits as the author's); the author is offered no Approve; a rejection needs a
   * reason and writes nothing.
   */
  async pendingChanges(run) {
    const base = prefix('pending');
    const key = `${base}.pool`;
    await run.put('production', key, { size: 20 });
    const policy = await run.api('PUT', `/v1/policies/${base}?env=production`, { requireApproval: true });
    check(policy.status === 201, `the policy is set: ${JSON.stringify(policy.body)}`);
    const author = (await run.createToken(`author-${run36}`, [{ env: 'production', prefix: base, access: 'write' }])).token;
    const approver = (await run.createToken(`approver-${run36}`, [{ env: 'production', prefix: base, access: 'approve' }])).token;

    const page = await run.page();
    await run.signIn(page, author);
    await openKey(run, page, 'production', key);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Value (JSON)').fill('{"size": 40}');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.notice', { hasText: 'held for approval' }).waitFor();
    let stored = await run.api('GET', `/v1/config/${key}?env=production`);
    check(stored.body.version === 1 && stored.body.value.size === 20, `nothing written yet: ${JSON.stringify(stored.body)}`);
    await page.goto(`${run.url}/console/#/pending`);
    const own = page.locator('.pending-change', { hasText: key });
    await own.waitFor();
    check(await own.getByRole('button', { name: 'Approve' }).count() === 0, 'the author is offered no Approve');
    check(await own.getByRole('button', { name: 'Withdraw' }).count() === 1, 'the author may withdraw it');
    const second = await run.api('PUT', `/v1/config/${base}.mode?env=production`, { value: 'blue' }, { token: author });
    check(second.status === 202, `a second change is held: ${second.status}`);

    const other = await run.page();
    await run.signIn(other, approver);
    await other.goto(`${run.url}/console/#/pending`);
    const change = other.locator('.pending-change', { hasText: key });
    await change.waitFor();
    const text = await change.textContent();
    check(text.includes(`author-${run36}`) && text.includes('{"size":20} (v1)') && text.includes('{"size":40}'),
      `the change shows its author and diff: ${text}`);
    await run.shot(other, 'pending');
    await change.getByRole('button', { name: 'Approve' }).click();
    await other.locator('.notice', { hasText: 'Approved' }).waitFor();
    stored = await run.api('GET', `/v1/config/${key}?env=production`);
    check(stored.body.version === 2 && stored.body.value.size === 40 && stored.body.updatedBy === `author-${run36}`,
      `approved and committed as the author's: ${JSON.stringify(stored.body)}`);

    // a policy needing two approvers: the card shows who approved so far, and offers that approver no second Approve
    const dual = await run.api('PUT', `/v1/policies/${base}.dual?env=production`, { requireApproval: true, approvals: 2 });
    check(dual.status === 201, `the two-approver policy is set: ${JSON.stringify(dual.body)}`);
    const held = await run.api('PUT', `/v1/config/${base}.dual.size?env=production`, { value: 3 }, { token: author });
    check(held.status === 202, `held for two approvers: ${held.status}`);
    await other.getByRole('button', { name: 'Refresh' }).click();
    const dualCard = other.locator(`.pending-change[data-id="${held.body.id}"]`);
    await dualCard.locator('.approvals', { hasText: 'No approval yet: 2 needed' }).waitFor();
    await dualCard.getByRole('button', { name: 'Approve' }).click();
    await other.locator('.notice', { hasText: 'Approval recorded: 1 of 2' }).waitFor();
    await dualCard.locator('.approvals', { hasText: `Approved by approver-${run36}: 1 of 2` }).waitFor();
    check(await dualCard.getByRole('button', { name: 'Approve' }).count() === 0, 'who approved is offered no second Approve');
    check((await run.api('GET', `/v1/config/${base}.dual.size?env=production`)).status === 404, 'one approval of two writes nothing');
    const last = await run.api('POST', `/v1/pending/${held.body.id}/approve`, undefined);
    check(last.status === 200 && last.body.decidedBy.startsWith(`approver-${run36}, `), `the second approval commits: ${JSON.stringify(last.body)}`);
    await other.getByLabel('Status').selectOption('approved');
    await other.locator(`.pending-change[data-id="${held.body.id}"]`, { hasText: `approved by approver-${run36}, ` }).waitFor();
    await other.getByLabel('Status').selectOption('pending');

    // two changes of one key: once the first is approved, the other is shown as a conflict, with no Approve
    const a = await run.api('PUT', `/v1/config/${base}.limit?env=production`, { value: 1 }, { token: author });
    const b = await run.api('PUT', `/v1/config/${base}.limit?env=production`, { value: 2 }, { token: author });
    check(a.status === 202 && b.status === 202, `two held changes of one key: ${a.status} ${b.status}`);
    check((await run.api('POST', `/v1/pending/${a.body.id}/approve`, undefined, { token: approver })).status === 200, 'the first approved');
    await other.getByRole('button', { name: 'Refresh' }).click();
    const stale = other.locator(`.pending-change[data-id="${b.body.id}"]`);
    await stale.locator('.conflict', { hasText: 'moved on' }).waitFor();
    check(await stale.getByRole('button', { name: 'Approve' }).count() === 0, 'a stale change offers no Approve');

    const mode = other.locator('.pending-change', { hasText: `${base}.mode` });
    await mode.waitFor();
    await mode.getByRole('button', { name: 'Reject' }).click();
    await mode.locator('.error', { hasText: 'reason' }).waitFor();
    await mode.getByLabel('Reason for rejecting').fill('blue is retired');
    await mode.getByRole('button', { name: 'Reject' }).click();
    await other.locator('.notice', { hasText: 'Rejected' }).waitFor();
    check((await run.api('GET', `/v1/config/${base}.mode?env=production`)).status === 404, 'a rejected change writes nothing');
    await other.getByLabel('Status').selectOption('rejected');
    await other.locator('.pending-change', { hasText: 'blue is retired' }).waitFor();
  },

  /** Rollouts: each plan with its step or targeting, the instances per version and why it stopped; pause, resume, promote, abort. */
  async rollouts(run) {
    const base = prefix('rollouts');
    await run.put('production', `${base}.pool`, 10);
    await run.put('production', `${base}.limit`, 1);
    await run.put('production', `${base}.flag`, 'off');
    const start = async (body) => {
      const answer = await run.api('POST', '/v1/rollouts?env=production', body);
      check(answer.status === 201, `the rollout starts: ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    const gray = await start({ key: `${base}.pool`, value: 20, selector: 'zone=eu-1', comment: 'bigger pool' });
    const plan = await start({ key: `${base}.limit`, value: 2, failureThreshold: 5,
      steps: [{ percentage: 10, bake: 'PT1H' }, { percentage: 100, bake: 'PT1H' }] });
    const alarmed = await start({ key: `${base}.flag`, value: 'on', percentage: 50 });
    // an instance reading over HTTP in zone eu-1 that applied the gray value
    const who = 'instance=console-eu-1&labels=zone%3Deu-1';
    check((await run.api('GET', `/v1/config/${base}.pool?env=production&${who}`)).body.value === 20, 'the eu-1 reader gets the gray value');
    const ack = await run.api('POST', `/v1/acks?${who}`, { env: 'production', revision: gray.revision, keys: { [`${base}.pool`]: 1 } });
    check(ack.status === 200, `the reader's ack: ${JSON.stringify(ack.body)}`);
    const alarm = await run.api('POST', `/v1/rollouts/${alarmed.id}/alarm`, { reason: 'error rate 5 %' });
    check(alarm.status === 200, `the alarm rolls it back: ${JSON.stringify(alarm.body)}`);

    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/rollouts`);
    await page.getByLabel('Environment').selectOption('production');
    const grayCard = page.locator(`.rollout[data-id="${gray.id}"]`);
    const planCard = page.locator(`.rollout[data-id="${plan.id}"]`);
    const alarmedCard = page.locator(`.rollout[data-id="${alarmed.id}"]`);
    await eventually('the eu-1 reader counted on the gray release', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await grayCard.waitFor();
      const text = await grayCard.textContent();
      return text.includes('on v1') && text.includes('on the rollout1');
    }, 30000);
    const grayText = await grayCard.textContent();
    check(grayText.includes('Gray release to selector zone=eu-1') && grayText.includes('active') && grayText.includes('bigger pool'),
      `the gray release shows its targeting and state: ${grayText}`);
    check((await planCard.textContent()).includes('Step 1 of 2 (10 % → 100 %)'), `the plan shows its step: ${await planCard.textContent()}`);
    await alarmedCard.locator('.stop-reason', { hasText: 'error rate 5 %' }).waitFor();
    check(await alarmedCard.getByRole('button').count() === 0, 'a rolled-back rollout offers no action');
    check((await unnamedControls(page)).length === 0, `every control is named: ${await unnamedControls(page)}`);
    await run.shot(page, 'rollouts');

    const state = async (id) => (await run.api('GET', `/v1/rollouts/${id}`)).body.state;
    await planCard.getByRole('button', { name: 'Pause' }).click();
    await page.locator(`.rollout[data-id="${plan.id}"][data-state="paused"]`).waitFor();
    check(await state(plan.id) === 'paused', 'paused');
    await planCard.getByRole('button', { name: 'Resume' }).click();
    await page.locator(`.rollout[data-id="${plan.id}"][data-state="active"]`).waitFor();
    check(await state(plan.id) === 'active', 'resumed');
    await planCard.getByLabel('Reason').fill('p99 up');
    await planCard.getByRole('button', { name: 'Abort' }).click();
    await page.locator(`.rollout[data-id="${plan.id}"][data-state="aborted"]`).waitFor();
    await planCard.locator('.stop-reason', { hasText: 'p99 up' }).waitFor();
    check((await run.api('GET', `/v1/config/${base}.limit?env=production`)).body.value === 1, 'aborted: the released value stays');

    await grayCard.getByRole('button', { name: 'Promote' }).click();
    await page.locator(`.rollout[data-id="${gray.id}"][data-state="promoted"]`).waitFor();
    const promoted = (await run.api('GET', `/v1/config/${base}.pool?env=production`)).body;
    check(promoted.value === 20 && promoted.version === 2, `promoted: a new released version ${JSON.stringify(promoted)}`);

    // a token that may only read sees the rollouts and no action
    const reader = (await run.createToken(`rollout-reader-${run36}`, [{ env: 'production', prefix: base, access: 'read' }])).token;
    const other = await run.page();
    await run.signIn(other, reader);
    await other.goto(`${run.url}/console/#/rollouts`);
    await other.getByLabel('Environment').selectOption('production');
    await other.locator(`.rollout[data-id="${gray.id}"]`).waitFor();
    check(await other.locator('.rollout button').count() === 0, 'a read-only token is offered no action');
  },

  /** Rollouts: a live gray release is retargeted in place (bad input refused, nothing changed). */
  async rolloutRetarget(run) {
    const base = prefix('retarget');
    await run.put('production', `${base}.pool`, 10);
    const started = await run.api('POST', '/v1/rollouts?env=production', { key: `${base}.pool`, value: 20, selector: 'zone=eu-1' });
    check(started.status === 201, `the gray release starts: ${JSON.stringify(started.body)}`);
    const id = started.body.id;
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/rollouts`);
    await page.getByLabel('Environment').selectOption('production');
    const card = page.locator(`.rollout[data-id="${id}"]`);
    await card.waitFor();
    check(await card.getByLabel('Selector').inputValue() === 'zone=eu-1', 'the form shows the current selector');
    await card.getByLabel('Selector').fill('zone=eu-2');
    await card.getByLabel('Percentage').fill('25');
    await card.getByRole('button', { name: 'Retarget' }).click();
    await page.locator('.notice', { hasText: `Rollout ${id} now aimed at selector zone=eu-2, 25 %` }).waitFor();
    let now = (await run.api('GET', `/v1/rollouts/${id}`)).body;
    check(now.selector === 'zone=eu-2' && now.percentage === 25 && now.state === 'active', `retargeted: ${JSON.stringify(now)}`);
    await page.locator(`.rollout[data-id="${id}"] .targeting`, { hasText: 'selector zone=eu-2, 25 %' }).waitFor();
    const who = 'instance=retarget-eu-1&labels=zone%3Deu-1';
    check((await run.api('GET', `/v1/config/${base}.pool?env=production&${who}`)).body.value === 10, 'an eu-1 reader is back on the released value');

    const again = page.locator(`.rollout[data-id="${id}"]`);
    await again.getByLabel('Selector').fill('zone in (');
    await again.getByRole('button', { name: 'Retarget' }).click();
    await again.locator('.error', { hasText: 'Not retargeted' }).waitFor();
    now = (await run.api('GET', `/v1/rollouts/${id}`)).body;
    check(now.selector === 'zone=eu-2' && now.percentage === 25, `a bad selector changes nothing: ${JSON.stringify(now)}`);
    check((await unnamedControls(page)).length === 0, `every control is named: ${await unnamedControls(page)}`);
    check((await run.api('POST', `/v1/rollouts/${id}/abort`, {})).status === 200, 'aborted');
  },

  /** Rollouts: the newest come first, and More pages on to older ones past the first 100. */
  async rolloutsPaged(run) {
    const base = prefix('manyrollouts');
    const ids = [];
    for (let i = 0; i < 101; i++) {
      await run.put('production', `${base}.k${i}`, i);
      const started = await run.api('POST', '/v1/rollouts?env=production', { key: `${base}.k${i}`, value: i + 1000, percentage: 10 });
      check(started.status === 201, `rollout ${i} starts: ${JSON.stringify(started.body)}`);
      ids.push(started.body.id);
    }
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/rollouts`);
    await page.getByLabel('Environment').selectOption('production');
    await page.locator(`.rollout[data-id="${ids[100]}"]`).waitFor();
    check(await page.locator('.rollout').count() === 100, `one page of 100: ${await page.locator('.rollout').count()}`);
    check(await page.locator(`.rollout[data-id="${ids[0]}"]`).count() === 0, 'the oldest of these waits on the next page');
    const first = await page.locator('.rollout').first().getAttribute('data-id');
    check(first === String(ids[100]), `the newest first: ${first}`);
    await page.getByRole('button', { name: 'More' }).click();
    await page.locator(`.rollout[data-id="${ids[0]}"]`).waitFor();
    check(await page.locator('.rollout').count() > 100, 'the next page is added below');
    for (const id of ids) {
      await run.api('POST', `/v1/rollouts/${id}/abort`, {});
    }
  },

  /** A value holding markup is shown as text everywhere and runs nothing. */
  async valuesAreText(run) {
    const key = `${prefix('xss')}.banner`;
    const markup = '<img src=x onerror=alert(1)>';
    await run.put('production', key, markup, { comment: `<script>alert(2)</script>${markup}` });
    await run.put('production', key, { html: markup, '<b>bold</b>': markup }, { comment: markup });
    const page = await run.page();
    await run.signIn(page);
    await openKey(run, page, 'production', key);
    await page.getByLabel('Filter').fill(key);
    await page.locator('.row', { hasText: key }).waitFor();
    check((await page.locator('pre.value').textContent()).includes(`"html": "${markup}"`), 'the value is shown as its characters');
    check((await page.locator('.row .preview').first().textContent()).includes(markup), 'the list preview is text');
    check((await page.locator('[data-field="comment"]').textContent()) === markup, 'the comment is text');
    await page.goto(keyUrl(run, 'production', key, '?view=history'));
    await page.locator('table.versions').waitFor();
    check((await page.locator('table.versions').textContent()).includes('<script>alert(2)</script>'), 'history comments are text');
    await page.goto(`${run.url}/console/#/audit`);
    await page.getByLabel('Prefix').fill(prefix('xss'));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.audit-table tbody tr').first().waitFor();
    const injected = await page.evaluate(() => ({ images: document.querySelectorAll('img').length, scripts: [...document.scripts].map((s) => s.src) }));
    check(injected.images === 0, `no image element was created: ${injected.images}`);
    check(injected.scripts.length === 1 && injected.scripts[0].endsWith('/console/console.js'), `only the console's script: ${injected.scripts}`);
    await run.shot(page, 'values-as-text');
  },

  /** Tokens: create with grants, the secret shown once with a copy button; revoke; the API agrees. */
  async tokens(run) {
    const name = `console-made-${run36}`;
    const page = await run.page();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: run.url });
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/tokens`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Grant 1 environment').selectOption('staging');
    await page.getByLabel('Grant 1 key prefix').fill('services.payment');
    await page.getByLabel('Grant 1 access').selectOption('write');
    await page.getByRole('button', { name: 'Add grant' }).click();
    await page.getByLabel('Grant 2 environment').selectOption('production');
    await page.getByLabel('Grant 2 key prefix').fill('services.payment');
    await page.getByRole('button', { name: 'Create token' }).click();
    const box = page.getByRole('region', { name: 'New token secret' });
    await box.waitFor();
    const secret = await box.getByLabel('Secret').inputValue();
    check(secret.startsWith('cfd_'), 'the secret is shown');
    await box.getByRole('button', { name: 'Copy' }).click();
    await box.getByText('Copied').waitFor();
    check(await page.evaluate(() => navigator.clipboard.readText()) === secret, 'Copy puts the secret on the clipboard');
    await run.shot(page, 'tokens-created');
    const me = await run.api('GET', '/v1/whoami', undefined, { token: secret });
    check(me.status === 200 && me.body.name === name && me.body.grants.length === 2, `the new token works: ${JSON.stringify(me.body)}`);
    const row = page.locator(`tr[data-name="${name}"]`);
    await row.waitFor();
    check((await row.textContent()).includes('write on staging:services.payment'), 'grants listed');

    await page.reload();
    await row.waitFor();
    check(!(await page.content()).includes(secret), 'the secret is shown once only');
    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.locator('td', { hasText: 'revoked' }).waitFor();
    const after = await run.api('GET', '/v1/whoami', undefined, { token: secret });
    check(after.status === 401, `the revoked token is refused: ${after.status}`);
  },

  /** Import/Export: a prefix exported as YAML, previewed into another environment (nothing written), then imported. */
  async importExport(run) {
    const base = prefix('exchange');
    await run.put('staging', `${base}.pool`, 20);
    await run.put('staging', `${base}.url`, 'jdbc:postgresql://db/pay');
    await run.put('production', `${base}.pool`, 10);
    await run.put('production', `${base}.url`, 'jdbc:postgresql://db/pay');
    await run.put('production', `${base}.legacy`, true);
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/exchange`);
    const view = page.locator('section.exchange');
    await view.getByLabel('Environment', { exact: true }).selectOption('staging');
    await view.getByLabel('Prefix', { exact: true }).fill(base);
    await view.getByLabel('Format', { exact: true }).selectOption('yaml');
    await view.getByRole('button', { name: 'Export' }).click();
    await view.locator('.summary', { hasText: 'Exported staging' }).waitFor();
    const exported = await view.getByLabel('File', { exact: true }).inputValue();
    check(exported.includes(`${base}.pool: 20`), `the YAML export: ${exported}`);

    const head = async () => (await run.api('GET', `/v1/changes?env=production&prefix=${base}&since=0`)).body.head;
    const before = await head();
    await view.getByLabel('Environment', { exact: true }).selectOption('production');
    await view.getByLabel('Delete the keys under the prefix that the file does not hold').check();
    check(await view.getByRole('button', { name: 'Import' }).isDisabled(), 'no Import before a preview');
    await view.getByRole('button', { name: 'Preview' }).click();
    await view.locator('.summary', { hasText: '0 added, 1 changed, 1 removed, 1 unchanged. Preview: nothing written yet.' }).waitFor();
    check(await view.locator(`tr.changed[data-key="${base}.pool"]`).count() === 1, 'the pool changes');
    check(await view.locator(`tr.removed[data-key="${base}.legacy"]`).count() === 1, 'legacy goes');
    check(await head() === before, 'a preview writes nothing');
    await run.shot(page, 'import-preview');

    await view.getByRole('button', { name: 'Import' }).click();
    await view.locator('.summary', { hasText: 'Imported in one transaction, at revision' }).waitFor();
    const pool = await run.api('GET', `/v1/config/${base}.pool?env=production`);
    check(pool.body.value === 20, `imported: ${JSON.stringify(pool.body)}`);
    check((await run.api('GET', `/v1/config/${base}.legacy?env=production`)).status === 404, 'pruned');
    check(await head() === before + 2, 'one change per written key');
  },

  /** The audit log filters by environment, prefix, actor and time and links to the versions; node status refreshes. */
  async auditAndStatus(run) {
    const key = `${prefix('audit')}.timeout`;
    await run.put('staging', key, '1s');
    await run.put('staging', key, '2s', { comment: 'slower' });
    await run.put('production', key, '5s');
    const page = await run.page();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/audit`);
    await page.getByLabel('Environment').last().selectOption('staging');
    await page.getByLabel('Prefix').fill(prefix('audit'));
    await page.getByLabel('Actor').fill('bootstrap-admin');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually('two audit rows (the audit consumer records them)', async () => {
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('.audit-results .summary').waitFor();
      return (await page.locator('.audit-table tbody tr').count()) === 2;
    }, 60000);
    check((await page.locator('.audit-table tbody').textContent()).includes('slower'), 'comment in the audit row');
    await run.shot(page, 'audit');
    const future = new Date(Date.now() + 3600_000);
    await page.getByLabel('From').fill(new Date(future.getTime() - future.getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.audit-results .summary', { hasText: '0 changes' }).waitFor();
    await page.getByLabel('From').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `${key} version 2 in staging` }).click();
    await page.locator('table.versions tr.chosen[data-version="2"]').waitFor();

    await page.goto(`${run.url}/console/#/status`);
    await page.locator('[data-cell="ready"]', { hasText: 'UP' }).waitFor();
    await page.locator('[data-cell="pg"]', { hasText: 'UP' }).waitFor();
    await page.locator('[data-cell="leader"]', { hasText: 'yes' }).waitFor();
    await page.locator('[data-cell="breaker"]', { hasText: 'CLOSED' }).waitFor();
    const first = await page.locator('.updated').textContent();
    await eventually('a live refresh', async () => (await page.locator('.updated').textContent()) !== first);
    await run.shot(page, 'status');
  },

  /** Keyboard only, in a narrow window: filter, move through keys with the arrows, open one; nothing overflows. */
  async keyboardNarrow(run) {
    const base = prefix('keys');
    for (const name of ['alpha', 'beta', 'gamma']) {
      await run.put('development', `${base}.${name}`, name);
    }
    const page = await run.page({ width: 420, height: 800 });
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/browse/development`);
    await page.getByLabel('Filter').focus();
    await page.keyboard.type(base);
    await page.locator('.count', { hasText: '3 keys' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    check(await page.evaluate(() => document.activeElement.dataset.key) === `${base}.beta`, 'arrows move through the keys');
    await page.keyboard.press('Enter');
    await page.locator('.key-title', { hasText: `${base}.beta` }).waitFor();
    const overflow = () => page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    check(await overflow() <= 0, `no horizontal scrolling in a narrow window (${await overflow()}px too wide)`);
    let unnamed = await unnamedControls(page);
    check(unnamed.length === 0, `controls without an accessible name: ${unnamed.join(' | ')}`);
    await run.shot(page, 'narrow');
    for (const [section, ready] of [['audit', '.audit-table'], ['compare?from=development&to=staging&prefix=console', '.compare-results .summary'],
      ['tokens', '.tokens-table'], ['status', '[data-cell="ready"]']]) {
      await page.goto(`${run.url}/console/#/${section}`);
      await page.locator(ready).first().waitFor();
      check(await overflow() <= 0, `#/${section} fits a narrow window (${await overflow()}px too wide)`);
      unnamed = await unnamedControls(page);
      check(unnamed.length === 0, `#/${section}: controls without an accessible name: ${unnamed.join(' | ')}`);
    }
  },

  /** 50,000 keys: loaded, counted, filtered and scrolled with only the visible rows in the page. */
  async fiftyThousandKeys(run) {
    const total = Number(process.env.CONSOLE_BULK_KEYS ?? 50000);
    const env = process.env.CONSOLE_BULK_ENV ?? 'production';
    const page = await run.page();
    const started = Date.now();
    await run.signIn(page);
    await page.goto(`${run.url}/console/#/browse/${env}`);
    await eventually(`all ${total} bulk keys to load`, async () =>
      (await page.locator('[data-path="bulk"][data-role="node"]').getAttribute('aria-label')) === `bulk: ${total} keys`, 180000);
    const loadedMillis = Date.now() - started;
    const rowsInPage = await page.locator('.row').count();
    check(rowsInPage > 0 && rowsInPage < 200, `only the visible rows exist: ${rowsInPage}`);
    await page.locator('[data-path="bulk"][data-role="node"]').click();
    const filterStarted = Date.now();
    await page.getByLabel('Filter').fill('k04999');
    await page.locator('.count', { hasText: /^1[0-9]* keys? under bulk/ }).waitFor();
    const filterMillis = Date.now() - filterStarted;
    await page.getByLabel('Filter').fill('');
    await page.locator('.count', { hasText: `${total.toLocaleString()} keys under bulk` }).waitFor();
    const viewport = page.getByRole('list', { name: 'Keys' });
    await viewport.focus();
    const scrollStarted = Date.now();
    await page.keyboard.press('End');
    const lastKey = `bulk.g${String((total - 1) % 50).padStart(2, '0')}.k${String(total - 1).padStart(5, '0')}`;
    await page.locator('.row').last().waitFor();
    const scrollMillis = Date.now() - scrollStarted;
    const focused = await page.evaluate(() => document.activeElement?.dataset?.key);
    check(focused === lastKey && (await page.locator('.row').count()) < 200, `End reaches the last key (${focused}, expected ${lastKey})`);
    await run.shot(page, 'fifty-thousand-keys');
    console.log(`figures: ${total} keys: loaded and counted ${loadedMillis} ms after sign-in; filter answered in ${filterMillis} ms; `
      + `End in ${scrollMillis} ms; ${rowsInPage} rows in the page`);
  },
};
