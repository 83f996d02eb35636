import { EventEmitter } from 'node:events';

/** One version of one key, as the bridge carries it. */
export interface ConfigChange {
  readonly key: string;
  readonly env: string;
  /** a JSON value; null when deleted */
  readonly value: unknown;
  readonly version: number;
  readonly revision: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  readonly deleted: boolean;
  readonly critical: boolean;
  /**
   * the rollout this value comes from when the node sent this instance a rollout's value ('target') or brought it
   * back to the released one ('abort'); null for a released value
   */
  readonly rollout: { id: number; action: 'target' | 'abort'; selector?: string; percentage?: number } | null;
}

export interface ConfigClientOptions {
  /** node URLs, tried in turn: 'http://configd-1:8080' */
  nodes: string | string[];
  /** what to load: 'env:prefix' or {env, prefix}; reads without an env read the first one's environment */
  watch: string | { env: string; prefix?: string } | Array<string | { env: string; prefix?: string }>;
  /** bearer token with read access on every watched prefix, sent in every frame's headers */
  token?: string;
  /** PEM CA certificates to trust for https:// nodes, besides Node's own roots (also set on https.globalAgent) */
  ca?: string | Buffer;
  /** the same, read from this file */
  caFile?: string;
  /**
   * who this instance is: the client says hello on every connection and acknowledges every change it applied, so
   * that GET /v1/instances lists it; id defaults to the host name and the process id
   */
  instance?: string | { id?: string; app?: string; labels?: Record<string, string> };
  /** how long acks gather a burst of applied changes (default 100) */
  ackDelayMs?: number;
  requestTimeoutMs?: number;
  startTimeoutMs?: number;
  syncIntervalMs?: number;
  pingIntervalMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number };
}

export declare class ConfigClient extends EventEmitter {
  constructor(options: ConfigClientOptions);
  readonly state: 'starting' | 'connected' | 'disconnected' | 'closed';
  readonly connectedNode: string | null;
  start(): Promise<void>;
  close(): Promise<void>;
  get(key: string, env?: string): unknown;
  getChange(key: string, env?: string): ConfigChange | undefined;
  getString(key: string, defaultValue?: string, env?: string): string;
  getNumber(key: string, defaultValue?: number, env?: string): number;
  getInt(key: string, defaultValue?: number, env?: string): number;
  getBoolean(key: string, defaultValue?: boolean, env?: string): boolean;
  /** milliseconds */
  getDuration(key: string, defaultValue?: number, env?: string): number;
  getJson<T = unknown>(key: string, defaultValue?: T, env?: string): T;
  keys(env?: string): string[];
  watermark(watch: string | { env: string; prefix?: string }): number | undefined;
  onChange(prefixOrKey: string, listener: (change: ConfigChange) => void, env?: string): () => void;
  /** an error against the revision this instance runs, sent with the next ack (a staged rollout's health signal) */
  reportFailure(): void;
  on(event: 'change', listener: (change: ConfigChange) => void): this;
  on(event: 'connected', listener: (node: string) => void): this;
  on(event: 'disconnected', listener: () => void): this;
  /** A fresh snapshot replaces every value: the database was restored (a new epoch) or retention pruned the changes. */
  on(event: 'resnapshot', listener: (reason: string) => void): this;
  on(event: 'warning', listener: (error: ConfigdError) => void): this;
}

export declare class ConfigdError extends Error {
  readonly rejected: boolean;
}

export declare class ConfigValueError extends Error {
  readonly key: string;
}

export declare function parseDuration(text: string): number;
