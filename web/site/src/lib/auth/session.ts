import type { AuthConfig } from '../config.ts';
import type { TokenGetter } from '../dicomweb/client.ts';
import {
  beginLogin,
  discover,
  exchangeCode,
  type OidcEndpoints,
  type PendingLogin,
  refreshTokens,
} from './oidc.ts';
import { decodeJwtPayload, nearlyExpired, realmRoles, refreshAt, type TokenSet } from './tokens.ts';

export type SessionStatus = 'signed-in' | 'refreshing' | 'login-required';

export interface AuthSession {
  getToken: TokenGetter;
  roles: string[];
  userName?: string;
  status(): SessionStatus;
  onStatus(fn: (s: SessionStatus) => void): () => void;
  /** Logs in again in a popup, so the page (and any unsaved work in it) stays as it is. */
  reLogin(): Promise<void>;
  logout(): void;
}

const TOKENS_KEY = 'annex.tokens';
const PENDING_KEY = 'annex.pending-login';

function staticSession(token: string | undefined): AuthSession {
  return {
    getToken: async () => token,
    roles: token ? realmRoles(token) : [],
    status: () => 'signed-in',
    onStatus: () => () => {},
    reLogin: async () => {},
    logout: () => {},
  };
}

/**
 * Starts the session for the configured auth. For OIDC this either finishes a login (the page
 * was loaded with ?code&state), resumes stored tokens, or redirects to the issuer and never resolves.
 */
export async function startSession(auth: AuthConfig, win: Window = window): Promise<AuthSession> {
  if (auth.kind === 'none') return staticSession(undefined);
  if (auth.kind === 'static') return staticSession(auth.token);

  const cfg = { issuer: auth.issuer, clientId: auth.clientId, scope: auth.scope };
  const fetchFn: typeof fetch = (...a) => win.fetch(...a);
  const endpoints: OidcEndpoints = await discover(auth.issuer, fetchFn);
  const store = win.sessionStorage;
  const redirectUri = `${win.location.origin}${win.location.pathname}`;

  const params = new URLSearchParams(win.location.search);
  const pendingRaw = store.getItem(PENDING_KEY);
  const pending = pendingRaw ? (JSON.parse(pendingRaw) as PendingLogin) : undefined;

  // A popup opened by reLogin(): hand the code to the opener, which holds the verifier.
  if (params.has('state') && pending?.popup && win.opener) {
    (win.opener as Window).postMessage(
      {
        type: 'annex-login',
        code: params.get('code'),
        state: params.get('state'),
        error: params.get('error'),
      },
      win.location.origin,
    );
    win.close();
    return new Promise(() => {});
  }

  let tokens: TokenSet | undefined;
  if (params.has('state') && pending) {
    store.removeItem(PENDING_KEY);
    tokens = await exchangeCode(
      cfg,
      endpoints,
      pending,
      { code: params.get('code'), state: params.get('state'), error: params.get('error') },
      fetchFn,
    );
    win.history.replaceState(null, '', `${win.location.pathname}${pending.returnTo}`);
  } else {
    const raw = store.getItem(TOKENS_KEY);
    tokens = raw ? (JSON.parse(raw) as TokenSet) : undefined;
  }
  if (!tokens || (tokens.expiresAt < Date.now() && !tokens.refreshToken)) {
    const { url, pending: p } = await beginLogin(cfg, endpoints, redirectUri, win.location.hash);
    store.setItem(PENDING_KEY, JSON.stringify(p));
    win.location.assign(url);
    return new Promise(() => {});
  }

  let current: TokenSet = tokens;
  let status: SessionStatus = 'signed-in';
  const listeners = new Set<(s: SessionStatus) => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Promise<TokenSet | undefined> | undefined;

  const setStatus = (s: SessionStatus) => {
    status = s;
    for (const fn of listeners) fn(s);
  };
  const save = (t: TokenSet) => {
    current = t;
    store.setItem(TOKENS_KEY, JSON.stringify(t));
    schedule();
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    const wait = Math.max(1_000, refreshAt(current) - Date.now());
    timer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1));
  };
  const refresh = (): Promise<TokenSet | undefined> => {
    if (!current.refreshToken) {
      if (status !== 'login-required') setStatus('login-required');
      return Promise.resolve(undefined);
    }
    inflight ??= (async () => {
      setStatus('refreshing');
      try {
        const next = await refreshTokens(cfg, endpoints, current.refreshToken as string, fetchFn);
        save(next);
        setStatus('signed-in');
        return next;
      } catch {
        // A rejected refresh token stays rejected: stop using it and wait for a new login.
        current = { ...current, refreshToken: undefined };
        setStatus('login-required');
        return undefined;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };
  save(current);
  if (nearlyExpired(current, Date.now())) await refresh();

  const claims = decodeJwtPayload(current.accessToken);
  return {
    getToken: async () => {
      if (nearlyExpired(current, Date.now())) await refresh();
      return current.accessToken;
    },
    roles: realmRoles(current.accessToken),
    userName: typeof claims?.preferred_username === 'string' ? claims.preferred_username : undefined,
    status: () => status,
    onStatus: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    reLogin: async () => {
      const { url, pending: p } = await beginLogin(cfg, endpoints, redirectUri, win.location.hash, true);
      store.setItem(PENDING_KEY, JSON.stringify(p));
      const popup = win.open(url, 'annex-login', 'width=480,height=640');
      if (!popup) throw new Error('the login window was blocked; allow popups for this site');
      const msg = await new Promise<{ code?: string; state?: string; error?: string }>((resolve) => {
        const onMsg = (e: MessageEvent) => {
          if (e.origin !== win.location.origin || e.data?.type !== 'annex-login') return;
          win.removeEventListener('message', onMsg);
          resolve(e.data);
        };
        win.addEventListener('message', onMsg);
      });
      store.removeItem(PENDING_KEY);
      save(await exchangeCode(cfg, endpoints, p, msg, fetchFn));
      setStatus('signed-in');
    },
    logout: () => {
      store.removeItem(TOKENS_KEY);
      const url = endpoints.endSession ? new URL(endpoints.endSession) : undefined;
      if (url) {
        url.searchParams.set('client_id', cfg.clientId);
        url.searchParams.set('post_logout_redirect_uri', redirectUri);
        win.location.assign(url.toString());
      } else win.location.reload();
    },
  };
}
