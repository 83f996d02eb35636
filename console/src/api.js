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
  async call(method, url, { body, headers = {} } = {}) {
    const sent = { Accept: 'application/json, application/problem+json', ...headers };
    if (this.token) {
      sent.Authorization = `Bearer ${this.token}`;
    }
    let payload;
    if (body !== undefined) {
      sent['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
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
    return { status: response.status, body: json, etag: response.headers.get('ETag') };
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

  tokens() {
    return this.get('/v1/tokens');
  }

  createToken(body) {
    return this.call('POST', '/v1/tokens', { body }).then((answer) => answer.body);
  }

  revokeToken(id) {
    return this.call('DELETE', `/v1/tokens/${encodeURIComponent(id)}`).then((answer) => answer.body);
  }
}
