import { createHash } from 'node:crypto';
import { exportPublicKeyPem, generateKeyPair, type KeyPair } from '@annex/protocol';
import { createOrganization, registerSite } from '../src/modules/sites/service.ts';
import type { TestCloud } from './app.ts';

/** A pseudonym-shaped id for tests (not a site's real keyed hash). */
export const fakeId = (kind: 'st' | 'se', seed: string) =>
  `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 20)}`;

export function studyBody(seed: string, seriesCount = 1) {
  return {
    studyId: fakeId('st', seed),
    series: Array.from({ length: seriesCount }, (_, i) => ({
      seriesId: fakeId('se', `${seed}/${i}`),
      modality: 'CT' as const,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      instanceCount: 40,
      frameCount: 40,
      rows: 512,
      columns: 512,
      sliceThicknessMm: 1.25,
    })),
  };
}

/** Creates an organization (if needed) and registers a site with a fresh key. */
export async function registerTestSite(
  cloud: TestCloud,
  siteId: string,
  org = 'demo-hospital',
): Promise<KeyPair> {
  await createOrganization(cloud.prisma, org, `Org ${org}`);
  const key = generateKeyPair();
  await registerSite(cloud.prisma, {
    siteId,
    name: siteId,
    orgSlug: org,
    publicKey: exportPublicKeyPem(key.publicKey),
  });
  return key;
}
