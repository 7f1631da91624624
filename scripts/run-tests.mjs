#!/usr/bin/env node
// `npm test`: every workspace's tests through turbo, then ONE summary line summed over all suites
// (CI reads `N passed, N failed`). Each package's vitest writes reports/vitest.json.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// Workspace patterns are `dir/*` (fs.globSync is Node 22+).
const workspaces = rootPkg.workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const base = pattern.slice(0, -2);
  return readdirSync(path.join(root, base), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `${base}/${d.name}`);
});
const withTests = workspaces.filter((dir) => {
  const file = path.join(root, dir, 'package.json');
  return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).scripts?.test;
});
for (const dir of withTests) rmSync(path.join(root, dir, 'reports', 'vitest.json'), { force: true });

const args = ['turbo', 'run', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)];
// turbo's output streams through, and the last lines of each task are kept so that a failing
// package's own words can be repeated next to the summary (CI shows only the end of the log).
const tails = new Map();
const turboFailed = new Set();
const run = await new Promise((resolve) => {
  const child = spawn('npx', args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
  const keeper = () => {
    let pending = '';
    return (chunk) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
        const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
        for (const m of plain.matchAll(/(@[\w-]+\/[\w-]+)#test/g))
          if (/Failed:/.test(plain)) turboFailed.add(m[1]);
        const task = /^(@[\w-]+\/[\w-]+):test: ?/.exec(plain);
        if (!task) continue;
        const tail = tails.get(task[1]) ?? [];
        tail.push(plain.slice(task[0].length));
        if (tail.length > 60) tail.shift();
        tails.set(task[1], tail);
      }
    };
  };
  const [keepOut, keepErr] = [keeper(), keeper()];
  child.stdout.on('data', (c) => {
    process.stdout.write(c);
    keepOut(c);
  });
  child.stderr.on('data', (c) => {
    process.stderr.write(c);
    keepErr(c);
  });
  child.on('close', (status) => resolve({ status }));
});

let passed = 0;
let failed = 0;
let skipped = 0;
const failedPackages = [];
for (const dir of withTests) {
  const report = path.join(root, dir, 'reports', 'vitest.json');
  if (!existsSync(report)) {
    console.error(`no test report from ${dir}: counted as one failure`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed without a failing test (it did not load, or a hook threw and its tests were
  // skipped) counts as one failure; so does a run vitest marked unsuccessful for another reason
  // (an unhandled error after the tests).
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  );
  for (const f of brokenFiles) {
    console.error(`${dir}: ${path.relative(root, f.name)} failed outside its tests: ${f.message ?? ''}`);
  }
  let packageFailed = r.numFailedTests + brokenFiles.length;
  if (r.success === false && packageFailed === 0) {
    console.error(
      `${dir}: vitest reported the run unsuccessful (an unhandled error?): counted as one failure`,
    );
    packageFailed = 1;
  }
  failed += packageFailed;
  if (packageFailed > 0)
    failedPackages.push(JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')).name);
  console.log(`${dir}: ${r.numPassedTests} passed, ${packageFailed} failed`);
}
for (const name of new Set([...failedPackages, ...turboFailed])) {
  console.log(`--- last lines of ${name} ---`);
  for (const line of tails.get(name) ?? []) console.log(line);
}
if (run.status !== 0 && failed === 0) {
  console.error('turbo failed although no test reported a failure: counted as one failure');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && run.status === 0 ? 0 : 1);
