import type { DevUser } from '@annex/platform';

/**
 * The demo cloud realm's users (also in deploy/keycloak): an administrator and two QC managers,
 * each granted one organization through a Keycloak group.
 */
export const CLOUD_DEMO_USERS: DevUser[] = [
  { username: 'cloudadmin', password: 'cloudadmin', roles: ['cloud-admin'] },
  { username: 'quinn', password: 'quinn', roles: ['qc-manager'], groups: ['/org/demo-hospital'] },
  { username: 'olga', password: 'olga', roles: ['qc-manager'], groups: ['/org/other-hospital'] },
];

export const CLOUD_REALM = 'annex-cloud';
export const DASHBOARD_CLIENT = 'annex-dashboard';
