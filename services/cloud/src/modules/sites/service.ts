import { AppError } from '@annex/platform';
import { keyId, parsePublicKey, rawPublicKey, SITE_ID_PATTERN } from '@annex/protocol';
import type { Db, PrismaClient } from '../../db.ts';

export interface RegisterSiteInput {
  siteId: string;
  name: string;
  orgSlug: string;
  /** SPKI PEM or raw base64url Ed25519 public key of the site. */
  publicKey: string;
  notAfter?: Date;
}

// A new key is valid from a little before now: a site whose clock runs behind (within the
// accepted skew) must not see its first messages refused as KEY_NOT_YET_VALID.
const KEY_BACKDATE_MS = 5 * 60_000;
const validFrom = (now = new Date()) => new Date(now.getTime() - KEY_BACKDATE_MS);

/** Parses a public key and returns its kid and raw base64url form; 400 when it is not Ed25519. */
export function normalizePublicKey(text: string): { kid: string; raw: string } {
  try {
    const key = parsePublicKey(text);
    return { kid: keyId(key), raw: rawPublicKey(key).toString('base64url') };
  } catch {
    throw new AppError(
      'KEY_INVALID',
      400,
      'publicKey must be an Ed25519 public key (SPKI PEM or base64url raw).',
    );
  }
}

export async function createOrganization(db: Db, slug: string, name: string) {
  return db.organization.upsert({ where: { slug }, update: { name }, create: { slug, name } });
}

/** Registers a site with its first key. Idempotent for the same site, org and key. */
export async function registerSite(prisma: PrismaClient, input: RegisterSiteInput) {
  if (!SITE_ID_PATTERN.test(input.siteId)) {
    throw new AppError(
      'SITE_ID_INVALID',
      400,
      'A site id is 3-40 characters: lowercase letters, digits, dashes.',
    );
  }
  const { kid, raw } = normalizePublicKey(input.publicKey);
  return prisma.$transaction(async (tx) => {
    const org = await tx.organization.findUnique({ where: { slug: input.orgSlug } });
    if (!org)
      throw new AppError('ORG_NOT_FOUND', 404, `No organization "${input.orgSlug}"; create it first.`);
    const existing = await tx.site.findUnique({ where: { id: input.siteId } });
    if (existing && existing.orgId !== org.id) {
      throw new AppError('SITE_EXISTS', 409, 'That site id is registered to another organization.');
    }
    const site =
      existing ?? (await tx.site.create({ data: { id: input.siteId, name: input.name, orgId: org.id } }));
    await addKeyIn(tx, site.id, kid, raw, validFrom(), input.notAfter ?? null);
    return { site, kid };
  });
}

async function addKeyIn(
  tx: Db,
  siteId: string,
  kid: string,
  raw: string,
  notBefore: Date,
  notAfter: Date | null,
) {
  const other = await tx.siteKey.findUnique({ where: { kid } });
  if (other && other.siteId !== siteId)
    throw new AppError('KEY_IN_USE', 409, 'That key belongs to another site.');
  if (other) return other;
  return tx.siteKey.create({ data: { kid, siteId, publicKey: raw, notBefore, notAfter } });
}

/**
 * Rotation without downtime: the new key is valid from now, and every other unrevoked key of the
 * site stays valid for `overlapMs` more (so messages already signed with it still verify), then
 * expires. The site switches its signing key whenever it likes inside that window.
 */
export async function rotateSiteKey(
  prisma: PrismaClient,
  siteId: string,
  publicKey: string,
  overlapMs: number,
) {
  const { kid, raw } = normalizePublicKey(publicKey);
  const now = new Date();
  return prisma.$transaction(async (tx) => {
    const site = await tx.site.findUnique({ where: { id: siteId } });
    if (!site) throw new AppError('SITE_NOT_FOUND', 404, 'No such site.');
    const key = await addKeyIn(tx, siteId, kid, raw, validFrom(now), null);
    const until = new Date(now.getTime() + overlapMs);
    await tx.siteKey.updateMany({
      where: {
        siteId,
        kid: { not: kid },
        revokedAt: null,
        OR: [{ notAfter: null }, { notAfter: { gt: until } }],
      },
      data: { notAfter: until },
    });
    return key;
  });
}

/** Revocation takes effect at once: the hub drops connections that authenticated with the key. */
export async function revokeSiteKey(prisma: PrismaClient, siteId: string, kid: string) {
  const result = await prisma.siteKey.updateMany({
    where: { siteId, kid, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (result.count === 0) {
    const key = await prisma.siteKey.findFirst({ where: { siteId, kid } });
    if (!key) throw new AppError('KEY_NOT_FOUND', 404, 'No such key for this site.');
  }
}
