/**
 * The CLI's settings: where the APIs are and the login's tokens, in `config.json` under `CHAT_CONFIG_DIR`
 * (default `$XDG_CONFIG_HOME/serverless-chat`, else `~/.config/serverless-chat`). The file holds a bearer
 * token and a refresh token, so it is written with mode 0600 in a directory created with mode 0700, and
 * replaced atomically.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ChatClientError } from '../errors.ts';
import type { LoginResult } from '../types.ts';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_WS_URL = 'ws://127.0.0.1:3001';
const CONFIG_FILE = 'config.json';

/** A login, kept with the HTTP API it belongs to: a token of one deployment means nothing to another. */
export interface SavedLogin {
  /** The access token (15 minutes); renewed with `refreshToken` when the server refuses it. */
  readonly token: string;
  /** Single use: each refresh replaces it, and the file with it. Absent in files of older versions. */
  readonly refreshToken?: string;
  readonly username: string;
  readonly userId: string;
  readonly apiUrl: string;
  /** When the login ends (its session's end, ISO 8601): then the user logs in again. */
  readonly expiresAt: string;
}

/** The login to keep for a login (or refresh, or password change) answer on `apiUrl`. */
export function savedLogin(result: LoginResult, apiUrl: string): SavedLogin {
  return {
    token: result.token,
    refreshToken: result.refreshToken,
    username: result.user.username,
    userId: result.user.userId,
    apiUrl,
    expiresAt: new Date(Date.now() + result.refreshExpiresIn * 1000).toISOString(),
  };
}

export interface CliConfig {
  readonly apiUrl?: string;
  readonly wsUrl?: string;
  readonly login?: SavedLogin;
}

export type UrlSource = 'option' | 'environment' | 'config file' | 'default';

export interface Endpoints {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly apiUrlSource: UrlSource;
  readonly wsUrlSource: UrlSource;
}

export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHAT_CONFIG_DIR) return env.CHAT_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'serverless-chat');
}

export function configPath(directory: string): string {
  return join(directory, CONFIG_FILE);
}

export function readConfig(directory: string): CliConfig {
  const path = configPath(directory);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ChatClientError('BAD_CONFIG', `Cannot read ${path}: ${(error as Error).message}.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as CliConfig;
  } catch {
    throw new ChatClientError('BAD_CONFIG', `${path} is not valid JSON; fix it or delete it.`);
  }
}

export function writeConfig(directory: string, config: CliConfig): string {
  // A directory made here gets 0700; one the user chose already keeps its own mode.
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = configPath(directory);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file, and the umask may narrow it: set it explicitly.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

/** An option, else the environment, else the config file, else the local stack's defaults. */
export function resolveEndpoints(
  options: { apiUrl?: string; wsUrl?: string },
  env: NodeJS.ProcessEnv,
  config: CliConfig,
): Endpoints {
  const pick = (
    option: string | undefined,
    variable: string | undefined,
    saved: string | undefined,
    fallback: string,
  ) => {
    if (option) return { url: option, source: 'option' as const };
    if (variable) return { url: variable, source: 'environment' as const };
    if (saved) return { url: saved, source: 'config file' as const };
    return { url: fallback, source: 'default' as const };
  };
  const api = pick(options.apiUrl, env.CHAT_API_URL, config.apiUrl, DEFAULT_API_URL);
  const ws = pick(options.wsUrl, env.CHAT_WS_URL, config.wsUrl, DEFAULT_WS_URL);
  return {
    apiUrl: checkUrl(api.url, ['http:', 'https:'], 'HTTP API URL'),
    wsUrl: checkUrl(ws.url, ['ws:', 'wss:'], 'WebSocket URL'),
    apiUrlSource: api.source,
    wsUrlSource: ws.source,
  };
}

/** Validates a URL and drops the trailing slash that stack outputs carry (`https://…amazonaws.com/`). */
export function checkUrl(value: string, protocols: readonly string[], what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ChatClientError('INVALID_URL', `The ${what} "${value}" is not a URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ChatClientError(
      'INVALID_URL',
      `The ${what} "${value}" must start with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}.`,
    );
  }
  return value.replace(/\/+$/, '');
}
