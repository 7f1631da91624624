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
  /**
   * Whether dates were shifted (Modified Dates option). The number of days is deliberately not reported: with
   * it anyone holding the report could undo the shift. `dateShiftDaysFor` gives it to the site when needed.
   */
  dateShift: 'applied' | 'already-applied' | 'none';
  burnedIn: { risk: boolean; reasons: string[]; masked: boolean };
  pixelDataPassedThrough: boolean;
  verified: boolean;
  entries: ReportEntry[];
  counts: Record<ReportEntry['action'], number>;
}
