import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudEnvSchema } from '@annex/cloud/config.ts';
import { siteEnvSchema } from '@annex/site/config.ts';
import { syncEnvSchema } from '@annex/site/modules/sync/config.ts';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No helm binary and no cluster here: these tests check what can be checked without rendering — the
// schema against the value files, the templates' value references and env vars against the schema and
// the services' config, and the templates' structure and security settings as written.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
type Schema = { [key: string]: unknown };
type EnvSchema = { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> };
type EnvObject = EnvSchema & { safeParse(v: unknown): { success: boolean; error?: unknown } };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing of a values file onto values.yaml: maps merge deeply, lists and scalars replace, null deletes. */
function merge(base: Json, over: Json): Json {
  if (!isObj(base) || !isObj(over)) return structuredClone(over);
  const out: Obj = structuredClone(base);
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? merge(out[key]!, value) : structuredClone(value);
  }
  return out;
}

const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });

/** Errors the way Helm prints them: the offending path, then the reason. */
function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` '${e.params.additionalProperty}'` : '';
      return `${e.instancePath || '(root)'}: ${e.message}${extra}`;
    })
    .join('\n');
}

// --- a small reader of Go templates: actions, blocks, defines, includes, .Values references

type Action = { text: string; start: number; end: number };
const actionsOf = (text: string): Action[] =>
  [...text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => ({
    text: m[1]!,
    start: m.index,
    end: m.index + m[0].length,
  }));
const OPENERS = /^(if|with|range|define|block)\b/;
const isComment = (action: Action) => action.text.startsWith('/*');

/** Checks that blocks nest; returns the defines with their bodies. */
function blocksOf(text: string): { problems: string[]; defines: Map<string, string> } {
  const stack: { keyword: string; action: Action }[] = [];
  const problems: string[] = [];
  const defines = new Map<string, string>();
  for (const action of actionsOf(text)) {
    if (isComment(action)) continue;
    const opener = OPENERS.exec(action.text);
    if (opener) stack.push({ keyword: opener[1]!, action });
    else if (/^end\b/.test(action.text)) {
      const open = stack.pop();
      if (!open) problems.push(`an {{ end }} at offset ${action.start} closes nothing`);
      else if (open.keyword === 'define') {
        const name = /^define\s+"([^"]+)"/.exec(open.action.text)?.[1] ?? '?';
        if (defines.has(name)) problems.push(`"${name}" is defined twice`);
        defines.set(name, text.slice(open.action.end, action.start));
      }
    } else if (/^else\b/.test(action.text) && stack.length === 0)
      problems.push('an {{ else }} outside a block');
  }
  for (const open of stack) problems.push(`{{ ${open.action.text} }} has no {{ end }}`);
  return { problems, defines };
}

const includesOf = (text: string) => [...text.matchAll(/\binclude\s+"([^"]+)"/g)].map((m) => m[1]!);

/** A template with the bodies of every define it includes (transitively) appended: what it can emit. */
function expand(text: string, defines: Map<string, string>): string {
  const seen = new Set<string>();
  const queue = includesOf(text);
  let out = text;
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const body = defines.get(name) ?? '';
    out += `\n${body}`;
    queue.push(...includesOf(body));
  }
  return out;
}

const valuesRefsOf = (text: string) =>
  [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1));

// --- the schema as a tree of properties

function resolve(schema: Schema, root: Schema): Schema[] {
  const ref = schema.$ref as string | undefined;
  const self = ref ? resolve(root.definitions ? (lookup(root, ref) as Schema) : {}, root) : [schema];
  const parts = ((schema.allOf as Schema[] | undefined) ?? []).flatMap((s) => resolve(s, root));
  return [...self, ...parts];
}
const lookup = (root: Schema, ref: string) =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Schema)[key], root);

/** The subschema at a values path, 'map' where the path goes into a free-form map, or undefined. */
function schemaAt(root: Schema, segments: string[]): Schema[] | 'map' | undefined {
  let nodes = resolve(root, root);
  for (const segment of segments) {
    const props = nodes.flatMap((n) => (n.properties ? [n.properties as Record<string, Schema>] : []));
    const hit = props.find((p) => segment in p);
    if (hit) {
      nodes = resolve(hit[segment]!, root);
      continue;
    }
    const freeForm = props.length === 0 && nodes.some((n) => n.type === 'object');
    return freeForm ? 'map' : undefined;
  }
  return nodes;
}
const hasFixedProperties = (nodes: Schema[] | 'map' | undefined) =>
  Array.isArray(nodes) && nodes.some((n) => n.properties);

/** Dotted paths of values.yaml, down to leaves or free-form maps. */
function valuePaths(values: Json, root: Schema, prefix: string[] = []): string[] {
  if (!isObj(values)) return [prefix.join('.')];
  if (prefix.length > 0 && !hasFixedProperties(schemaAt(root, prefix))) return [prefix.join('.')];
  return Object.entries(values).flatMap(([key, value]) => valuePaths(value, root, [...prefix, key]));
}

// --- the charts

type Chart = {
  name: string;
  dir: string;
  schema: Schema;
  values: Obj;
  templates: Map<string, string>;
  defines: Map<string, string>;
  examples: string[];
};

function loadChart(name: string): Chart {
  const dir = `helm/${name}`;
  const templates = new Map<string, string>();
  for (const file of readdirSync(path.join(ROOT, dir, 'templates')).sort()) {
    templates.set(file, read(`${dir}/templates/${file}`));
  }
  const defines = new Map<string, string>();
  for (const text of templates.values()) for (const [k, v] of blocksOf(text).defines) defines.set(k, v);
  return {
    name,
    dir,
    schema: JSON.parse(read(`${dir}/values.schema.json`)),
    values: parse(read(`${dir}/values.yaml`)),
    templates,
    defines,
    examples: readdirSync(path.join(ROOT, dir, 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .sort(),
  };
}

const site = loadChart('annex-site');
const cloud = loadChart('annex-cloud');
const CHARTS = [site, cloud];

const exampleValues = (chart: Chart, file: string) =>
  merge(chart.values, parse(read(`${chart.dir}/examples/${file}`)) ?? {}) as Obj;
const validatorOf = (chart: Chart) => ajv.compile(chart.schema);

/** The settings README.md lists under "Required settings" (backticked, first cell of each row). */
function requiredInReadme(chart: Chart): string[] {
  const readme = read(`${chart.dir}/README.md`);
  const section = readme.split(/^## /m).find((s) => s.startsWith('Required settings')) ?? '';
  return [...section.matchAll(/^\|\s*`([A-Za-z0-9_.]+)`/gm)].map((m) => m[1]!).sort();
}

describe("values.schema.json accepts the chart's own value files", () => {
  for (const chart of CHARTS) {
    const validate = validatorOf(chart);

    it(`${chart.name}: compiles as a strict draft-07 schema`, () => {
      expect(chart.schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(typeof validate).toBe('function');
    });

    it(`${chart.name}: has at least two example value files`, () => {
      expect(chart.examples.length).toBeGreaterThanOrEqual(2);
    });

    for (const file of chart.examples) {
      it(`${chart.name}: accepts examples/${file} merged onto values.yaml`, () => {
        const ok = validate(exampleValues(chart, file));
        expect(explain(validate.errors)).toBe('');
        expect(ok).toBe(true);
      });
    }

    it(`${chart.name}: refuses bare values.yaml only for the settings README lists as required`, () => {
      expect(validate(structuredClone(chart.values))).toBe(false);
      const missing = new Set(
        (validate.errors ?? [])
          .filter((e) => !['if', 'anyOf'].includes(e.keyword))
          .map((e) =>
            e.instancePath
              .slice(1)
              .replaceAll('/', '.')
              .replace(/\.value$/, ''),
          ),
      );
      expect([...missing].sort()).toEqual(requiredInReadme(chart));
    });

    it(`${chart.name}: gives every property a readable description`, () => {
      const undescribed: string[] = [];
      const walk = (node: Schema, at: string) => {
        for (const [key, child] of Object.entries((node.properties as Record<string, Schema>) ?? {})) {
          if (typeof child.description !== 'string' || child.description.length < 8) {
            undescribed.push(`${at}${key}`);
          }
          walk(child, `${at}${key}.`);
        }
      };
      walk(chart.schema, '');
      for (const [name, def] of Object.entries(chart.schema.definitions as Record<string, Schema>)) {
        walk(def, `definitions.${name}.`);
      }
      // Subschemas inside if/then only tighten properties described where they are declared.
      expect(undescribed.filter((p) => !/\b(then|if)\b/.test(p))).toEqual([]);
    });
  }
});

describe('values.schema.json refuses bad values with a message that names the path', () => {
  const siteBase = exampleValues(site, 'minimal.yaml');
  const withSync = exampleValues(site, 'trial-with-cloud.yaml');
  const cloudBase = exampleValues(cloud, 'minimal.yaml');
  const cases: { what: string; chart: Chart; base: Obj; bad: Obj; path: string; says?: RegExp }[] = [
    {
      what: 'a typo in a key',
      chart: site,
      base: siteBase,
      bad: { api: { replcas: 3 } },
      path: '/api',
      says: /replcas/,
    },
    {
      what: 'a typo at the top level',
      chart: cloud,
      base: cloudBase,
      bad: { replica: 2 },
      path: '(root)',
      says: /replica/,
    },
    {
      what: 'zero api replicas',
      chart: site,
      base: siteBase,
      bad: { api: { replicas: 0 } },
      path: '/api/replicas',
    },
    {
      what: 'negative worker replicas',
      chart: site,
      base: siteBase,
      bad: { worker: { replicas: -1 } },
      path: '/worker/replicas',
    },
    { what: 'zero cloud replicas', chart: cloud, base: cloudBase, bad: { replicas: 0 }, path: '/replicas' },
    {
      what: 'replicas for the single sync pod',
      chart: site,
      base: withSync,
      bad: { sync: { replicas: 2 } },
      path: '/sync',
      says: /replicas/,
    },
    {
      what: 'an AE title with a backslash',
      chart: site,
      base: siteBase,
      bad: { dimse: { aeTitle: 'AN\\NEX' } },
      path: '/dimse/aeTitle',
    },
    {
      what: 'a blank AE title',
      chart: site,
      base: siteBase,
      bad: { dimse: { aeTitle: '    ' } },
      path: '/dimse/aeTitle',
    },
    {
      what: 'an AE title longer than 16',
      chart: site,
      base: siteBase,
      bad: { dimse: { aeTitle: 'ANNEX_SITE_SCP_01' } },
      path: '/dimse/aeTitle',
    },
    {
      what: 'an issuer that is not a URL',
      chart: site,
      base: siteBase,
      bad: { oidc: { issuer: 'keycloak.hospital/realms/annex-site' } },
      path: '/oidc/issuer',
    },
    {
      what: 'a cloud issuer that is not a URL',
      chart: cloud,
      base: cloudBase,
      bad: { oidc: { issuer: 'not a url' } },
      path: '/oidc/issuer',
    },
    {
      what: 'no SITE_SECRET and no existingSecret',
      chart: site,
      base: siteBase,
      bad: { siteSecret: { value: '' } },
      path: '/siteSecret/value',
    },
    {
      what: 'a SITE_SECRET shorter than 32 characters',
      chart: site,
      base: siteBase,
      bad: { siteSecret: { value: 'short' } },
      path: '/siteSecret/value',
    },
    {
      what: 'no database URL and no existingSecret',
      chart: site,
      base: siteBase,
      bad: { postgres: { url: { value: '' } } },
      path: '/postgres/url/value',
    },
    {
      what: 'a database URL that is not postgresql://',
      chart: cloud,
      base: cloudBase,
      bad: { postgres: { url: { value: 'mysql://db/annex' } } },
      path: '/postgres/url/value',
    },
    {
      what: "sync on without the site's private key",
      chart: site,
      base: withSync,
      bad: { sync: { signingKey: { value: '' } } },
      path: '/sync/signingKey/value',
    },
    {
      what: 'no cloud signing key and no existingSecret',
      chart: cloud,
      base: cloudBase,
      bad: { signingKey: { value: '' } },
      path: '/signingKey/value',
    },
    {
      what: 'a site id that is not a slug',
      chart: site,
      base: withSync,
      bad: { sync: { siteId: 'St Mary' } },
      path: '/sync/siteId',
    },
    {
      what: 'a ws:// hub URL without allowInsecure',
      chart: site,
      base: withSync,
      bad: { sync: { allowInsecure: false } },
      path: '/sync/allowInsecure',
    },
    {
      what: 'a string for replicas',
      chart: site,
      base: siteBase,
      bad: { api: { replicas: 'two' } },
      path: '/api/replicas',
      says: /integer/,
    },
    {
      what: 'a string for a boolean',
      chart: site,
      base: siteBase,
      bad: { site: { annotatorNamesToCloud: 'yes' } },
      path: '/site/annotatorNamesToCloud',
      says: /boolean/,
    },
    {
      what: 'an unknown log level',
      chart: cloud,
      base: cloudBase,
      bad: { cloud: { logLevel: 'verbose' } },
      path: '/cloud/logLevel',
    },
    {
      what: 'a node port outside 30000-32767',
      chart: site,
      base: siteBase,
      bad: { dimse: { service: { nodePort: 11112 } } },
      path: '/dimse/service/nodePort',
    },
    {
      what: 'resources without limits',
      chart: site,
      base: siteBase,
      bad: { worker: { resources: { limits: null } } },
      path: '/worker/resources',
      says: /limits/,
    },
    {
      what: 'NetworkPolicy on with no Postgres peer (which would allow every destination)',
      chart: site,
      base: exampleValues(site, 'production.yaml'),
      bad: { networkPolicy: { egress: { postgres: { cidrs: [] } } } },
      path: '/networkPolicy/egress/postgres',
    },
    {
      what: 'a CIDR that is not one',
      chart: cloud,
      base: exampleValues(cloud, 'production.yaml'),
      bad: { networkPolicy: { egress: { oidc: { cidrs: ['10.40.2.0'] } } } },
      path: '/networkPolicy/egress/oidc/cidrs/0',
    },
    {
      what: 'a site viewer link for a malformed site id',
      chart: cloud,
      base: cloudBase,
      bad: { cloud: { siteViewerUrls: { 'Bad Id': 'https://viewer.example' } } },
      path: '/cloud/siteViewerUrls',
    },
  ];
  const validators = new Map(CHARTS.map((c) => [c, validatorOf(c)]));

  for (const { what, chart, base, bad, path: at, says } of cases) {
    it(`${chart.name}: refuses ${what}, naming ${at}`, () => {
      const validate = validators.get(chart)!;
      expect(validate(base), explain(validate.errors)).toBe(true);
      expect(validate(merge(base, bad))).toBe(false);
      const message = explain(validate.errors);
      const line = message.split('\n').find((l) => l.startsWith(`${at}:`));
      expect(line, message).toBeDefined();
      if (says)
        expect(
          message
            .split('\n')
            .filter((l) => l.startsWith(`${at}:`))
            .join('\n'),
        ).toMatch(says);
    });
  }
});

describe('templates read only values the schema declares, and every value is read', () => {
  for (const chart of CHARTS) {
    const all = [...chart.templates.values()].join('\n');
    const refs = [...new Set(valuesRefsOf(all))].sort();

    it(`${chart.name}: every .Values path in a template exists in the schema`, () => {
      expect(refs.length).toBeGreaterThan(40);
      expect(refs.filter((ref) => schemaAt(chart.schema, ref.split('.')) === undefined)).toEqual([]);
    });

    it(`${chart.name}: every value in values.yaml is read by some template (no dead values)`, () => {
      const paths = valuePaths(chart.values, chart.schema);
      const unread = paths.filter((p) => !refs.some((r) => p === r || p.startsWith(`${r}.`)));
      expect(unread).toEqual([]);
      const topLevel = Object.keys(chart.values).filter((key) => !refs.some((r) => r.split('.')[0] === key));
      expect(topLevel).toEqual([]);
    });

    it(`${chart.name}: every value path named by a required/fail message exists in the schema`, () => {
      const named = [...all.matchAll(/\b(?:required|fail)\s+\(?(?:printf\s+)?"([A-Za-z0-9_.%]+):/g)]
        .map((m) => m[1]!.replace('%s', 'postgres'))
        .filter((p) => p.includes('.') || p in (chart.schema.properties as object));
      expect(named.length).toBeGreaterThan(3);
      expect(named.filter((p) => schemaAt(chart.schema, p.split('.')) === undefined)).toEqual([]);
    });
  }
});

describe('templates set exactly the environment the services read', () => {
  // Read by something other than the zod schemas: the image's entrypoint (deploy/entrypoint.sh) and
  // Node itself (NODE_EXTRA_CA_CERTS, for a hospital's private CA).
  const entrypointVars = new Set(
    [...read('deploy/entrypoint.sh').matchAll(/\$\{([A-Z][A-Z0-9_]*)[:}-]/g)].map((m) => m[1]!),
  );
  const runtimeVars = new Set([...entrypointVars, 'NODE_EXTRA_CA_CERTS']);
  const keysOf = (...schemas: EnvSchema[]) => new Set(schemas.flatMap((s) => Object.keys(s.shape)));
  const requiredOf = (schema: EnvSchema) =>
    Object.entries(schema.shape)
      .filter(([, s]) => !s.safeParse(undefined).success)
      .map(([k]) => k);
  const envNames = (text: string) =>
    [...text.matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]!);
  const literalEnv = (text: string) =>
    [...text.matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*\n\s*value: ("[^"{]*"|[^"{\s][^{\n]*)\s*$/gm)].map(
      (m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')] as const,
    );
  // Plausible values for the settings that have no default, to check the refinements (key files).
  const sample: Record<string, string> = {
    DATABASE_URL: 'postgresql://annex:pw@db:5432/annex',
    S3_ENDPOINT: 'https://s3.hospital.example',
    S3_ACCESS_KEY: 'annex',
    S3_SECRET_KEY: 'secret',
    OIDC_ISSUER: 'https://keycloak.hospital.example/realms/annex-site',
    SITE_SECRET: 'x'.repeat(32),
    SITE_ID: 'st-example',
    CLOUD_SYNC_URL: 'wss://cloud.annex.example/sync/v1',
  };
  const envFrom = (names: string[]) =>
    Object.fromEntries(
      names.flatMap((n) => (n in sample ? [[n, sample[n]!]] : n.endsWith('_FILE') ? [[n, '/run/k']] : [])),
    );

  const pods = [
    { chart: site, file: 'deployment-api.yaml', schemas: [siteEnvSchema] },
    { chart: site, file: 'deployment-dimse.yaml', schemas: [siteEnvSchema] },
    { chart: site, file: 'deployment-worker.yaml', schemas: [siteEnvSchema] },
    { chart: site, file: 'deployment-sync.yaml', schemas: [siteEnvSchema, syncEnvSchema] },
    { chart: cloud, file: 'deployment.yaml', schemas: [cloudEnvSchema] },
  ] as const;

  for (const { chart, file, schemas } of pods) {
    const text = expand(chart.templates.get(file)!, chart.defines);
    const names = envNames(text);
    const shapes = schemas as unknown as EnvObject[];

    it(`${chart.name}/${file}: sets only variables the service or its entrypoint reads`, () => {
      expect(names.length).toBeGreaterThan(5);
      const declared = keysOf(...shapes);
      expect(names.filter((n) => !declared.has(n) && !runtimeVars.has(n))).toEqual([]);
    });

    it(`${chart.name}/${file}: sets every variable the service requires, key files included`, () => {
      const required = shapes.flatMap((s) => requiredOf(s));
      expect(required.filter((n) => !names.includes(n))).toEqual([]);
      // The refinements (a signing key file, the cloud's public key) pass on what the template sets.
      for (const schema of shapes) {
        const result = schema.safeParse(envFrom(names));
        expect(result.success, JSON.stringify(result.error)).toBe(true);
      }
    });

    it(`${chart.name}/${file}: every literal value it sets parses with the service's schema`, () => {
      const literals = literalEnv(text).filter(([n]) => !runtimeVars.has(n));
      expect(literals.length).toBeGreaterThan(0);
      for (const [name, value] of literals) {
        const field = shapes.map((s) => s.shape[name]).find(Boolean);
        expect(field?.safeParse(value).success, `${name}=${value}`).toBe(true);
      }
    });

    it(`${chart.name}/${file}: turns the image's migrate-on-start off (the hook Job migrates)`, () => {
      expect(entrypointVars.has('MIGRATE_ON_START')).toBe(true);
      expect(literalEnv(text)).toContainEqual(['MIGRATE_ON_START', '0']);
    });
  }

  it('annex-site: runs each role in its own Deployment and the sync role exactly once', () => {
    const roles = new Map<string, string>();
    for (const [file, text] of site.templates) {
      for (const [name, value] of literalEnv(text)) if (name === 'ROLES') roles.set(file, value);
    }
    expect(Object.fromEntries(roles)).toEqual({
      'deployment-api.yaml': 'api',
      'deployment-dimse.yaml': 'dimse',
      'deployment-worker.yaml': 'worker',
      'deployment-sync.yaml': 'sync',
    });
    const sync = site.templates.get('deployment-sync.yaml')!;
    expect(sync).toMatch(/^ {2}replicas: 1$/m);
    expect(sync).toMatch(/strategy:\n\s+type: Recreate/);
    expect(site.schema.properties).toHaveProperty('sync.properties');
    expect((site.schema.properties as Record<string, Schema>).sync!.properties).not.toHaveProperty(
      'replicas',
    );
    for (const file of ['deployment-api.yaml', 'deployment-dimse.yaml', 'deployment-worker.yaml']) {
      expect(site.templates.get(file)).toMatch(/replicas: \{\{ \.Values\.[a-z]+\.replicas \}\}/);
    }
  });

  it('annex-site: each Deployment gives the process its own grace period less a margin', () => {
    for (const role of ['api', 'dimse', 'worker', 'sync']) {
      const text = site.templates.get(`deployment-${role}.yaml`)!;
      expect(text).toContain(
        `terminationGracePeriodSeconds: {{ .Values.${role}.terminationGracePeriodSeconds }}`,
      );
      expect(text).toContain(
        `include "annex-site.shutdownGraceMs" .Values.${role}.terminationGracePeriodSeconds`,
      );
    }
    expect(site.defines.get('annex-site.shutdownGraceMs')).toMatch(/mul \(max 0 \(sub \(int \.\) 5\)\) 1000/);
    expect(siteEnvSchema.shape).toHaveProperty('SHUTDOWN_GRACE_MS');
  });

  it("annex-site: mounts the site's private key into the sync pod only", () => {
    for (const [file, text] of site.templates) {
      const expanded = expand(text, site.defines);
      const hasKey = /SITE_SIGNING_KEY_FILE|signing-key/.test(expanded);
      expect(hasKey, file).toBe(file === 'deployment-sync.yaml');
    }
  });
});

describe('probes match what each role listens on', () => {
  const httpPaths = (text: string) => [...text.matchAll(/httpGet:\s*\n\s*path: (\S+)/g)].map((m) => m[1]!);

  it('the site and cloud code serve /healthz and /readyz', () => {
    const siteHealth = read('services/site/src/modules/health/routes.ts');
    const cloudApp = read('services/cloud/src/app.ts');
    for (const route of ["'/healthz'", "'/readyz'"]) {
      expect(siteHealth).toContain(route);
      expect(cloudApp).toContain(route);
    }
  });

  it('the HTTP roles (site api, cloud) probe /healthz for liveness and /readyz for readiness', () => {
    for (const text of [
      site.templates.get('deployment-api.yaml')!,
      cloud.templates.get('deployment.yaml')!,
    ]) {
      expect(text).toMatch(/livenessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/healthz/);
      expect(text).toMatch(/readinessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/readyz/);
      expect(text).toMatch(/startupProbe:/);
    }
  });

  it('dimse, which has no HTTP listener, probes its DIMSE port with a TCP connect', () => {
    const text = site.templates.get('deployment-dimse.yaml')!;
    expect(httpPaths(text)).toEqual([]);
    expect(text.match(/tcpSocket:\s*\n\s*port: dimse/g)).toHaveLength(3);
    expect(text).toMatch(/containerPort: 11112/);
  });

  it('worker and sync, which open no port, have no probes that would pretend otherwise', () => {
    for (const file of ['deployment-worker.yaml', 'deployment-sync.yaml']) {
      const text = site.templates.get(file)!;
      expect(text).not.toMatch(/Probe:/);
      expect(text).not.toMatch(/containerPort:/);
    }
  });
});

describe('templates are structurally sound', () => {
  for (const chart of CHARTS) {
    it(`${chart.name}: every if/with/range/define has its end, and every include names a define`, () => {
      for (const [file, text] of chart.templates) {
        expect(blocksOf(text).problems, file).toEqual([]);
        expect(
          includesOf(text).filter((n) => !chart.defines.has(n)),
          file,
        ).toEqual([]);
      }
    });

    it(`${chart.name}: Chart.yaml is a v2 chart with name, version and appVersion`, () => {
      const meta = parse(read(`${chart.dir}/Chart.yaml`));
      expect(meta.apiVersion).toBe('v2');
      expect(meta.name).toBe(chart.name);
      expect(meta.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(String(meta.appVersion)).toMatch(/^\d+\.\d+\.\d+/);
      expect(meta.type).toBe('application');
    });

    it(`${chart.name}: every define is named after the chart and used`, () => {
      const used = new Set([...chart.templates.values()].flatMap(includesOf));
      for (const name of chart.defines.keys()) {
        expect(name.startsWith(`${chart.name}.`), name).toBe(true);
        expect(used.has(name), name).toBe(true);
      }
    });

    it(`${chart.name}: the migration Job is a pre-install/pre-upgrade hook running the image's migrate`, () => {
      const job = chart.templates.get('migrate-job.yaml')!;
      expect(job).toMatch(/kind: Job/);
      expect(job).toMatch(/helm\.sh\/hook: pre-install,pre-upgrade/);
      expect(job).toMatch(/args: \["migrate"\]/);
      expect(job).toMatch(/restartPolicy: Never/);
      // What the Job needs before install exists before it: its Secret is a hook of lower weight.
      const secret = chart.templates.get('migrate-secret.yaml')!;
      expect(secret).toMatch(/helm\.sh\/hook: pre-install,pre-upgrade/);
      expect(secret).toMatch(/helm\.sh\/hook-weight: "-10"/);
      expect(job).toMatch(/helm\.sh\/hook-weight: "0"/);
      for (const [file, text] of chart.templates) {
        if (file.startsWith('deployment')) expect(text, file).toMatch(/args: \["serve"\]/);
      }
    });

    it(`${chart.name}: has a PodDisruptionBudget for every scalable Deployment`, () => {
      const pdb = chart.templates.get('pdb.yaml')!;
      const scalable = [...chart.templates.entries()]
        .filter(([f, t]) => f.startsWith('deployment') && /replicas: \{\{ \.Values/.test(t))
        .map(([, t]) => /"component" "([a-z]+)"/.exec(t)![1]!);
      expect(scalable.length).toBeGreaterThan(0);
      for (const component of scalable) expect(pdb).toContain(`"component" "${component}"`);
      expect(pdb).toMatch(/apiVersion: policy\/v1/);
    });
  }
});

describe('pods run under the restricted Pod Security Standard with requests and limits', () => {
  const restricted = (chart: Chart) => parse(chart.defines.get(`${chart.name}.containerSecurityContext`)!);
  const podContext = (chart: Chart) => parse(chart.defines.get(`${chart.name}.podSecurityContext`)!);

  /** The lines of each container: from its "- name:" to the next line at or above that indent. */
  function containersOf(text: string): string[] {
    const lines = text.split('\n');
    const blocks: string[] = [];
    lines.forEach((line, i) => {
      if (!/^\s+image:/.test(line)) return;
      let start = i;
      while (start > 0 && !/^\s*- name:/.test(lines[start]!)) start--;
      const indent = lines[start]!.indexOf('-');
      let end = start + 1;
      while (end < lines.length && (lines[end]!.trim() === '' || lines[end]!.search(/\S/) > indent)) end++;
      blocks.push(lines.slice(start, end).join('\n'));
    });
    return blocks;
  }

  for (const chart of CHARTS) {
    it(`${chart.name}: the container security context is restricted with a read-only root`, () => {
      expect(restricted(chart)).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(podContext(chart)).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        fsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it(`${chart.name}: every container has that context, resources from values, and a writable /tmp`, () => {
      let count = 0;
      for (const [file, text] of chart.templates) {
        for (const block of containersOf(text)) {
          count++;
          expect(block, file).toMatch(
            new RegExp(
              `securityContext:\\s*\\n\\s*\\{\\{- include "${chart.name}\\.containerSecurityContext"`,
            ),
          );
          expect(block, file).toMatch(
            /resources:\s*\n\s*\{\{- toYaml \.Values\.(?:[a-z]+\.)?resources \| nindent/,
          );
          expect(block, file).toContain(`include "${chart.name}.volumeMounts"`);
        }
        if (/^kind: (Deployment|Job)$/m.test(text)) {
          expect(containersOf(text).length, file).toBeGreaterThan(0);
          expect(text, file).toMatch(/include "[a-z-]+\.(podSettings|podSecurityContext)"/);
          expect(text, file).toContain(`include "${chart.name}.volumes"`);
          expect(expand(text, chart.defines), file).toContain('automountServiceAccountToken: false');
        }
      }
      expect(count).toBeGreaterThan(0);
      expect(chart.defines.get(`${chart.name}.volumeMounts`)).toMatch(/mountPath: \/tmp/);
      expect(chart.defines.get(`${chart.name}.volumes`)).toMatch(/- name: tmp\s*\n\s*emptyDir:/);
      expect(chart.defines.get(`${chart.name}.podSettings`)).toContain(
        `include "${chart.name}.podSecurityContext"`,
      );
    });

    it(`${chart.name}: values.yaml and every example give each container cpu and memory requests and limits`, () => {
      const all = [...chart.templates.values()].join('\n');
      const paths = [...all.matchAll(/toYaml \.Values\.((?:[a-z]+\.)?resources)/g)].map((m) => m[1]!);
      expect(paths.length).toBeGreaterThan(0);
      for (const values of [chart.values, ...chart.examples.map((f) => exampleValues(chart, f))]) {
        for (const at of paths) {
          const resources = at.split('.').reduce<Json>((node, key) => (node as Obj)[key]!, values) as Obj;
          expect(resources, at).toMatchObject({
            requests: { cpu: expect.anything(), memory: expect.anything() },
            limits: { cpu: expect.anything(), memory: expect.anything() },
          });
        }
      }
    });
  }
});

describe('NetworkPolicy lets each site role reach only what it needs', () => {
  const text = site.templates.get('networkpolicy.yaml')!;
  const policies = text.split(/^---$/m);
  const egressOf = (doc: string) =>
    [
      ...doc.matchAll(/"name" "([a-zA-Z0-9]+)" "target" \.Values\.networkPolicy\.egress\.([a-zA-Z0-9]+)/g),
    ].map((m) => m[2]!);
  const datastores = /\$datastores := list ([^\n]+)/.exec(text)?.[1] ?? '';
  const component = (doc: string) => /"component" "([a-z]+)"/.exec(doc)?.[1];

  it('has one policy per role, each with Ingress and Egress types', () => {
    expect(policies.map(component)).toEqual(['api', 'dimse', 'worker', 'sync']);
    for (const doc of policies) expect(doc).toMatch(/policyTypes: \[Ingress, Egress\]/);
  });

  it('gives every role DNS and the datastores, the api the OIDC issuer, and only sync the cloud hub', () => {
    expect(egressOf(datastores)).toEqual(['postgres', 'redis', 's3']);
    const own = (doc: string) => egressOf(doc.replace(/\$datastores := list[^\n]+/, ''));
    const extra = Object.fromEntries(policies.map((doc) => [component(doc), own(doc)]));
    expect(extra).toEqual({ api: ['oidc'], dimse: [], worker: [], sync: ['cloudHub'] });
    for (const doc of policies) {
      expect(doc).toContain('include "annex-site.dnsEgressRule"');
      expect(doc).toMatch(/range \$datastores/);
    }
  });

  it('lets nothing in to worker and sync, and only the configured peers in to api and dimse', () => {
    const [api, dimse, worker, sync] = policies;
    expect(worker).toMatch(/ingress: \[\]/);
    expect(sync).toMatch(/ingress: \[\]/);
    expect(api).toMatch(/range \.Values\.networkPolicy\.ingress\.api\.cidrs/);
    expect(dimse).toMatch(/range \.Values\.networkPolicy\.ingress\.dimse\.cidrs/);
  });

  it('refuses an empty peer list instead of rendering a rule that would allow everything', () => {
    expect(site.defines.get('annex-site.egressRule')).toMatch(
      /if not \(or \.target\.cidrs \.target\.selectors\)[\s\S]*fail/,
    );
    expect(cloud.defines.get('annex-cloud.egressRule')).toMatch(/fail/);
    expect(text).toMatch(/fail "networkPolicy\.ingress\.api:/);
    expect(text).toMatch(/fail "networkPolicy\.ingress\.dimse:/);
  });
});

describe('secrets are never generated and each can come from an existingSecret', () => {
  for (const chart of CHARTS) {
    it(`${chart.name}: no template makes up a secret value`, () => {
      const all = [...chart.templates.values()].join('\n');
      expect(all).not.toMatch(/randAlpha|randAlphaNum|randAscii|randNumeric|genPrivateKey|uuidv4|lookup/);
    });

    it(`${chart.name}: every secret setting in the schema is a { value, existingSecret } pair the templates read`, () => {
      const secrets = valuePaths(chart.values, chart.schema)
        .filter((p) => p.endsWith('.existingSecret.name'))
        .map((p) => p.replace(/\.existingSecret\.name$/, ''));
      expect(secrets.length).toBeGreaterThan(0);
      const all = [...chart.templates.values()].join('\n');
      for (const secret of secrets) {
        expect(all, secret).toContain(`.Values.${secret}.existingSecret.name`);
        expect(all, secret).toContain(`.Values.${secret}.value`);
      }
    });
  }

  it('annex-site: every secret the site reads is behind an existingSecret', () => {
    const secrets = valuePaths(site.values, site.schema).filter((p) => p.endsWith('.existingSecret.name'));
    expect(secrets.sort()).toEqual(
      [
        'postgres.url',
        'redis.url',
        's3.accessKey',
        's3.secretKey',
        'siteSecret',
        'sync.signingKey',
        'sync.cloudPublicKey',
      ]
        .map((p) => `${p}.existingSecret.name`)
        .sort(),
    );
  });
});

describe('the chart READMEs say how to check a chart, and that it was not done here', () => {
  for (const chart of CHARTS) {
    it(`${chart.name}: names helm lint, helm template and kubeconform`, () => {
      const readme = read(`${chart.dir}/README.md`);
      for (const command of ['helm lint', 'helm template', 'kubeconform']) expect(readme).toContain(command);
      expect(readme).toMatch(/not run here/i);
    });
  }
});
