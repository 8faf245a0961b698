// Coverage: where engagement is thin. A heatmap of gap scores (rows: region, sub-region or
// country; columns: thematic area, stakeholder type or actor kind) at the page's as-of date,
// the most under-engaged cells as a ranked list, and a drill-down to the partners and
// programmes behind a cell. Suppressed figures are drawn as such, never as zero.
import { gql, graphiqlLink } from '../api';
import { chartIn } from '../charts';
import { GAP_SCALE, interpolate, textOn } from '../colour';
import {
  CELL_FIELDS,
  COLUMN_DIMENSIONS,
  ROW_DIMENSIONS,
  STATE_TEXT,
  cellState,
  drillFilters,
  type Cell,
  type Dimension,
  type Header,
} from '../coverage-model';
import { formatGap, formatNumber, h, labelledSelect, replaceChildren, today } from '../dom';
import type { View, ViewContext } from '../view';

const MATRIX_QUERY = `query CoverageView($groupBy: [CoverageDimension!]!, $asOf: Date) {
  coverageMatrix(groupBy: $groupBy, asOf: $asOf) {
    revision
    window { start end activitiesFrom }
    benchmark
    suppressionThreshold
    rows { key label }
    columns { key label }
    cells { ${CELL_FIELDS} }
  }
  underEngagedCells(groupBy: $groupBy, asOf: $asOf, first: 20) {
    totalCount
    edges { node { rank header { key label values { key label } } cell { ${CELL_FIELDS} } } }
  }
}`;

const DRILL_QUERY = `query CoverageCellPartners($filter: ActorFilter!, $asOf: Date, $themed: Boolean!, $theme: ID) {
  actors(first: 100, filter: $filter) {
    totalCount
    edges {
      node {
        id name kind
        programmes(first: 50, asOf: $asOf) { edges { role node { id name } } }
      }
    }
  }
  programmes(first: 100, filter: { theme: $theme, activeAsOf: $asOf }) @include(if: $themed) {
    edges { node { id } }
  }
}`;

interface Matrix {
  revision: number;
  window: { start: string; end: string; activitiesFrom: string };
  benchmark: number | null;
  suppressionThreshold: number | null;
  rows: Header[];
  columns: Header[];
  cells: Cell[][];
}

interface Ranked {
  rank: number;
  header: { key: string; label: string; values: Header[] };
  cell: Cell;
}

interface MatrixData {
  coverageMatrix: Matrix;
  underEngagedCells: { totalCount: number; edges: { node: Ranked }[] };
}

interface DrillData {
  actors: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        name: string;
        kind: string;
        programmes: { edges: { role: string; node: { id: string; name: string } }[] };
      };
    }[];
  };
  programmes?: { edges: { node: { id: string } }[] };
}

// Kept across tab switches (not across reloads).
const state = {
  rows: 'REGION' as Dimension,
  columns: 'THEME' as Dimension,
  selected: null as { row: string; column: string } | null,
};

const DIMENSION_NAME: Record<string, string> = Object.fromEntries(
  [...ROW_DIMENSIONS, ...COLUMN_DIMENSIONS].map(([key, label]) => [key, label.toLowerCase()]),
);

/** Diagonal hatching for suppressed cells, dots for hidden gaps (a canvas pattern for echarts). */
function pattern(kind: 'suppressed' | 'hidden'): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 8;
  const g = canvas.getContext('2d');
  if (!g) return canvas;
  g.fillStyle = kind === 'suppressed' ? '#e8e8e8' : '#f7f7f7';
  g.fillRect(0, 0, 8, 8);
  g.fillStyle = g.strokeStyle = '#6b6b6b';
  if (kind === 'suppressed') {
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
  } else {
    g.fillRect(1, 1, 2, 2);
    g.fillRect(5, 5, 2, 2);
  }
  return canvas;
}

function figure(value: number | null | undefined, suppressed: boolean, digits = 2): string {
  if (value === null || value === undefined) return suppressed ? 'suppressed' : 'hidden';
  return formatNumber(value, digits);
}

function describeCell(cell: Cell): string {
  const s = cellState(cell);
  if (s === 'suppressed') return 'figures suppressed (small counts)';
  const partners = cell.partners === null ? 'partners hidden' : `${formatNumber(cell.partners)} partners`;
  if (s === 'hidden') return `gap hidden (it would give away a small count); ${partners}`;
  return `gap ${formatGap(cell.gapScore)}; ${partners}`;
}

export const view: View = {
  id: 'coverage',
  title: 'Coverage',
  mount(root: HTMLElement, ctx: ViewContext) {
    let disposed = false;
    let sequence = 0;
    let matrix: Matrix | null = null;
    const chartBox = h('div', {
      class: 'chart heatmap',
      role: 'img',
      'aria-label': 'Heatmap of gap scores; the same figures are in the table below.',
    });
    const { chart, dispose } = chartIn(chartBox);

    const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const summary = h('p', { class: 'summary', id: 'coverage-summary' });
    const heatmapTitle = h('h3', { id: 'heatmap-title' });
    const legend = h('div', { class: 'legend', id: 'coverage-legend' });
    const table = h('div', { class: 'table-scroll', id: 'coverage-table' });
    const ranked = h('ol', { class: 'ranked', id: 'under-engaged', 'aria-labelledby': 'under-engaged-title' });
    const rankedNote = h('p', { class: 'hint' });
    const drill = h('section', {
      class: 'card drill',
      id: 'cell-detail',
      'aria-labelledby': 'cell-detail-title',
      tabindex: '-1',
    });

    const rowsControl = labelledSelect('Rows', ROW_DIMENSIONS, state.rows, (value) => {
      state.rows = value as Dimension;
      state.selected = null;
      void load();
    });
    const columnsControl = labelledSelect('Columns', COLUMN_DIMENSIONS, state.columns, (value) => {
      state.columns = value as Dimension;
      state.selected = null;
      void load();
    });
    rowsControl.select.id = 'coverage-rows';
    columnsControl.select.id = 'coverage-columns';
    rowsControl.wrapper.querySelector('label')?.setAttribute('for', 'coverage-rows');
    columnsControl.wrapper.querySelector('label')?.setAttribute('for', 'coverage-columns');

    root.append(
      h('h2', {}, 'Coverage: where engagement is thin'),
      h(
        'p',
        { class: 'intro' },
        'Gap score = need × how far a cell’s engagement index falls short of the benchmark ',
        '(0: no gap; larger: thinner engagement). Counts below the suppression threshold are ',
        'hidden for your role and marked as such.',
      ),
      h('div', { class: 'controls', role: 'group', 'aria-label': 'Grouping' }, rowsControl.wrapper, columnsControl.wrapper),
      status,
      summary,
      h(
        'div',
        { class: 'coverage-layout' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'heatmap-title' },
          heatmapTitle,
          legend,
          chartBox,
          h(
            'details',
            { class: 'figures' },
            h('summary', {}, 'Figures as a table (each cell opens its details)'),
            table,
          ),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'under-engaged-title' },
          h('h3', { id: 'under-engaged-title' }, 'Most under-engaged cells'),
          rankedNote,
          ranked,
        ),
      ),
      drill,
    );

    chart.on('click', (params) => {
      if (!matrix) return;
      const value = (params as { value?: unknown }).value;
      if (!Array.isArray(value)) return;
      const [x, y] = value as number[];
      const row = matrix.rows[y];
      const column = matrix.columns[x];
      if (row && column) select(row.key, column.key, false);
    });

    const unsubscribe = ctx.onAsOfChange(() => void load());

    async function load(): Promise<void> {
      const mine = ++sequence;
      const variables: Record<string, unknown> = { groupBy: [state.rows, state.columns] };
      const asOf = ctx.asOf();
      if (asOf) variables.asOf = asOf;
      root.setAttribute('aria-busy', 'true');
      status.textContent = 'Loading coverage…';
      ctx.showQuery(MATRIX_QUERY, variables);
      try {
        const data = await gql<MatrixData>(MATRIX_QUERY, variables);
        if (disposed || mine !== sequence) return;
        matrix = data.coverageMatrix;
        render(data);
        status.textContent = '';
      } catch (error) {
        if (disposed || mine !== sequence) return;
        matrix = null;
        chart.clear();
        replaceChildren(table);
        replaceChildren(ranked);
        replaceChildren(drill);
        summary.textContent = '';
        heatmapTitle.textContent = 'Gap score';
        status.textContent =
          'These figures could not be loaded (see the message above). Finer groupings need a privileged key.';
        ctx.showError(error);
      } finally {
        if (mine === sequence && !disposed) root.removeAttribute('aria-busy');
      }
    }

    function render(data: MatrixData): void {
      const m = data.coverageMatrix;
      const rowName = DIMENSION_NAME[state.rows];
      const columnName = DIMENSION_NAME[state.columns];
      heatmapTitle.textContent = `Gap score by ${rowName} and ${columnName}`;
      const privileged = m.suppressionThreshold === null;
      replaceChildren(
        summary,
        `As of ${m.window.end} (activities from ${m.window.activitiesFrom}); graph revision ${m.revision}; `,
        `benchmark engagement index ${formatNumber(m.benchmark)}. `,
        privileged
          ? 'Your key sees every figure.'
          : `Counts from 1 to ${(m.suppressionThreshold ?? 1) - 1} are suppressed for your role.`,
      );
      renderChart(m);
      renderTable(m);
      renderRanked(data.underEngagedCells.edges.map((e) => e.node), data.underEngagedCells.totalCount);
      const selected = state.selected;
      if (selected && m.rows.some((r) => r.key === selected.row) && m.columns.some((c) => c.key === selected.column)) {
        void showCell(selected.row, selected.column);
      } else {
        state.selected = null;
        replaceChildren(
          drill,
          h('h3', { id: 'cell-detail-title' }, 'Cell details'),
          h('p', { class: 'hint' }, 'Choose a cell in the heatmap, the table or the ranked list to see its figures and the partners and programmes behind it.'),
        );
      }
    }

    function renderChart(m: Matrix): void {
      const gaps = m.cells.flat().map((c) => c.gapScore).filter((g): g is number => g !== null);
      const max = Math.max(1, ...gaps);
      const gapData: unknown[] = [];
      const maskedData: unknown[] = [];
      const columnWidth = (chartBox.clientWidth || 800) / Math.max(1, m.columns.length);
      const suppressedPattern = { image: pattern('suppressed'), repeat: 'repeat' };
      const hiddenPattern = { image: pattern('hidden'), repeat: 'repeat' };
      m.cells.forEach((row, y) =>
        row.forEach((cell, x) => {
          const s = cellState(cell);
          if (s === 'gap') {
            const colour = interpolate(GAP_SCALE, (cell.gapScore ?? 0) / max);
            gapData.push({ value: [x, y, cell.gapScore], label: { color: textOn(colour) } });
          } else {
            maskedData.push({
              value: [x, y, s === 'suppressed' ? 1 : 0],
              itemStyle: { color: s === 'suppressed' ? suppressedPattern : hiddenPattern },
              label: {
                formatter: columnWidth > 70 ? STATE_TEXT[s] : s === 'suppressed' ? 'S' : 'H',
              },
            });
          }
        }),
      );
      const height = Math.max(280, m.rows.length * 34 + 170);
      chartBox.style.height = `${height}px`;
      chart.resize();
      const tooltip = (params: unknown): string => {
        const p = params as { value: number[] };
        const [x, y] = p.value;
        const row = m.rows[y]?.label ?? '';
        const column = m.columns[x]?.label ?? '';
        const cell = m.cells[y]?.[x];
        const div = document.createElement('div');
        div.textContent = `${row} / ${column}: ${cell ? describeCell(cell) : ''}`;
        return div.innerHTML;
      };
      chart.setOption(
        {
          aria: {
            enabled: true,
            label: {
              description: `Heatmap of gap scores, ${m.rows.length} rows by ${m.columns.length} columns. The table of figures below holds the same values.`,
            },
          },
          animation: false,
          tooltip: { trigger: 'item', formatter: tooltip, confine: true },
          grid: { top: 10, left: 10, right: 10, bottom: 90, containLabel: true },
          xAxis: {
            type: 'category',
            data: m.columns.map((c) => c.label),
            splitArea: { show: false },
            axisLabel: { interval: 0, rotate: 35, width: 150, overflow: 'truncate', color: '#222' },
          },
          yAxis: {
            type: 'category',
            data: m.rows.map((r) => r.label),
            inverse: true,
            axisLabel: { interval: 0, width: 170, overflow: 'truncate', color: '#222' },
          },
          visualMap: {
            type: 'continuous',
            seriesIndex: 0,
            min: 0,
            max,
            calculable: false,
            orient: 'horizontal',
            left: 'center',
            bottom: 0,
            text: ['larger gap', 'no gap'],
            textStyle: { color: '#222' },
            inRange: { color: GAP_SCALE },
          },
          series: [
            {
              name: 'Gap score',
              type: 'heatmap',
              data: gapData,
              label: {
                show: true,
                formatter: (p: unknown) => formatGap((p as { value: number[] }).value[2]),
              },
              itemStyle: { borderColor: '#fff', borderWidth: 1 },
              emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
            },
            {
              name: 'Suppressed or hidden',
              type: 'heatmap',
              data: maskedData,
              label: { show: true, color: '#000' },
              itemStyle: { borderColor: '#fff', borderWidth: 1 },
              emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
            },
          ],
        },
        { notMerge: true },
      );
      const swatch = (cls: string) => h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' });
      replaceChildren(
        legend,
        h('span', { class: 'legend-item' }, h('span', { class: 'swatch gradient', 'aria-hidden': 'true' }), `gap score, 0 (no gap) to ${formatGap(max)}`),
        h('span', { class: 'legend-item' }, swatch('suppressed'), 'suppressed: small counts hidden for your role (“S” in narrow cells), not zero'),
        h('span', { class: 'legend-item' }, swatch('hidden'), 'gap hidden: it would give away a small count (“H” in narrow cells)'),
      );
    }

    function cellButton(row: Header, column: Header, cell: Cell): HTMLButtonElement {
      const s = cellState(cell);
      const text = s === 'gap' ? formatGap(cell.gapScore) : STATE_TEXT[s];
      return h(
        'button',
        {
          type: 'button',
          class: `cell-button ${s}`,
          'aria-label': `${row.label} / ${column.label}: ${describeCell(cell)}`,
          onclick: () => select(row.key, column.key, true),
        },
        text,
      );
    }

    function renderTable(m: Matrix): void {
      const head = h(
        'tr',
        {},
        h('th', { scope: 'col' }, `${DIMENSION_NAME[state.rows]} \\ ${DIMENSION_NAME[state.columns]}`),
        m.columns.map((c) => h('th', { scope: 'col' }, c.label)),
      );
      const body = m.rows.map((row, y) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row.label),
          m.columns.map((column, x) => {
            const cell = m.cells[y][x];
            return h(
              'td',
              { 'data-row': row.key, 'data-column': column.key, 'data-state': cellState(cell) },
              cellButton(row, column, cell),
            );
          }),
        ),
      );
      replaceChildren(
        table,
        h(
          'table',
          { class: 'figures-table' },
          h('caption', {}, `Gap score of each cell (${DIMENSION_NAME[state.rows]} by ${DIMENSION_NAME[state.columns]})`),
          h('thead', {}, head),
          h('tbody', {}, body),
        ),
      );
    }

    function renderRanked(items: Ranked[], total: number): void {
      rankedNote.textContent =
        items.length === 0
          ? 'No cell you can see has a gap score.'
          : `Largest gap first; ${items.length} of ${total} cells with a gap score you may see. Use the arrow keys to move through the list.`;
      replaceChildren(
        ranked,
        items.map((item, index) => {
          const [rowValue, columnValue] = item.header.values;
          const button = h(
            'button',
            {
              type: 'button',
              class: 'ranked-item',
              'data-row': rowValue?.key ?? '',
              'data-column': columnValue?.key ?? '',
              onclick: () => select(rowValue.key, columnValue.key, true),
              onkeydown: (event: Event) => {
                const key = (event as KeyboardEvent).key;
                const step = key === 'ArrowDown' ? 1 : key === 'ArrowUp' ? -1 : 0;
                const jump = key === 'Home' ? 0 : key === 'End' ? items.length - 1 : null;
                if (!step && jump === null) return;
                event.preventDefault();
                const target = jump ?? Math.min(items.length - 1, Math.max(0, index + step));
                (ranked.querySelectorAll('button')[target] as HTMLButtonElement | undefined)?.focus();
              },
            },
            h('span', { class: 'rank' }, `${item.rank}.`),
            h('span', { class: 'ranked-label' }, item.header.label),
            h('span', { class: 'ranked-figures' }, `gap ${formatGap(item.cell.gapScore)} · need ${formatNumber(item.cell.need)} · partners ${figure(item.cell.partners, item.cell.suppressed, 0)}`),
          );
          return h('li', {}, button);
        }),
      );
    }

    function select(row: string, column: string, focus: boolean): void {
      state.selected = { row, column };
      void showCell(row, column).then(() => {
        if (focus && !disposed) drill.focus();
      });
    }

    async function showCell(rowKey: string, columnKey: string): Promise<void> {
      const m = matrix;
      if (!m) return;
      const y = m.rows.findIndex((r) => r.key === rowKey);
      const x = m.columns.findIndex((c) => c.key === columnKey);
      if (y < 0 || x < 0) return;
      const row = m.rows[y];
      const column = m.columns[x];
      const cell = m.cells[y][x];
      const privileged = m.suppressionThreshold === null;
      const s = cellState(cell);
      for (const button of ranked.querySelectorAll<HTMLButtonElement>('button')) {
        const current = button.dataset.row === rowKey && button.dataset.column === columnKey;
        if (current) button.setAttribute('aria-current', 'true');
        else button.removeAttribute('aria-current');
      }

      const figures: [string, string][] = [
        ['Gap score', cell.gapScore === null ? figure(null, cell.suppressed) : formatGap(cell.gapScore)],
        ['Need weight', formatNumber(cell.need)],
        ['Engagement index', figure(cell.engagementIndex, cell.suppressed)],
        ['Partners', figure(cell.partners, cell.suppressed, 0)],
        ['Partnerships', figure(cell.partnerships, cell.suppressed, 0)],
        ['Programmes', figure(cell.programmes, cell.suppressed, 0)],
        ['Activities', figure(cell.activities, cell.suppressed, 0)],
        ['Funding (USD)', figure(cell.funding, cell.suppressed, 0)],
        ['Latest activity', cell.lastActivity ?? (cell.suppressed ? 'suppressed' : '—')],
      ];
      const byKind = cell.partnersByKind
        ? h(
            'p',
            { class: 'by-kind' },
            'Partners by kind: ',
            cell.partnersByKind
              .map((k) => `${k.kind.toLowerCase().replace(/_/g, ' ')} ${k.suppressed ? 'suppressed' : formatNumber(k.partners)}`)
              .join('; '),
          )
        : null;
      const lists = h('div', { class: 'drill-lists', 'aria-live': 'polite' });
      replaceChildren(
        drill,
        h('h3', { id: 'cell-detail-title' }, `${row.label} / ${column.label}`),
        s === 'suppressed'
          ? h('p', { class: 'mark suppressed-mark' }, 'Suppressed: this cell holds a small count, so its figures are hidden for your role. It is not zero.')
          : s === 'hidden'
            ? h('p', { class: 'mark hidden-mark' }, 'Gap hidden: showing it would give away a small count.')
            : null,
        h('dl', { class: 'figures-list' }, figures.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
        byKind,
        lists,
      );

      const activeAsOf = ctx.asOf() ?? today();
      const filters = drillFilters(state.rows, row.key, state.columns, column.key, activeAsOf);
      if (!filters) {
        lists.append(h('p', { class: 'hint' }, 'This row or column is not one value (a total or “none”), so there is no list of partners behind it.'));
        return;
      }
      if (s === 'suppressed' && !privileged) {
        lists.append(h('p', { class: 'hint' }, 'Its partners are not listed either: a list would show the small count.'));
        return;
      }
      const variables: Record<string, unknown> = {
        filter: filters.actors,
        asOf: activeAsOf,
        themed: filters.theme !== null,
        theme: filters.theme,
      };
      lists.append(h('p', { class: 'status' }, 'Loading the partners behind this cell…'));
      try {
        const data = await gql<DrillData>(DRILL_QUERY, variables);
        if (disposed || state.selected?.row !== rowKey || state.selected?.column !== columnKey) return;
        renderLists(lists, data, filters.note, privileged, variables);
      } catch (error) {
        if (disposed) return;
        replaceChildren(lists, h('p', { class: 'hint' }, 'The partners behind this cell could not be listed.'));
        ctx.showError(error);
      }
    }

    function renderLists(
      lists: HTMLElement,
      data: DrillData,
      note: string | null,
      privileged: boolean,
      variables: Record<string, unknown>,
    ): void {
      const themed = data.programmes ? new Set(data.programmes.edges.map((e) => e.node.id)) : null;
      const programmes = new Map<string, { name: string; partners: Set<string> }>();
      const inProgrammes: DrillData['actors']['edges'][number]['node'][] = [];
      const others: DrillData['actors']['edges'][number]['node'][] = [];
      for (const { node: actor } of data.actors.edges) {
        let any = false;
        for (const { node: programme } of actor.programmes.edges) {
          if (themed && !themed.has(programme.id)) continue;
          any = true;
          const entry = programmes.get(programme.id) ?? { name: programme.name, partners: new Set<string>() };
          entry.partners.add(actor.name);
          programmes.set(programme.id, entry);
        }
        (any ? inProgrammes : others).push(actor);
      }
      const kind = (k: string) => h('span', { class: 'kind' }, ` · ${k.toLowerCase().replace(/_/g, ' ')}`);
      const list = (id: string, actors: typeof inProgrammes) =>
        actors.length
          ? h('ul', { class: 'drill-list', id }, actors.map((a) => h('li', {}, a.name, kind(a.kind))))
          : h('p', { id }, 'None you may see.');
      const more =
        data.actors.totalCount > data.actors.edges.length
          ? h('p', { class: 'hint' }, `Only the first ${data.actors.edges.length} matching partners are listed.`)
          : null;
      replaceChildren(
        lists,
        h(
          'p',
          { class: 'hint' },
          'Listed with the API’s actor and programme filters (partners based here, engaged with the column’s value, active on the as-of date). ',
          'The coverage figures count engagements in the window, so the lists and the counts can differ.',
          privileged ? '' : ' Restricted actors are not listed for your role.',
          note ? ` ${note}` : '',
        ),
        h('h4', {}, themed ? 'Partners in programmes on this theme, active on the as-of date' : 'Partners with a partnership active on the as-of date'),
        list('cell-partners', inProgrammes),
        h('h4', {}, 'Their programmes'),
        programmes.size
          ? h(
              'ul',
              { class: 'drill-list', id: 'cell-programmes' },
              [...programmes.values()]
                .sort((a, b) => b.partners.size - a.partners.size || a.name.localeCompare(b.name))
                .map((p) => h('li', {}, p.name, h('span', { class: 'kind' }, ` · ${p.partners.size} listed partner${p.partners.size === 1 ? '' : 's'}`))),
            )
          : h('p', { id: 'cell-programmes' }, 'None active on the as-of date.'),
        others.length
          ? [
              h('h4', {}, 'Also matched: engaged through an activity, or through a partnership not active on that day'),
              list('cell-other-partners', others),
            ]
          : null,
        more,
        h('p', {}, h('a', { href: graphiqlLink(DRILL_QUERY, variables), target: '_blank', rel: 'opener' }, 'Open this list’s query in GraphiQL (new tab)')),
      );
    }

    void load();

    return () => {
      disposed = true;
      unsubscribe();
      dispose();
      root.replaceChildren();
      root.removeAttribute('aria-busy');
    };
  },
};
