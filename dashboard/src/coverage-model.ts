// Coverage figures as the API returns them, and how a cell maps to the actor and programme
// filters that list the partners behind it (the drill-down).

export type Dimension = 'REGION' | 'SUBREGION' | 'COUNTRY' | 'THEME' | 'STAKEHOLDER_TYPE' | 'ACTOR_KIND';

export const ROW_DIMENSIONS: readonly (readonly [Dimension, string])[] = [
  ['REGION', 'Region'],
  ['SUBREGION', 'Sub-region'],
  ['COUNTRY', 'Country'],
];
export const COLUMN_DIMENSIONS: readonly (readonly [Dimension, string])[] = [
  ['THEME', 'Thematic area'],
  ['STAKEHOLDER_TYPE', 'Stakeholder type'],
  ['ACTOR_KIND', 'Actor kind'],
];

export interface Header {
  key: string;
  label: string;
}

export interface Cell {
  suppressed: boolean;
  partners: number | null;
  partnerships: number | null;
  programmes: number | null;
  activities: number | null;
  funding: number | null;
  lastActivity: string | null;
  engagementIndex: number | null;
  need: number;
  gapScore: number | null;
  partnersByKind: { kind: string; partners: number | null; suppressed: boolean }[] | null;
}

export const CELL_FIELDS = `suppressed partners partnerships programmes activities funding lastActivity
      engagementIndex need gapScore partnersByKind { kind partners suppressed }`;

/** How a cell is drawn: its gap, or why there is none to show. */
export type CellState = 'gap' | 'suppressed' | 'hidden';

export function cellState(cell: Cell): CellState {
  if (cell.suppressed) return 'suppressed';
  return cell.gapScore === null ? 'hidden' : 'gap';
}

export const STATE_TEXT: Record<CellState, string> = {
  gap: '',
  suppressed: 'suppressed',
  hidden: 'gap hidden',
};

const ACTOR_KINDS: Record<string, string> = {
  MemberState: 'MEMBER_STATE',
  RegionalOrganization: 'REGIONAL_ORGANIZATION',
  CivilSocietyOrganization: 'CIVIL_SOCIETY_ORGANIZATION',
  Company: 'COMPANY',
  AcademicInstitution: 'ACADEMIC_INSTITUTION',
  OtherNonStateActor: 'OTHER_NON_STATE_ACTOR',
};

const STAKEHOLDER_PREFIXES: readonly (readonly [string, string])[] = [
  ['MEMBER_STATE', 'MEMBER_STATE'],
  ['REGIONAL_ORGANIZATION', 'REGIONAL_ORGANIZATION'],
  ['CSO_', 'CIVIL_SOCIETY_ORGANIZATION'],
  ['COMPANY_', 'COMPANY'],
  ['ACADEMIC_', 'ACADEMIC_INSTITUTION'],
  ['NSA_', 'OTHER_NON_STATE_ACTOR'],
];

/** The ActorFilter and ProgrammeFilter that list the partners and programmes behind a cell,
 * with a note where the filters are coarser than the cell; null when they cannot. */
export function drillFilters(
  rowDimension: Dimension,
  row: string,
  columnDimension: Dimension,
  column: string,
  activeAsOf: string,
): { actors: Record<string, unknown>; theme: string | null; note: string | null } | null {
  if (row.startsWith('(') || row === '*' || column.startsWith('(') || column === '*') return null;
  const actors: Record<string, unknown> = { activeAsOf };
  let note: string | null = null;
  if (rowDimension === 'REGION') actors.region = row.toUpperCase();
  else if (rowDimension === 'SUBREGION') actors.subregion = row;
  else if (rowDimension === 'COUNTRY') actors.country = row;
  else return null;
  let theme: string | null = null;
  if (columnDimension === 'THEME') {
    actors.theme = column;
    theme = column;
  } else if (columnDimension === 'ACTOR_KIND') {
    const kind = ACTOR_KINDS[column];
    if (!kind) return null;
    actors.kinds = [kind];
  } else if (columnDimension === 'STAKEHOLDER_TYPE') {
    const match = STAKEHOLDER_PREFIXES.find(([prefix]) => column.startsWith(prefix));
    if (!match) return null;
    actors.kinds = [match[1]];
    if (column.startsWith('CSO_') && column !== 'CSO_UNSPECIFIED') {
      actors.focusGroup = column.slice('CSO_'.length);
    } else if (match[0].endsWith('_')) {
      note = 'The API filters actors by kind only here, so this lists every partner of that kind.';
    }
  } else {
    return null;
  }
  return { actors, theme, note };
}
