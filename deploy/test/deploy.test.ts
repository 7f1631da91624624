import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudEnvSchema } from '@annex/cloud/config.ts';
import { CLOUD_ROLES } from '@annex/cloud/modules/tenancy/org-scope.ts';
import { siteEnvSchema } from '@annex/site/config.ts';
import { syncEnvSchema } from '@annex/site/modules/sync/config.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// That the deployment files agree with the code that reads them, checked offline. The compose
// stack itself runs for real in compose.test.ts; Keycloak cannot run here (Java), so its realm
// exports are checked against the roles and claims the services read.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('compose.yaml'));

type Shape = Record<string, { safeParse(v: unknown): { success: boolean } }>;
const keysOf = (...schemas: { shape: object }[]) => new Set(schemas.flatMap((s) => Object.keys(s.shape)));
const requiredOf = (shape: Shape) =>
  Object.entries(shape)
    .filter(([, s]) => !s.safeParse(undefined).success)
    .map(([k]) => k);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Role names the service checks: literal arguments of requireRole(...) plus its role constants. */
function rolesChecked(serviceDir: string, constants: readonly string[] = []): Set<string> {
  const used = new Set<string>(constants);
  for (const file of sourceFiles(path.join(ROOT, serviceDir))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/requireRole\(([^)]*)\)/g)) {
      for (const role of match[1]!.matchAll(/'([a-z-]+)'/g)) used.add(role[1]!);
    }
  }
  return used;
}

const realmRoles = (file: string) =>
  new Set((JSON.parse(read(file)).roles.realm as { name: string }[]).map((r) => r.name));

describe('compose.yaml agrees with the services', () => {
  const cases = [
    { service: 'site', schemas: [siteEnvSchema, syncEnvSchema] },
    { service: 'cloud', schemas: [cloudEnvSchema] },
  ] as const;
  for (const { service, schemas } of cases) {
    const env = compose.services[service].environment as Record<string, string>;

    it(`sets only variables the ${service} declares`, () => {
      const declared = keysOf(...schemas.map((s) => s as unknown as { shape: object }));
      expect(Object.keys(env).filter((key) => !declared.has(key))).toEqual([]);
    });

    it(`sets every variable the ${service} requires`, () => {
      const required = schemas.flatMap((s) => requiredOf((s as unknown as { shape: Shape }).shape));
      expect(required.filter((key) => !(key in env))).toEqual([]);
    });
  }

  it('builds each service from a Dockerfile that copies every workspace manifest before npm ci', () => {
    const rootManifest = JSON.parse(read('package.json')) as { workspaces: string[] };
    const workspaces = rootManifest.workspaces
      .flatMap((pattern) => {
        if (!pattern.endsWith('/*')) return [pattern];
        const base = pattern.slice(0, -2);
        return readdirSync(path.join(ROOT, base)).map((d) => `${base}/${d}`);
      })
      .filter((dir) => statSync(path.join(ROOT, dir)).isDirectory());
    for (const service of ['site', 'cloud']) {
      const dockerfile = read(compose.services[service].build.dockerfile);
      const missing = workspaces.filter((dir) => !dockerfile.includes(`COPY ${dir}/package.json`));
      expect(missing, `${service} Dockerfile`).toEqual([]);
    }
    expect(read(compose.services.site.build.dockerfile)).toContain('EXPOSE 8080 11112');
    // Published on the configured address, to the container ports the site listens on.
    expect(compose.services.site.ports.map((p: string) => p.split(':').at(-1))).toEqual(['8080', '11112']);
  });

  it('lists every variable compose.yaml substitutes in deploy/compose.env.example', () => {
    const used = new Set([...read('compose.yaml').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    const example = new Set(
      [...read('deploy/compose.env.example').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!),
    );
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !example.has(name))).toEqual([]);
  });

  it('runs the images as uid 10001 and declares no dev-only tools in their final stage', () => {
    for (const service of ['site', 'cloud']) {
      const dockerfile = read(`deploy/Dockerfile.${service}`);
      const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      expect(final).toContain('USER 10001:10001');
      expect(final).not.toMatch(/npm (ci|install)|apt-get install/);
      // The CA bundle is only ever a build secret.
      expect(dockerfile).not.toMatch(/(COPY|ADD)[^\n]*(\.crt|\.pem|ca-bundle)/i);
      expect(dockerfile).toMatch(/--mount=type=secret,id=extra_ca/);
    }
  });
});

describe('package-lock.json', () => {
  it("has an entry for every platform's optional binary, so npm ci works on every platform", () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { optional?: boolean; optionalDependencies?: Record<string, string> }>;
    };
    const missing: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      // What npm ci checks: the optional binaries of packages that are themselves always installed
      // (an optional package such as msgpackr-extract is dropped whole where it cannot install).
      if (entry.optional) continue;
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // npm looks a dependency up beside the package, then in each node_modules above it.
        const parts = where.split('node_modules/');
        const candidates = parts.map((_, i) =>
          `${parts.slice(0, parts.length - i).join('node_modules/')}node_modules/${name}`.replace(/^\//, ''),
        );
        if (!candidates.some((c) => c in lock.packages || `${where}/node_modules/${name}` in lock.packages))
          missing.push(`${name} (for ${where || 'the root'})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('pins one Node LTS for engines, CI and the images', () => {
    const version = read('.node-version').trim();
    expect(version).toMatch(/^22\.\d+\.\d+$/);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=22.13 <23');
    for (const service of ['site', 'cloud'])
      expect(read(`deploy/Dockerfile.${service}`)).toContain(`ARG NODE_IMAGE=node:${version}-bookworm-slim`);
    expect(read('.ci/run')).toContain('scripts/node-lts.sh');
  });

  it('documents that the MinIO server is archived and how to use another S3 store', () => {
    expect(read('compose.yaml')).toMatch(/archived/);
    expect(read('README.md')).toMatch(/S3_ENDPOINT/);
  });
});

describe('the Keycloak realm exports agree with the code', () => {
  const services = [
    ['services/site/src', 'deploy/keycloak/annex-site-realm.json', []],
    ['services/cloud/src', 'deploy/keycloak/annex-cloud-realm.json', Object.values(CLOUD_ROLES)],
  ] as const;
  for (const [service, realm, constants] of services) {
    it(`${realm} declares every role ${service} checks`, () => {
      const used = rolesChecked(service, constants);
      const declared = realmRoles(realm);
      expect(used.size).toBeGreaterThan(1);
      expect([...used].filter((role) => !declared.has(role))).toEqual([]);
    });
  }

  it('puts the audience into browser and CLI tokens (audience mappers) and requires PKCE', () => {
    for (const [file, audience, browser] of [
      ['deploy/keycloak/annex-site-realm.json', 'annex-site', 'annex-viewer'],
      ['deploy/keycloak/annex-cloud-realm.json', 'annex-cloud', 'annex-dashboard'],
    ] as const) {
      const realm = JSON.parse(read(file));
      for (const clientId of [browser, 'annex-cli']) {
        const client = realm.clients.find((c: { clientId: string }) => c.clientId === clientId);
        const mapper = client.protocolMappers.find(
          (m: { protocolMapper: string }) => m.protocolMapper === 'oidc-audience-mapper',
        );
        expect(mapper.config['included.client.audience']).toBe(audience);
      }
      const web = realm.clients.find((c: { clientId: string }) => c.clientId === browser);
      expect(web.publicClient).toBe(true);
      expect(web.attributes['pkce.code.challenge.method']).toBe('S256');
    }
  });

  it('grants organizations to QC managers through group paths the cloud reads', () => {
    const realm = JSON.parse(read('deploy/keycloak/annex-cloud-realm.json'));
    const prefix = cloudEnvSchema.shape.ORG_GROUP_PREFIX.parse(undefined);
    const orgs = realm.groups.find((g: { name: string }) => `/${g.name}/` === prefix);
    expect(orgs.subGroups.length).toBeGreaterThan(0);
    const dashboard = realm.clients.find((c: { clientId: string }) => c.clientId === 'annex-dashboard');
    expect(
      dashboard.protocolMappers.some(
        (m: { config: Record<string, string> }) =>
          m.config['claim.name'] === 'groups' && m.config['full.path'] === 'true',
      ),
    ).toBe(true);
  });
});

describe('database migrations', () => {
  for (const service of ['services/site', 'services/cloud']) {
    it(`${service}: every schema change has a migration`, () => {
      // Diffs the last migration's schema snapshot against the schema in the tree (no database needed).
      const out = execFileSync(
        process.execPath,
        [TSX, path.join(ROOT, 'scripts/new-migration.ts'), 'prisma', '--check'],
        {
          cwd: path.join(ROOT, service),
          encoding: 'utf8',
        },
      );
      expect(out).toContain('schema and migrations agree');
    }, 60_000);
  }
});
