// Child process of the viewer benchmark: the real site (own Postgres DB, Redis prefix, S3) serving
// the built app on a loopback port, with the benchmark's series ingested through the real pipeline,
// a project with a mask label, a task on that study, and the task claimed by the annotator `ana`.
// Prints one JSON line: the URL, the task as ana's API returns it, and a token for ana.
//
//   node --import tsx scripts/bench/viewer/site-server.ts <dir of .dcm files> <web/site/dist>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstance } from '@annex/dicom';
import { freePort } from '@annex/platform/testing/free-port.ts';
import { ingestContextOf } from '../../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../../services/site/src/modules/ingest/service.ts';
import { startTestSite } from '../../../services/site/test/app.ts';

const [dir, distDir] = process.argv.slice(2) as [string, string];
const port = await freePort();
const site = await startTestSite({ LOG_LEVEL: 'silent' }, { webRoot: distDir, port });
const files = readdirSync(dir).sort();
const ingest = ingestContextOf(site.app);
const t = performance.now();
for (const name of files) await ingestInstance(ingest, readFileSync(join(dir, name)), { via: 'upload' });
const ingestMs = performance.now() - t;
const studyUid = parseInstance(readFileSync(join(dir, files[0] as string))).studyInstanceUid;

async function api(user: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await site.app.inject({
    method,
    url,
    headers: await site.auth(user),
    payload: payload as object,
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${res.body}`);
  return res.json();
}
const project = await api('admin', 'POST', '/api/projects', {
  slug: 'viewer-bench',
  name: 'Viewer benchmark',
  consensusSize: 1,
  goldRate: 0,
  goldWarmup: 0,
  instructions: {
    labels: [{ id: 'mask', name: 'Mask', color: '#00ff00', tool: 'mask' }],
    classifications: [],
  },
});
await api('admin', 'POST', `/api/projects/${project.id}/tasks`, { studyInstanceUids: [studyUid] });
const task = await api('ana', 'POST', '/api/tasks/next', { projectId: project.id });
const token = await site.token('ana', { expiresInSeconds: 3600 });
process.stdout.write(
  `${JSON.stringify({
    url: `http://127.0.0.1:${port}`,
    ingestMs,
    taskId: task.id,
    studyUid: task.studyUid,
    seriesUid: task.seriesUids[0],
    token,
  })}\n`,
);
const shutdown = async () => {
  await site.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
