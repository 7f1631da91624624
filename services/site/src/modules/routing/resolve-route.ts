import type { AeRouteRepository } from './repository.ts';

export type RouteDecision =
  | { accept: true; projectId: string | undefined; routed: boolean }
  | { accept: false; reason: 'called-ae-unknown' };

export interface RoutePolicy {
  /** The site's own AE title: always accepted, routed when a route for it exists. */
  ownAeTitle: string;
  /** What to do with a called AE title that is neither ours nor routed. */
  unknownCalledAe: 'reject' | 'accept';
}

/**
 * Which project an association's instances go to: the route for (called, calling) wins over
 * (called, "*"). A called AE title that is neither the site's own nor routed is refused or
 * accepted without a project, per policy.
 */
export async function resolveAeRoute(
  repository: AeRouteRepository,
  policy: RoutePolicy,
  calledAe: string,
  callingAe: string,
): Promise<RouteDecision> {
  const candidates = await repository.candidates(calledAe, callingAe);
  const route =
    candidates.find((r) => r.callingAe === callingAe) ?? candidates.find((r) => r.callingAe === '*');
  if (route) return { accept: true, projectId: route.projectId ?? undefined, routed: true };
  if (calledAe === policy.ownAeTitle || policy.unknownCalledAe === 'accept') {
    return { accept: true, projectId: undefined, routed: false };
  }
  return { accept: false, reason: 'called-ae-unknown' };
}
