import { HttpsProxyAgent } from 'https-proxy-agent';
import WebSocket from 'ws';

/** True when `host` is covered by a NO_PROXY list (exact host, or a domain suffix like .corp). */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const h = host.toLowerCase();
  return noProxy.some((entry) => {
    const e = entry.toLowerCase().trim();
    if (e === '*') return true;
    if (!e) return false;
    const suffix = e.startsWith('.') ? e : `.${e}`;
    return h === e.replace(/^\./, '') || h.endsWith(suffix);
  });
}

export interface TransportOptions {
  /** http://proxy:3128 — the agent tunnels through it with HTTP CONNECT (hospital egress). */
  proxyUrl?: string | undefined;
  noProxy?: readonly string[];
  maxPayload: number;
  handshakeTimeoutMs?: number;
}

/** Opens the outbound websocket to the cloud, through the proxy when one is configured. */
export function openSocket(url: string, options: TransportOptions): WebSocket {
  const host = new URL(url).hostname;
  const useProxy = options.proxyUrl && !bypassesProxy(host, options.noProxy ?? []);
  return new WebSocket(url, {
    maxPayload: options.maxPayload,
    handshakeTimeout: options.handshakeTimeoutMs ?? 15_000,
    perMessageDeflate: false,
    ...(useProxy ? { agent: new HttpsProxyAgent(options.proxyUrl!) } : {}),
  });
}
