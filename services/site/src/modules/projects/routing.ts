import type { RoutingRule } from './schemas.ts';

/** What routing looks at: attributes of a series, as indexed. */
export interface SeriesFacts {
  modality: string | null;
  bodyPartExamined: string | null;
  seriesDescription: string | null;
  sopClassUids: string[];
}

const eq = (a: string | null, list: string[]) =>
  a !== null && list.some((x) => x.toUpperCase() === a.toUpperCase());

/** A rule matches when every condition it names matches; a project matches when any rule does. */
export function ruleMatches(rule: RoutingRule, facts: SeriesFacts): boolean {
  if (rule.modality && !eq(facts.modality, rule.modality)) return false;
  if (rule.bodyPart && !eq(facts.bodyPartExamined, rule.bodyPart)) return false;
  if (
    rule.seriesDescriptionContains &&
    !(facts.seriesDescription ?? '').toLowerCase().includes(rule.seriesDescriptionContains.toLowerCase())
  ) {
    return false;
  }
  if (rule.sopClassUid && !facts.sopClassUids.some((uid) => rule.sopClassUid!.includes(uid))) return false;
  return true;
}

export const projectMatches = (rules: RoutingRule[], facts: SeriesFacts) =>
  rules.some((r) => ruleMatches(r, facts));
