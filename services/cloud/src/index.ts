// @annex/cloud: the cloud QC/workflow service and the site sync hub.
export { buildApp, type CloudDeps } from './app.ts';
export { type CloudConfig, loadCloudConfig } from './config.ts';
export { createPrisma } from './db.ts';
export { type InboxHandler, InboxHandlers } from './modules/inbox/handlers.ts';
export { type CommandType, enqueueCommand } from './modules/outbox/repository.ts';
export { createOrganization, registerSite, revokeSiteKey, rotateSiteKey } from './modules/sites/service.ts';
export { CLOUD_ROLES, type OrgScope, scopeOf } from './modules/tenancy/org-scope.ts';
