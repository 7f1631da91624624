import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP link between a DICOM peer (storescu) and the site: the slow or stalled network a PACS may
 * sit behind, not a stand-in for either side. It forwards bytes unchanged, can hold the peer to a
 * byte rate or stop forwarding its bytes (a transfer that never finishes), and records the PDUs
 * it forwarded, in order, so a test can say what was on the wire when.
 */
export type WireEvent = { at: number; seq: number } & (
  | {
      from: 'peer' | 'site';
      pdu: 'associate-rq' | 'associate-ac' | 'associate-rj' | 'release-rq' | 'release-rp';
    }
  | { from: 'peer' | 'site'; pdu: 'abort' | 'closed' }
  /** A DIMSE command: C-STORE-RQ is 0x0001, C-STORE-RSP 0x8001. */
  | { from: 'peer' | 'site'; pdu: 'command'; field: number; sopInstanceUid: string; status?: number }
  /** The first and last fragment of a dataset. */
  | { from: 'peer' | 'site'; pdu: 'dataset-start' | 'dataset-end' }
);

export const C_STORE_RQ = 0x0001;
export const C_STORE_RSP = 0x8001;

const PDU_NAMES: Record<number, WireEvent['pdu']> = {
  1: 'associate-rq',
  2: 'associate-ac',
  3: 'associate-rj',
  5: 'release-rq',
  6: 'release-rp',
  7: 'abort',
};

/** A command set (group 0000, implicit VR little endian): the fields a test asks about. */
function readCommand(buf: Buffer): { field: number; sopInstanceUid: string; status?: number } {
  let field = 0;
  let sopInstanceUid = '';
  let status: number | undefined;
  for (let at = 0; at + 8 <= buf.length; ) {
    const element = buf.readUInt16LE(at + 2);
    const length = buf.readUInt32LE(at + 4);
    const value = buf.subarray(at + 8, at + 8 + length);
    if (element === 0x0100) field = value.readUInt16LE(0);
    else if (element === 0x0900) status = value.readUInt16LE(0);
    else if (element === 0x1000) sopInstanceUid = value.toString('latin1').replace(/[\0 ]+$/, '');
    at += 8 + length;
  }
  return { field, sopInstanceUid, ...(status === undefined ? {} : { status }) };
}

/** Reads one direction's byte stream as PDUs and PDVs. */
function pduReader(from: 'peer' | 'site', record: (event: Omit<WireEvent, 'at' | 'seq'>) => void) {
  let pending = Buffer.alloc(0);
  let command: Buffer[] = [];
  let inDataset = false;
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 6) {
      const length = pending.readUInt32BE(2);
      if (pending.length < 6 + length) return;
      const type = pending[0]!;
      const body = pending.subarray(6, 6 + length);
      pending = pending.subarray(6 + length);
      if (type !== 4) {
        const pdu = PDU_NAMES[type];
        if (pdu) record({ from, pdu } as Omit<WireEvent, 'at' | 'seq'>);
        continue;
      }
      for (let at = 0; at + 6 <= body.length; ) {
        const pdvLength = body.readUInt32BE(at);
        const header = body[at + 5]!;
        const value = body.subarray(at + 6, at + 4 + pdvLength);
        at += 4 + pdvLength;
        const last = (header & 2) !== 0;
        if (header & 1) {
          command.push(value);
          if (last) {
            record({ from, pdu: 'command', ...readCommand(Buffer.concat(command)) });
            command = [];
          }
        } else {
          if (!inDataset) record({ from, pdu: 'dataset-start' });
          inDataset = !last;
          if (last) record({ from, pdu: 'dataset-end' });
        }
      }
    }
  };
}

export interface DicomLink {
  port: number;
  /** Everything forwarded so far, in the order it crossed. */
  events: WireEvent[];
  /** Resolves with the first event (already seen or still to come) that matches. */
  when(match: (event: WireEvent) => boolean): Promise<WireEvent>;
  /** Stops forwarding the peer's bytes: its transfer hangs mid-way, as over a dead network. */
  stall(): void;
  close(): Promise<void>;
}

/** One peer connection at a time is what the tests need; each gets its own site connection. */
export async function startDicomLink(
  sitePort: number,
  options: { peerBytesPerSecond?: number } = {},
): Promise<DicomLink> {
  const events: WireEvent[] = [];
  const waiters: Array<{ match: (event: WireEvent) => boolean; resolve: (event: WireEvent) => void }> = [];
  const record = (event: Omit<WireEvent, 'at' | 'seq'>) => {
    const full = { ...event, at: performance.now(), seq: events.length } as WireEvent;
    events.push(full);
    for (const waiter of [...waiters]) {
      if (waiter.match(full)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(full);
      }
    }
  };
  let stalled = false;
  const peers = new Set<Socket>();
  const sites = new Set<Socket>();
  const server = net.createServer((peer) => {
    const site = net.connect(sitePort, '127.0.0.1');
    peers.add(peer);
    sites.add(site);
    const fromPeer = pduReader('peer', record);
    const fromSite = pduReader('site', record);
    peer.on('data', (chunk) => {
      if (stalled) return;
      site.write(chunk);
      fromPeer(chunk);
      const rate = options.peerBytesPerSecond;
      if (rate) {
        peer.pause();
        setTimeout(() => stalled || peer.resume(), (chunk.length / rate) * 1000);
      }
    });
    site.on('data', (chunk) => {
      peer.write(chunk);
      fromSite(chunk);
    });
    peer.on('end', () => site.end());
    site.on('end', () => peer.end());
    peer.on('close', () => {
      record({ from: 'peer', pdu: 'closed' });
      site.destroy();
    });
    site.on('close', () => {
      record({ from: 'site', pdu: 'closed' });
      peer.destroy();
    });
    peer.on('error', () => site.destroy());
    site.on('error', () => peer.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    events,
    when(match) {
      const seen = events.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stall() {
      stalled = true;
      for (const socket of peers) socket.pause();
    },
    async close() {
      for (const socket of [...peers, ...sites]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
