// The public HTTP API, called with the signed-in person's own token (never a cookie: credentials omitted).

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `the node answered ${status}`);
    this.status = status;
    this.problem = problem;
  }

  get type() {
    return this.problem?.type?.split('/').pop();
  }
}

/**
 * A write an approval policy held (202): nothing is written until another person approves it. It interrupts a save
 * like a refusal, so that no view takes the pending change for the written version.
 */
export class HeldForApproval extends ApiError {
  constructor(pending) {
    super(202, { title: 'Held for approval', detail: `held for approval as pending change ${pending.id}: nothing is `
      + 'written until another person approves it (Pending changes)' });
    this.pending = pending;
  }
}

export function path(base, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value != null && value !== '') {
      query.set(name, String(value));
    }
  }
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

export class Api {
  constructor(token) {
    this.token = token;
    /** env, key and version of every write this page made: their live echo is not announced. */
    this.written = new Set();
  }

  wrote(record) {
    this.written.add(`${record.env}\u0000${record.key}\u0000${record.version}`);
    return record;
  }

  isOwn(change) {
    return this.written.has(`${change.env}\u0000${change.key}\u0000${change.version}`);
  }

  /** Resolves {status, body, etag}; rejects with an ApiError carrying the problem+json of a refusal. */
  async call(method, url, { body, text: raw, contentType, headers = {} } = {}) {
    const sent = { Accept: 'application/json, application/problem+json', ...headers };
    if (this.token) {
      sent.Authorization = `Bearer ${this.token}`;
    }
    let payload;
    if (body !== undefined) {
      sent['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    } else if (raw !== undefined) {
      sent['Content-Type'] = contentType;
      payload = raw;
    }
    let response;
    try {
      response = await fetch(url, { method, headers: sent, body: payload, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      throw new ApiError(0, { title: 'Unreachable', detail: `the node did not answer (${e.message})` });
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = { detail: text };
      }
    }
    if (!response.ok) {
      if (response.status === 401) {
        this.onUnauthorized?.();
      }
      throw new ApiError(response.status, json);
    }
    if (response.status === 202 && json?.ops) {
      throw new HeldForApproval(json);
    }
    return { status: response.status, body: json, text, etag: response.headers.get('ETag') };
  }

  get(url) {
    return this.call('GET', url).then((answer) => answer.body);
  }

  whoami() {
    return this.get('/v1/whoami');
  }

  entry(env, key) {
    return this.get(path(`/v1/config/${encodeURIComponent(key)}`, { env }));
  }

  put(env, key, body, headers) {
    return this.call('PUT', path(`/v1/config/${encodeURIComponent(key)}`, { env }), { body, headers })
      .then((answer) => this.wrote(answer.body));
  }

  remove(env, key, version, comment) {
    return this.call('DELETE', path(`/v1/config/${encodeURIComponent(key)}`, { env, comment }),
      { headers: { 'If-Match': `"${version}"` } }).then((answer) => this.wrote(answer.body));
  }

  versions(env, key, cursor, limit = 100) {
    return this.get(path(`/v1/config/${encodeURIComponent(key)}/versions`, { env, cursor, limit }));
  }

  rollback(env, key, version, current, comment) {
    return this.call('POST', path(`/v1/config/${encodeURIComponent(key)}/rollback`, { env }),
      { body: comment ? { version, comment } : { version }, headers: { 'If-Match': `"${current}"` } })
      .then((answer) => this.wrote(answer.body));
  }

  /** POST /v1/txn: every op in one commit, or none (the ApiError names the first failing op). */
  txn(env, body) {
    return this.call('POST', path('/v1/txn', { env }), { body }).then((answer) => {
      body.ops.forEach((op, i) => this.wrote({ env, key: op.key, version: answer.body.results[i].version }));
      return answer.body;
    });
  }

  /** Every current entry under a prefix, all pages. */
  async entries(env, prefix) {
    const items = [];
    let cursor = null;
    do {
      const page = await this.get(path('/v1/config', { env, prefix, cursor, limit: 1000 }));
      items.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return items;
  }

  audit(params) {
    return this.get(path('/v1/audit', params));
  }

  /** A prefix as the text of a json, yaml or properties file (GET /v1/export). */
  async exportText(env, prefix, format) {
    return (await this.call('GET', path('/v1/export', { env, prefix, format }), { headers: { Accept: '*/*' } })).text;
  }

  /** POST /v1/import of a file's text: {added, changed, removed, unchanged, dryRun, revision}. */
  importText({ env, prefix, format, dryRun, prune }, text) {
    const contentType = { json: 'application/json', yaml: 'application/yaml', properties: 'text/plain; charset=utf-8' }[format];
    return this.call('POST', path('/v1/import', { env, prefix, format, dryRun, prune }), { text, contentType })
      .then((answer) => answer.body);
  }

  /** A page of changes held for approval in env, by status (pending, approved, rejected, expired, all). */
  pending(env, status, cursor) {
    return this.get(path('/v1/pending', { env, status, cursor, limit: 100 }));
  }

  /** Approves a pending change: it commits as its author's. */
  approve(id) {
    return this.call('POST', `/v1/pending/${encodeURIComponent(id)}/approve`).then((answer) => answer.body);
  }

  reject(id, reason) {
    return this.call('POST', `/v1/pending/${encodeURIComponent(id)}/reject`, { body: { reason } }).then((answer) => answer.body);
  }

  /** A page of the rollouts of env, newest first, by state (active, paused, promoted, ...; undefined: all). */
  rollouts(env, state, cursor, limit = 100) {
    return this.get(path('/v1/rollouts', { env, state, order: 'newest', cursor, limit }));
  }

  /** POST /v1/rollouts/{id}/{promote|pause|resume|abort}: the rollout as it is now. */
  rolloutAction(id, action, body = {}) {
    return this.call('POST', `/v1/rollouts/${encodeURIComponent(id)}/${action}`, { body }).then((answer) => answer.body);
  }

  /** Every token, all pages. */
  async tokens() {
    const items = [];
    let cursor = null;
    do {
      const page = await this.get(path('/v1/tokens', { cursor, limit: 1000 }));
      items.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return { items };
  }

  createToken(body) {
    return this.call('POST', '/v1/tokens', { body }).then((answer) => answer.body);
  }

  revokeToken(id) {
    return this.call('DELETE', `/v1/tokens/${encodeURIComponent(id)}`).then((answer) => answer.body);
  }
}
