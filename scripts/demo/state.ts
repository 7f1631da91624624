// Where the demo keeps what must survive a restart: secrets, keys, embedded S3 data.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, writePrivateKeyFile, writePublicKeyFile } from '@annex/protocol';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const STATE = path.join(ROOT, '.annex', 'demo');
mkdirSync(path.join(STATE, 'keys'), { recursive: true });

/** A secret made once, so pseudonyms stay stable across demo runs. */
export function persistentSecret(name: string): string {
  const file = path.join(STATE, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** An Ed25519 key pair made on first run: `<name>.key` (0600) and `<name>.pub`. */
export function persistentKeyPair(name: string): { privateFile: string; publicFile: string } {
  const privateFile = path.join(STATE, 'keys', `${name}.key`);
  const publicFile = path.join(STATE, 'keys', `${name}.pub`);
  if (!existsSync(privateFile)) {
    const { privateKey, publicKey } = generateKeyPair();
    writePrivateKeyFile(privateFile, privateKey);
    writePublicKeyFile(publicFile, publicKey);
  }
  return { privateFile, publicFile };
}

/** Creates the database if needed and applies the package's migrations. */
export async function ensureDatabase(url: string, packageDir: string) {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await client.end();
  execFileSync('npm', ['run', '-s', 'db:deploy'], {
    cwd: packageDir,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
}

/** Builds a web app (vite) when its dist is missing, so a fresh clone's demo has a UI. */
export function ensureWebBuild(workspace: 'web/site' | 'web/cloud') {
  if (existsSync(path.join(ROOT, workspace, 'dist', 'index.html'))) return;
  console.log(`building ${workspace} (first run only)…`);
  execFileSync('npm', ['run', '-s', 'build', '-w', workspace], { cwd: ROOT, stdio: 'inherit' });
}
