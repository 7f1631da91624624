// Makes a Prisma migration without `prisma migrate dev` (which needs the native schema engine,
// unavailable offline): diff the schema recorded by the last migration against the work tree.
// Run from the package directory (where prisma.config.ts is), as the db:migration script does.
// usage: tsx scripts/new-migration.ts <prisma-dir> <name>      write a new migration
//        tsx scripts/new-migration.ts <prisma-dir> --check     exit 1 if the schema has unmigrated changes
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [prismaDir, name] = process.argv.slice(2);
if (!prismaDir || !name) {
  console.error('usage: new-migration.ts <prisma-dir> <name>|--check');
  process.exit(2);
}
const schemaDir = path.join(prismaDir, 'schema');
const migrationsDir = path.join(prismaDir, 'migrations');
const snapshotFile = path.join(migrationsDir, 'schema-snapshot.prisma');

/** The whole multi-file schema as one datamodel, in a stable order. */
export function concatSchema(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .sort()
    .map((f) => `// --- ${f}\n${readFileSync(path.join(dir, f), 'utf8')}`)
    .join('\n');
}

const current = concatSchema(schemaDir);
const tmp = path.join(migrationsDir, '.current.prisma');
mkdirSync(migrationsDir, { recursive: true });
writeFileSync(tmp, current);
const from = existsSync(snapshotFile) ? ['--from-schema-datamodel', snapshotFile] : ['--from-empty'];
const env = {
  ...process.env,
  PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
  PRISMA_QUERY_ENGINE_LIBRARY: '/bin/false',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  // The diff needs no database, but the driver adapter wants a reachable one to start.
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
};
let sql: string;
try {
  sql = execFileSync(
    'npx',
    ['prisma', 'migrate', 'diff', ...from, '--to-schema-datamodel', tmp, '--script'],
    { env, encoding: 'utf8' },
  );
} finally {
  execFileSync('rm', ['-f', tmp]);
}
const empty = !/^(CREATE|ALTER|DROP)/m.test(sql);
if (name === '--check') {
  if (!empty) {
    console.error(`schema changes without a migration in ${prismaDir}:\n${sql}`);
    process.exit(1);
  }
  console.log('schema and migrations agree');
  process.exit(0);
}
if (empty) {
  console.log('no schema changes: nothing to migrate');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name.replace(/[^a-z0-9_]/gi, '_')}`);
mkdirSync(dir);
writeFileSync(path.join(dir, 'migration.sql'), sql);
writeFileSync(snapshotFile, current);
if (!existsSync(path.join(migrationsDir, 'migration_lock.toml'))) {
  writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
}
console.log(`wrote ${dir}/migration.sql`);
