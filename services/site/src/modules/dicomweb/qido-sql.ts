import { Prisma } from '../../db.ts';
import { T, type TagHex } from './dictionary.ts';
import { qidoBadRequest } from './errors.ts';
import type { Matcher, QidoFilter, QidoLevel } from './qido-query.ts';

type Sql = Prisma.Sql;
const sql = Prisma.sql;

/** Indexed columns for the attributes viewers search on; anything else is matched in the stored DICOM JSON. */
interface Column {
  expr: Sql;
  kind: 'text' | 'name' | 'int';
  /** The lowest level whose rows carry the column (a study key can filter series and instances too). */
  level: QidoLevel;
}

const COLUMNS: Record<TagHex, Column> = {
  [T.StudyInstanceUID]: { expr: sql`st."studyInstanceUid"`, kind: 'text', level: 'study' },
  [T.StudyDate]: { expr: sql`st."studyDate"`, kind: 'text', level: 'study' },
  [T.StudyTime]: { expr: sql`st."studyTime"`, kind: 'text', level: 'study' },
  [T.AccessionNumber]: { expr: sql`st."accessionNumber"`, kind: 'text', level: 'study' },
  [T.StudyID]: { expr: sql`st."studyId"`, kind: 'text', level: 'study' },
  [T.StudyDescription]: { expr: sql`st."studyDescription"`, kind: 'text', level: 'study' },
  [T.ReferringPhysicianName]: { expr: sql`st."referringPhysician"`, kind: 'name', level: 'study' },
  [T.PatientName]: { expr: sql`p."patientName"`, kind: 'name', level: 'study' },
  [T.PatientID]: { expr: sql`p."patientId"`, kind: 'text', level: 'study' },
  [T.PatientBirthDate]: { expr: sql`p."birthDate"`, kind: 'text', level: 'study' },
  [T.PatientSex]: { expr: sql`p."sex"`, kind: 'text', level: 'study' },
  [T.SeriesInstanceUID]: { expr: sql`se."seriesInstanceUid"`, kind: 'text', level: 'series' },
  [T.Modality]: { expr: sql`se."modality"`, kind: 'text', level: 'series' },
  [T.SeriesNumber]: { expr: sql`se."seriesNumber"`, kind: 'int', level: 'series' },
  [T.SeriesDescription]: { expr: sql`se."seriesDescription"`, kind: 'text', level: 'series' },
  [T.SOPInstanceUID]: { expr: sql`i."sopInstanceUid"`, kind: 'text', level: 'instance' },
  [T.SOPClassUID]: { expr: sql`i."sopClassUid"`, kind: 'text', level: 'instance' },
  [T.InstanceNumber]: { expr: sql`i."instanceNumber"`, kind: 'int', level: 'instance' },
};

const DEPTH: Record<QidoLevel, number> = { study: 0, series: 1, instance: 2 };

/** `*` and `?` to LIKE, with LIKE's own metacharacters escaped. */
export const likePattern = (wildcard: string) =>
  wildcard
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');

function matchText(expr: Sql, matcher: Matcher, caseInsensitive: boolean): Sql {
  const like = caseInsensitive ? sql`ILIKE` : sql`LIKE`;
  switch (matcher.kind) {
    case 'universal':
      return sql`TRUE`;
    case 'uids':
      return sql`${expr} IN (${Prisma.join(matcher.values)})`;
    case 'exact':
      return caseInsensitive
        ? sql`lower(${expr}) = lower(${matcher.value})`
        : sql`${expr} = ${matcher.value}`;
    case 'wildcard':
      return sql`${expr} ${like} ${likePattern(matcher.pattern)} ESCAPE '\\'`;
    case 'range': {
      // DA/TM values compare as strings; a shorter upper bound (TM "12") covers everything it prefixes.
      const parts: Sql[] = [];
      if (matcher.from) parts.push(sql`${expr} >= ${matcher.from}`);
      if (matcher.to) parts.push(sql`substr(${expr}, 1, ${matcher.to.length}) <= ${matcher.to}`);
      return sql`(${expr} IS NOT NULL AND ${Prisma.join(parts, ' AND ')})`;
    }
    case 'fuzzy-name': {
      // Each word of the query must start a name component or a word in one, in any case.
      const words = matcher.tokens.map((token) => {
        const t = likePattern(token);
        return sql`(${expr} ILIKE ${`${t}%`} ESCAPE '\\' OR ${expr} ILIKE ${`%^${t}%`} ESCAPE '\\' OR ${expr} ILIKE ${`% ${t}%`} ESCAPE '\\' OR ${expr} ILIKE ${`%=${t}%`} ESCAPE '\\')`;
      });
      return sql`(${Prisma.join(words, ' AND ')})`;
    }
  }
}

function matchInt(expr: Sql, matcher: Matcher): Sql {
  if (matcher.kind !== 'exact') {
    throw qidoBadRequest('QIDO_BAD_NUMBER', 'Integer attributes match exact values only.');
  }
  return sql`${expr} = ${Number(matcher.value)}`;
}

/** The stored DICOM JSON element for a tag, looked up from the level's row upward. */
function jsonElement(level: QidoLevel, tag: TagHex): Sql {
  if (level === 'study') return sql`(st.attributes -> ${tag})`;
  if (level === 'series') return sql`COALESCE(se.attributes -> ${tag}, st.attributes -> ${tag})`;
  return sql`COALESCE(i.metadata -> ${tag}, se.attributes -> ${tag}, st.attributes -> ${tag})`;
}

function matchJson(level: QidoLevel, filter: QidoFilter): Sql {
  const element = jsonElement(level, filter.tag);
  if (filter.vr === 'PN') {
    return matchText(sql`(${element} -> 'Value' -> 0 ->> 'Alphabetic')`, filter.matcher, true);
  }
  // Multi-valued attributes (ImageType, ModalitiesInStudy) match when any value does.
  return sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(${element} -> 'Value', '[]'::jsonb)) AS v(val) WHERE ${matchText(sql`v.val`, filter.matcher, false)})`;
}

/**
 * One filter as a SQL condition over the aliases p, st, se, i of the level's query. `seriesRule`: a
 * condition on alias `se` limiting which of a study's series a study-wide key (ModalitiesInStudy)
 * may look at, so that a series the reader may not read cannot be found through its study.
 */
export function filterSql(level: QidoLevel, filter: QidoFilter, seriesRule?: Sql): Sql {
  if (filter.tag === T.ModalitiesInStudy) {
    return sql`EXISTS (SELECT 1 FROM "Series" se WHERE se."studyRef" = st.id AND ${matchText(sql`se."modality"`, filter.matcher, false)}${seriesRule ? sql` AND ${seriesRule}` : Prisma.empty})`;
  }
  const column = COLUMNS[filter.tag];
  if (column && DEPTH[column.level] <= DEPTH[level]) {
    if (column.kind === 'int') return matchInt(column.expr, filter.matcher);
    return matchText(column.expr, filter.matcher, column.kind === 'name');
  }
  if (column) {
    throw qidoBadRequest(
      'QIDO_KEY_BELOW_LEVEL',
      `That attribute cannot be matched in a ${level}-level query.`,
    );
  }
  return matchJson(level, filter);
}

export function whereSql(level: QidoLevel, filters: QidoFilter[], scope: Sql[] = [], seriesRule?: Sql): Sql {
  const conditions = [...scope, ...filters.map((f) => filterSql(level, f, seriesRule))];
  return conditions.length ? sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}
