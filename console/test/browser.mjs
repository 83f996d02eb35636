// What every browser scenario shares: Debian's Chromium driven by playwright-core, a page that fails the
// scenario on any script error or Content-Security-Policy violation, the node's API for arranging and
// checking (as a real client, with a token), screenshots under the artifacts directory.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export class Run {
  constructor({ url, adminToken, artifacts }) {
    this.url = url.replace(/\/$/, '');
    this.adminToken = adminToken;
    this.artifacts = artifacts;
    this.problems = [];
    /** While a scenario has cut the page's network (a Proxy), failed loads are what it expects, not problems. */
    this.networkCut = false;
    this.contexts = [];
    mkdirSync(artifacts, { recursive: true });
  }

  async launch() {
    this.browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
    return this;
  }

  /** Before a scenario: a browser (launched once, again only if it went away) and no problems recorded yet. */
  async begin() {
    if (!this.browser?.isConnected()) {
      await this.launch();
    }
    this.problems = [];
    this.networkCut = false;
  }

  /** After a scenario: its browser contexts closed, so the next scenario shares nothing with it but the browser. */
  async end() {
    const contexts = this.contexts.splice(0);
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  }

  /** A fresh browser context (its own session storage) with a page that records every script problem. */
  async page({ width = 1280, height = 860 } = {}) {
    const context = await this.browser.newContext({ viewport: { width, height }, locale: 'en-US', timezoneId: 'UTC' });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (this.networkCut && /net::ERR_(CONNECTION_RESET|CONNECTION_REFUSED|EMPTY_RESPONSE|CONNECTION_CLOSED|SOCKET_NOT_CONNECTED)/.test(message.text())) {
        return;
      }
      if (message.type() === 'error' && !/status of 4\d\d|the server responded with a status of 4/.test(message.text())) {
        this.problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('dialog', (dialog) => {
      this.problems.push(`a JavaScript dialog opened: ${dialog.message()}`);
      dialog.dismiss();
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    page.setDefaultTimeout(20000);
    return page;
  }

  async signIn(page, token = this.adminToken) {
    await page.goto(`${this.url}/console/`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async shot(page, name) {
    await page.screenshot({ path: join(this.artifacts, `${name}.png`) });
  }

  /** The public API, as a client of the node (not through the page). */
  async api(method, path, body, { token = this.adminToken, headers = {} } = {}) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async put(env, key, value, extra = {}) {
    const answer = await this.api('PUT', `/v1/config/${key}?env=${env}`, { value, ...extra });
    check(answer.status === 200 || answer.status === 201, `PUT ${key} in ${env} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async createToken(name, grants) {
    const answer = await this.api('POST', '/v1/tokens', { name, grants });
    check(answer.status === 201, `POST /v1/tokens answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async close() {
    await this.browser?.close();
  }
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

/** Polls until probe() is truthy (the page updates asynchronously); fails with what it last saw. */
export async function eventually(what, probe, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
