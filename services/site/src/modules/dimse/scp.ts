import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import type { IngestContext } from '../ingest/context.ts';
import { IngestError, type IngestErrorCode } from '../ingest/errors.ts';
import { ingestInstance } from '../ingest/service.ts';
import type { RouteDecision } from '../routing/resolve-route.ts';
import type { DimseMetrics } from './metrics.ts';
import { part10Header } from './part10-meta.ts';
import { decideContext } from './presentation.ts';

const { Scp, constants, responses } = dimse;
const { AbortReason, AbortSource, PresentationContextResult, RejectResult, RejectSource, RejectReason } =
  constants;
const P_DATA_TF = 0x04;
type Association = dimse.association.Association;
type PresentationContext = dimse.association.PresentationContext;
type CStoreRequest = dimse.requests.CStoreRequest;
type CEchoRequest = dimse.requests.CEchoRequest;
type CStoreResponse = dimse.responses.CStoreResponse;
type CEchoResponse = dimse.responses.CEchoResponse;
type Dataset = dimse.Dataset;

/** PS3.4 B.2.3 / PS3.7 C status codes we answer C-STORE with. */
export const StoreStatus = {
  Success: 0x0000,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  ProcessingFailure: 0x0110,
  SopClassNotSupported: 0x0122,
} as const;

export function storeStatusOf(code: IngestErrorCode | 'INTERNAL'): number {
  switch (code) {
    case 'SOP_MISMATCH':
      return StoreStatus.DataSetDoesNotMatchSopClass;
    case 'SOP_CLASS_NOT_SUPPORTED':
      return StoreStatus.SopClassNotSupported;
    case 'INSTANCE_TOO_LARGE':
      return StoreStatus.OutOfResources;
    case 'STORAGE_FAILED':
    case 'INTERNAL':
      return StoreStatus.ProcessingFailure;
    default:
      return StoreStatus.CannotUnderstand;
  }
}

/**
 * Collects a C-STORE dataset's PDV values as they arrive (no copies, no dcmjs parsing, which the
 * library's default does), refusing to hold more than the instance limit.
 */
class DatasetSink extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  tooLarge = false;
  constructor(private readonly max: number) {
    // The library waits for 'drain' when write() says no; we never push back, we count.
    super({ highWaterMark: Number.MAX_SAFE_INTEGER });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    this.size += chunk.length;
    if (this.size > this.max) {
      this.tooLarge = true;
      this.chunks = [];
    } else if (!this.tooLarge) {
      this.chunks.push(chunk);
    }
    callback();
  }
}

/** What reaches cStoreRequest in place of a parsed dcmjs Dataset: the raw bytes and their syntax. */
interface ReceivedDataset {
  sink: DatasetSink;
  transferSyntaxUid: string;
}

export interface ScpDeps {
  ingest: IngestContext;
  metrics: DimseMetrics;
  resolveRoute(calledAe: string, callingAe: string): Promise<RouteDecision>;
  maxPdu: number;
  instanceMaxBytes: number;
}

/**
 * One association: AE routing and presentation context negotiation, C-ECHO, and C-STORE into the
 * ingest pipeline. Nothing here logs UIDs or AE titles' data; statuses carry the stable code.
 *
 * Draining (SIGTERM): a C-STORE being received is received, stored and answered; the association
 * is then aborted at that instance boundary, as is an association idle when the drain begins. A
 * PACS retries what was not acknowledged; refusing the next instances with a failure status would
 * make it send each one in full first, and many PACS file a refused instance as failed rather
 * than retry it. A new association is rejected as transient (temporary congestion).
 */
export class AnnexScp extends Scp {
  private projectId: string | undefined;
  private callingAe = '';
  private phase: 'connected' | 'negotiating' | 'associated' | 'ending' = 'connected';
  private draining = false;
  /** A message's first PDV has arrived and the whole message has not reached a handler yet. */
  private receiving = false;
  /** Requests handed to a handler and not answered yet. */
  private unanswered = 0;

  constructor(
    private readonly connection: Socket,
    private readonly deps: ScpDeps,
    options: ConstructorParameters<typeof Scp>[1],
  ) {
    super(connection, options);
  }

  /** Sees each whole PDU before the library does; false drops it (the association is ending). */
  admit(pdu: Buffer): boolean {
    if (this.phase === 'ending') return false;
    if (pdu[0] === P_DATA_TF) this.receiving = true;
    return true;
  }

  /** Stop taking work: finish the C-STORE in flight, if any, then end the association. */
  drain(): void {
    this.draining = true;
    if (this.phase === 'connected') this.end();
    else this.settle();
  }

  /** While draining, ends an association that holds nothing unanswered. */
  private settle(): void {
    if (this.draining && this.phase === 'associated' && !this.receiving && this.unanswered === 0) this.end();
  }

  private end(): void {
    if (this.phase === 'associated') {
      this.deps.ingest.log.debug({}, 'association aborted at an instance boundary: the site is stopping');
      this.sendAbort(AbortSource.ServiceUser, AbortReason.NotSpecified);
    }
    this.phase = 'ending';
    this.connection.end();
    // A peer that keeps its side open after the abort is not waited for.
    setTimeout(() => this.connection.destroy(), 2000).unref();
  }

  /** The handler got a whole request: it is now unanswered rather than being received. */
  private handedOver(): void {
    this.receiving = false;
    this.unanswered++;
  }

  private answered(): void {
    this.unanswered--;
    this.settle();
  }

  override associationRequested(association: Association): void {
    this.phase = 'negotiating';
    void this.negotiate(association);
  }

  private async negotiate(association: Association) {
    const calledAe = association.getCalledAeTitle().trim();
    const callingAe = association.getCallingAeTitle().trim();
    let decision: RouteDecision | 'busy';
    try {
      decision = await this.deps.resolveRoute(calledAe, callingAe);
    } catch {
      decision = 'busy';
    }
    if (decision === 'busy' || this.draining) {
      // Come back later (to this site once restarted, or another replica).
      this.deps.metrics.associations.inc({ result: this.draining ? 'rejected-draining' : 'rejected-busy' });
      this.reject(
        RejectResult.Transient,
        RejectSource.ServiceProviderPresentation,
        RejectReason.TemporaryCongestion,
      );
      return;
    }
    if (!decision.accept) {
      this.deps.metrics.associations.inc({ result: 'rejected-called-ae' });
      this.reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
      return;
    }
    association.setMaxPduLength(this.deps.maxPdu);
    let accepted = 0;
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const choice = decideContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids());
      if (choice.accept) {
        context.setResult(PresentationContextResult.Accept, choice.transferSyntaxUid);
        accepted++;
      } else {
        context.setResult(
          choice.reason === 'abstract-syntax'
            ? PresentationContextResult.RejectAbstractSyntaxNotSupported
            : PresentationContextResult.RejectTransferSyntaxesNotSupported,
        );
      }
    }
    if (accepted === 0) {
      // Nothing we can store: say so at association time rather than accept an empty association.
      this.deps.metrics.associations.inc({ result: 'rejected-no-context' });
      this.reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven);
      return;
    }
    this.projectId = decision.projectId;
    this.callingAe = callingAe;
    this.deps.metrics.associations.inc({ result: 'accepted' });
    this.phase = 'associated';
    this.sendAssociationAccept();
  }

  private reject(...reason: Parameters<AnnexScp['sendAssociationReject']>): void {
    this.sendAssociationReject(...reason);
    // Rejected: the peer closes the connection; a draining site does not wait for that.
    this.phase = 'connected';
    if (this.draining) this.end();
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
    this.phase = 'connected';
    if (this.draining) this.end();
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
    this.handedOver();
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(StoreStatus.Success);
    callback(response);
    this.answered();
  }

  override createStoreWritableStream(_context: PresentationContext, _request: CStoreRequest): Writable {
    return new DatasetSink(this.deps.instanceMaxBytes);
  }

  override createDatasetFromStoreWritableStream(
    writable: Writable,
    context: PresentationContext,
    callback: (dataset: Dataset) => void,
  ): void {
    const received: ReceivedDataset = {
      sink: writable as DatasetSink,
      // Set for every context we accepted; implicit VR LE is the DICOM default otherwise.
      transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '1.2.840.10008.1.2',
    };
    callback(received as unknown as Dataset);
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    this.handedOver();
    void this.store(request).then((response) => {
      // Cut at the deadline: whatever the outcome, nothing is acknowledged on a closed connection.
      if (this.connection.destroyed) return;
      callback(response);
      this.answered();
    });
  }

  private async store(request: CStoreRequest): Promise<CStoreResponse> {
    const response = responses.CStoreResponse.fromRequest(request);
    const received = request.getDataset() as unknown as ReceivedDataset;
    const fail = (code: IngestErrorCode | 'INTERNAL') => {
      response.setStatus(storeStatusOf(code));
      response.setErrorComment(code);
      return response;
    };
    if (received.sink.tooLarge) {
      this.deps.ingest.metrics.instances.inc({ door: 'dimse', outcome: 'INSTANCE_TOO_LARGE' });
      return fail('INSTANCE_TOO_LARGE');
    }
    const sop = {
      sopClassUid: request.getAffectedSopClassUid(),
      sopInstanceUid: request.getAffectedSopInstanceUid(),
    };
    const header = part10Header({
      ...sop,
      transferSyntaxUid: received.transferSyntaxUid,
      sourceAeTitle: this.callingAe,
    });
    const file = Buffer.concat([header, ...received.sink.chunks], header.length + received.sink.size);
    received.sink.chunks = [];
    try {
      await ingestInstance(this.deps.ingest, file, {
        via: 'dimse',
        projectId: this.projectId,
        expectedSop: sop,
      });
      response.setStatus(StoreStatus.Success);
      return response;
    } catch (error) {
      if (error instanceof IngestError) return fail(error.code);
      this.deps.ingest.log.error({ err: error }, 'C-STORE failed');
      return fail('INTERNAL');
    }
  }
}
