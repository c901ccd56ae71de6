import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Without JWT_SECRET a key is generated; with a data directory it is kept there (mode 0600) so that tokens
 * survive a restart along with the accounts they belong to, and so is every value put into the secret later.
 */
export function localJwtSecret(dataDir: string | undefined): string {
  if (dataDir === undefined) return randomBytes(48).toString('base64url');
  const file = jwtSecretFile(dataDir);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeJwtSecret(dataDir, secret);
  return secret;
}

function jwtSecretFile(dataDir: string): string {
  mkdirSync(resolve(dataDir), { recursive: true });
  return join(resolve(dataDir), 'jwt-secret');
}

export function writeJwtSecret(dataDir: string, value: string): void {
  writeFileSync(jwtSecretFile(dataDir), `${value}\n`, { mode: 0o600 });
}
