import http from 'node:http';
import net from 'node:net';

export interface ConnectProxy {
  url: string;
  /** host:port of every CONNECT request seen. */
  targets: string[];
  /** Cut the next tunnel after this many client→server bytes (mid-frame, both sides destroyed). */
  cutNextAfter(bytes: number): void;
  cuts: number;
  close(): Promise<void>;
}

/**
 * A minimal HTTP CONNECT proxy, like a hospital's egress proxy: it only tunnels. It can also cut a
 * tunnel after a byte count, which drops a websocket in the middle of a frame.
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  let cutAfter: number | null = null;
  const proxy: ConnectProxy = {
    url: '',
    targets: [],
    cuts: 0,
    cutNextAfter(bytes) {
      cutAfter = bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    proxy.targets.push(target);
    const [host, port] = target.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      const limit = cutAfter;
      cutAfter = null;
      if (limit === null) {
        client.pipe(upstream);
      } else {
        let seen = 0;
        client.on('data', (chunk: Buffer) => {
          if (seen + chunk.length >= limit) {
            upstream.write(chunk.subarray(0, limit - seen));
            proxy.cuts++;
            client.destroy();
            upstream.destroy();
            return;
          }
          seen += chunk.length;
          upstream.write(chunk);
        });
      }
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as net.AddressInfo;
  proxy.url = `http://127.0.0.1:${address.port}`;
  return proxy;
}
