/** What happened to one attribute: its path (never its value), the action and the rule behind it. */
export interface ReportEntry {
  path: string;
  name: string;
  action:
    | 'removed'
    | 'emptied'
    | 'dummy'
    | 'pseudonym'
    | 'uid-remapped'
    | 'date-shifted'
    | 'cleaned'
    | 'kept'
    | 'added';
  rule: string;
}

export interface DeidReport {
  standard: string;
  profile: string;
  options: Record<string, boolean>;
  sopClassUid?: string;
  iod?: string;
  transferSyntaxUid: string;
  /** Days dates were shifted by, when Retain Longitudinal Modified Dates applied (not PHI: a per-patient key). */
  dateShiftDays?: number;
  burnedIn: { risk: boolean; reasons: string[]; masked: boolean };
  pixelDataPassedThrough: boolean;
  verified: boolean;
  entries: ReportEntry[];
  counts: Record<ReportEntry['action'], number>;
}
