// npm run annex -- <command>: operator commands for keys and the cloud's site registry.
//
//   keys generate --out <dir> [--name site]     new Ed25519 key pair: <name>.key (0600) + <name>.pub
//   keys show <file>                            kid and raw public key of a key file
//   cloud create-org --slug <slug> --name <n>   (cloud commands use DATABASE_URL of the cloud)
//   cloud register-site --site <id> --org <slug> --name <n> --public-key <file>
//   cloud rotate-key --site <id> --public-key <file> [--overlap-hours 24]
//   cloud revoke-key --site <id> --kid <kid>
//   cloud list-keys --site <id>
//   cloud ping --site <id>                      queue a ping; the hub sends it within seconds
//
// Private keys only ever live in files (or env variables made from them); the cloud stores public keys.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  exportPublicKeyPem,
  generateKeyPair,
  keyId,
  loadPrivateKeyFile,
  loadPublicKeyFile,
  publicKeyOf,
  rawPublicKey,
  writePrivateKeyFile,
  writePublicKeyFile,
} from '../services/protocol/src/index.ts';

const [group, command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    name: { type: 'string' },
    site: { type: 'string' },
    org: { type: 'string' },
    slug: { type: 'string' },
    kid: { type: 'string' },
    'public-key': { type: 'string' },
    'overlap-hours': { type: 'string' },
    'database-url': { type: 'string' },
  },
});

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}
const need = (name: keyof typeof values) =>
  (values[name] as string | undefined) ?? fail(`--${name} is required`);

function describeKey(file: string) {
  let publicKey: ReturnType<typeof publicKeyOf>;
  try {
    publicKey = loadPublicKeyFile(file);
  } catch {
    publicKey = publicKeyOf(loadPrivateKeyFile(file));
  }
  return { kid: keyId(publicKey), publicKey: rawPublicKey(publicKey).toString('base64url') };
}

async function cloudCommand() {
  const url = (values['database-url'] as string | undefined) ?? process.env.DATABASE_URL;
  if (!url) fail('set DATABASE_URL (the cloud database) or pass --database-url');
  const { createPrisma } = await import('../services/cloud/src/db.ts');
  const sites = await import('../services/cloud/src/modules/sites/service.ts');
  const { enqueueCommand } = await import('../services/cloud/src/modules/outbox/repository.ts');
  const prisma = createPrisma(url);
  try {
    switch (command) {
      case 'create-org': {
        const org = await sites.createOrganization(prisma, need('slug'), need('name'));
        console.log(`organization ${org.slug} (${org.id})`);
        break;
      }
      case 'register-site': {
        const { site, kid } = await sites.registerSite(prisma, {
          siteId: need('site'),
          orgSlug: need('org'),
          name: (values.name as string | undefined) ?? need('site'),
          publicKey: exportPublicKeyPem(loadPublicKeyFile(need('public-key'))),
        });
        console.log(`site ${site.id} registered with key ${kid}`);
        break;
      }
      case 'rotate-key': {
        const hours = Number((values['overlap-hours'] as string | undefined) ?? '24');
        const key = await sites.rotateSiteKey(
          prisma,
          need('site'),
          exportPublicKeyPem(loadPublicKeyFile(need('public-key'))),
          hours * 3_600_000,
        );
        console.log(`key ${key.kid} added; the site's other keys stay valid for ${hours} h`);
        break;
      }
      case 'revoke-key': {
        await sites.revokeSiteKey(prisma, need('site'), need('kid'));
        console.log('revoked; running hubs refuse it within their key-cache TTL (SYNC_KEY_CACHE_MS)');
        break;
      }
      case 'list-keys': {
        const keys = await prisma.siteKey.findMany({
          where: { siteId: need('site') },
          orderBy: { createdAt: 'asc' },
        });
        for (const k of keys) {
          const state = k.revokedAt ? 'revoked' : k.notAfter && k.notAfter < new Date() ? 'expired' : 'valid';
          console.log(
            `${k.kid}  ${state}  from ${k.notBefore.toISOString()}  until ${k.notAfter?.toISOString() ?? '-'}`,
          );
        }
        break;
      }
      case 'ping': {
        const seq = await prisma.$transaction((tx) => enqueueCommand(tx, need('site'), 'ping', {}));
        console.log(`ping queued as command ${seq}`);
        break;
      }
      default:
        fail(`unknown cloud command "${command}"`);
    }
  } catch (error) {
    fail(`${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}`, 1);
  } finally {
    await prisma.$disconnect();
  }
}

if (group === 'keys' && command === 'generate') {
  const out = (values.out as string | undefined) ?? fail('--out <dir> is required');
  const name = (values.name as string | undefined) ?? 'site';
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const keyFile = path.join(out, `${name}.key`);
  const pubFile = path.join(out, `${name}.pub`);
  if (existsSync(keyFile) || existsSync(pubFile))
    fail(`${keyFile} or ${pubFile} exists; refusing to overwrite a key`, 1);
  const pair = generateKeyPair();
  writePrivateKeyFile(keyFile, pair.privateKey);
  writePublicKeyFile(pubFile, pair.publicKey);
  console.log(`private key ${keyFile} (mode 0600; keep it on this host)`);
  console.log(`public key  ${pubFile}`);
  console.log(`kid         ${pair.kid}`);
  console.log(`raw public  ${rawPublicKey(pair.publicKey).toString('base64url')}`);
} else if (group === 'keys' && command === 'show') {
  const file = positionals[0] ?? fail('usage: keys show <file>');
  const { kid, publicKey } = describeKey(file);
  console.log(`kid         ${kid}`);
  console.log(`raw public  ${publicKey}`);
} else if (group === 'cloud') {
  await cloudCommand();
} else {
  fail(
    'usage: annex keys generate --out <dir> [--name site] | keys show <file> |\n' +
      '       annex cloud create-org|register-site|rotate-key|revoke-key|list-keys|ping …',
  );
}
