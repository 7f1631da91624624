// npm run token -- <user> [site|cloud]: prints a bearer token from the running demo's embedded issuer.
import { CLOUD_DEMO_USERS, CLOUD_REALM } from '../services/cloud/src/demo-users.ts';
import { DEMO_REALM, DEMO_USERS } from '../services/site/src/demo-users.ts';

const [username = 'admin', target = 'site'] = process.argv.slice(2);
const users = target === 'cloud' ? CLOUD_DEMO_USERS : DEMO_USERS;
const user = users.find((u) => u.username === username);
if (!user) {
  console.error(
    `unknown ${target} demo user "${username}"; one of: ${users.map((u) => u.username).join(', ')}`,
  );
  process.exit(2);
}
const base =
  target === 'cloud'
    ? (process.env.CLOUD_PUBLIC_URL ?? 'http://127.0.0.1:8090')
    : (process.env.PUBLIC_URL ?? 'http://127.0.0.1:8080');
const realm = target === 'cloud' ? CLOUD_REALM : DEMO_REALM;
const password = user.password;
const response = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'password', client_id: 'annex-cli', username, password }),
}).catch(() => undefined);
if (!response) {
  console.error(`no demo running at ${base}: start it with npm run demo`);
  process.exit(1);
}
if (!response.ok) {
  console.error(`the issuer refused: ${response.status} ${await response.text()}`);
  process.exit(1);
}
console.log(((await response.json()) as { access_token: string }).access_token);
