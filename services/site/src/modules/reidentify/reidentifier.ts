import { createHmac } from 'node:crypto';
import { isOwnPseudonym, pseudonymize } from '@annex/dicom';
import { UidRemapper } from '@annex/dicom/deid/uid-remap.ts';
import type { UidLevel } from '../deid-views/repository.ts';
import type { DeidUidResolver } from '../deid-views/uid-resolver.ts';
import type { MappedKind, PseudonymEntry, ReidentifyRepository } from './repository.ts';

const BACKFILL_BATCH = 5000;
const KINDS: MappedKind[] = ['patient', 'study', 'series', 'user', 'project'];
// Pseudonyms made outside a project (unscoped DICOMweb root, sync announcer, task identity) have scope ''; the
// project DICOMweb root makes patient pseudonyms scoped to the project id.
const SITE_SCOPE = '';

/** Where the way back from de-identified UIDs lives (the annotator view's resolver and its table). */
export interface DeidUidLookup {
  resolver: DeidUidResolver;
  lookup(keyId: string, deidUids: string[]): Promise<Map<string, { level: UidLevel; originalUid: string }>>;
}

export type Reidentified =
  | { id: string; found: false }
  | {
      id: string;
      found: true;
      kind: 'patient';
      /** Set when the pseudonym is scoped to a project (made by the project's DICOMweb root). */
      projectId?: string;
      patients: Array<{
        patientId: string | null;
        issuer: string | null;
        patientName: string | null;
        birthDate: string | null;
      }>;
    }
  | {
      id: string;
      found: true;
      kind: 'study';
      studyInstanceUid: string;
      accessionNumber: string | null;
      studyDate: string | null;
    }
  | { id: string; found: true; kind: 'series'; seriesInstanceUid: string }
  | { id: string; found: true; kind: 'user'; subject: string }
  | { id: string; found: true; kind: 'project'; projectId: string; slug: string | null; name: string | null }
  | { id: string; found: true; kind: 'uid'; level: UidLevel; originalUid: string };

/**
 * Takes pseudonyms (pt_, st_, se_, usr_, prj_) and de-identified UIDs back to what they name. The hashes are
 * one-way, so mappings are stored; like DeidUidMap they are filled lazily: an id this secret made (checked
 * cheaply by its check bytes, so random input never causes work) that is not mapped yet triggers a backfill of
 * the source values of its kind, then one more lookup.
 */
export class Reidentifier {
  readonly keyId: string;
  private readonly remapper: UidRemapper;

  constructor(
    private readonly secret: string,
    private readonly repository: ReidentifyRepository,
    private readonly uids: DeidUidLookup,
  ) {
    this.keyId = createHmac('sha256', secret).update('annex-pseudonym-map-key').digest('hex').slice(0, 16);
    this.remapper = UidRemapper.for(secret);
  }

  kindOf(id: string): MappedKind | undefined {
    return KINDS.find((k) => isOwnPseudonym(this.secret, k, id, SITE_SCOPE));
  }

  /** Kind and scope of an id this secret made: the site scope first, then (patients only) each project's. */
  private origin(id: string, projects: string[]): { kind: MappedKind; scope: string } | undefined {
    const kind = this.kindOf(id);
    if (kind) return { kind, scope: SITE_SCOPE };
    if (!id.startsWith('pt_')) return undefined;
    const scope = projects.find((p) => isOwnPseudonym(this.secret, 'patient', id, p));
    return scope ? { kind: 'patient', scope } : undefined;
  }

  async reidentify(ids: string[]): Promise<Reidentified[]> {
    const projects = ids.some((id) => id.startsWith('pt_')) ? await this.repository.projectIds() : [];
    const origins = new Map(ids.map((id) => [id, this.origin(id, projects)]));
    const pseudonyms = ids.filter((id) => origins.get(id));
    let found = await this.repository.lookup(this.keyId, pseudonyms);
    const missing = new Map(
      pseudonyms
        .filter((p) => !found.has(p))
        .map((p) => origins.get(p)!)
        .map((o) => [`${o.kind}|${o.scope}`, o]),
    );
    if (missing.size) {
      for (const { kind, scope } of missing.values()) await this.backfill(kind, scope);
      found = await this.repository.lookup(this.keyId, pseudonyms);
    }
    const uids = await this.originalUids(ids.filter((id) => this.remapper.isOwn(id)));
    const out: Reidentified[] = [];
    for (const id of ids) {
      const entry = found.get(id);
      const uid = uids.get(id);
      if (entry) out.push(await this.answer(id, entry));
      else if (uid) out.push({ id, found: true, kind: 'uid', ...uid });
      else out.push({ id, found: false });
    }
    return out;
  }

  /** Maps every source value of one kind (in one scope: '' or a project id) that has no mapping yet. */
  async backfill(kind: MappedKind, scope = SITE_SCOPE): Promise<number> {
    let total = 0;
    for (;;) {
      const values = await this.repository.unmapped(this.keyId, kind, BACKFILL_BATCH, scope);
      if (values.length === 0) return total;
      const added = await this.repository.record(
        this.keyId,
        values.map((value) => ({
          pseudonym: pseudonymize(this.secret, kind, value, scope),
          kind,
          value,
          scope,
        })),
      );
      total += added;
      if (values.length < BACKFILL_BATCH || added === 0) return total;
    }
  }

  private async originalUids(own: string[]) {
    if (own.length === 0) return new Map<string, { level: UidLevel; originalUid: string }>();
    let found = await this.uids.lookup(this.uids.resolver.keyId, own);
    if (own.some((u) => !found.has(u))) {
      await this.uids.resolver.backfill();
      found = await this.uids.lookup(this.uids.resolver.keyId, own);
    }
    return found;
  }

  private async answer(id: string, e: PseudonymEntry): Promise<Reidentified> {
    const r = this.repository;
    switch (e.kind) {
      case 'patient': {
        const patients = await r.patients(e.value);
        if (!patients.length) return { id, found: false };
        // A project-scoped pseudonym says which project's view showed it.
        return { id, found: true, kind: 'patient', ...(e.scope ? { projectId: e.scope } : {}), patients };
      }
      case 'study': {
        const s = await r.study(e.value);
        return s ? { id, found: true, kind: 'study', ...s } : { id, found: false };
      }
      case 'series':
        return { id, found: true, kind: 'series', seriesInstanceUid: e.value };
      case 'user':
        return { id, found: true, kind: 'user', subject: e.value };
      case 'project': {
        const p = await r.project(e.value);
        return {
          id,
          found: true,
          kind: 'project',
          projectId: e.value,
          slug: p?.slug ?? null,
          name: p?.name ?? null,
        };
      }
    }
  }
}
