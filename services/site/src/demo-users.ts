import type { DevUser } from '@annex/platform';

/** The demo realm's users, one per role (also in deploy/keycloak/annex-site-realm.json). */
export const DEMO_USERS: DevUser[] = [
  { username: 'admin', password: 'admin', roles: ['site-admin', 'phi-viewer'] },
  { username: 'ana', password: 'ana', roles: ['annotator'] },
  { username: 'ben', password: 'ben', roles: ['annotator'] },
  { username: 'cleo', password: 'cleo', roles: ['annotator'] },
  { username: 'rita', password: 'rita', roles: ['reviewer'] },
  { username: 'phil', password: 'phil', roles: ['phi-viewer'] },
];

export const DEMO_REALM = 'annex-site';
export const VIEWER_CLIENT = 'annex-viewer';
