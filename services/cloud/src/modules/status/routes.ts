import type { FastifyInstance } from 'fastify';
import { rejectionCounts } from '../inbox/rejections.ts';
import { oldestPendingCommandAges } from '../outbox/repository.ts';
import { listSites } from '../sites/repository.ts';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';

type SiteReported = {
  outbox?: { pending?: number; oldestPendingAgeMs?: number | null; lastAckedSeq?: number };
};

/** What the QC dashboard shows per site: connection, both streams' positions and lag, refusals. */
export async function statusRoutes(app: FastifyInstance) {
  app.get(
    '/api/status',
    { preHandler: app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin), schema: { tags: ['status'] } },
    async (request) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      const sites = await listSites(app.prisma, scope);
      const ids = sites.map((s) => s.id);
      const [ages, rejections] = await Promise.all([
        oldestPendingCommandAges(app.prisma),
        rejectionCounts(app.prisma, ids),
      ]);
      return {
        messagesPerSecond: Math.round(app.hub.rate.perSecond() * 10) / 10,
        sites: sites.map((s) => {
          const reported = (s.status ?? {}) as SiteReported;
          return {
            siteId: s.id,
            organization: s.organization.slug,
            connection: app.hub.connection(s.id),
            siteToCloud: {
              appliedSeq: Number(s.s2cAppliedSeq),
              lastMessageAt: s.lastMessageAt?.toISOString() ?? null,
              // As the site last reported it (site.status); null before the first report.
              sitePending: reported.outbox?.pending ?? null,
              siteOldestPendingAgeMs: reported.outbox?.oldestPendingAgeMs ?? null,
              statusAt: s.statusAt?.toISOString() ?? null,
            },
            cloudToSite: {
              lastSeq: Number(s.c2sLastSeq),
              ackedSeq: Number(s.c2sAckedSeq),
              oldestPendingAgeMs: ages.get(s.id) ?? null,
            },
            rejections: Object.fromEntries(
              rejections.filter((r) => r.siteId === s.id).map((r) => [r.reason, Number(r.count)]),
            ),
          };
        }),
      };
    },
  );
}
