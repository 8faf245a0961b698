// Change over time: a partner's rank over the last twelve quarters (centralitySeries) and a
// coverage cell's gap score over the same quarters (coverageSeries), ending at the page's as-of
// date. Each chart has a table with the same figures, for keyboard and screen-reader users.
import { gql, graphiqlLink } from '../api';
import { chartIn } from '../charts';
import { CATEGORICAL, VIRIDIS } from '../colour';
import { type Dimension, type Header } from '../coverage-model';
import { formatGap, formatNumber, h, labelledSelect, replaceChildren, today } from '../dom';
import type { View, ViewContext } from '../view';

const QUARTERS = 12;
const TOP = 100;

const MEASURES = [
  ['BETWEENNESS', 'Betweenness (brokers)'],
  ['DEGREE', 'Degree (ties)'],
  ['PAGERANK', 'PageRank'],
  ['EIGENVECTOR', 'Eigenvector'],
  ['HARMONIC', 'Harmonic closeness'],
] as const;

const CELL_COLUMNS: readonly (readonly [Dimension, string])[] = [
  ['THEME', 'Thematic area'],
  ['STAKEHOLDER_TYPE', 'Stakeholder type'],
];

const RANK_QUERY = `query PartnerRankSeries($measure: CentralityMeasure!, $dates: [Date!]!, $top: Int!) {
  centralitySeries(measure: $measure, projection: CO_PARTNERSHIP, dates: { dates: $dates }, top: $top) {
    revision
    points { asOf rankedNodes entries { rank score previousRank node { id name kind } } }
    gainers { node { id name } firstRank lastRank rankChange }
    losers { node { id name } firstRank lastRank rankChange }
  }
}`;

const SEARCH_QUERY = `query FindPartner($text: String!) {
  actors(first: 8, filter: { text: $text }) { edges { node { id name kind } } }
}`;

const GAP_QUERY = `query CellGapSeries($groupBy: [CoverageDimension!]!, $dates: [Date!]!) {
  coverageSeries(groupBy: $groupBy, dates: { dates: $dates }, movers: 5) {
    revision
    points {
      asOf
      matrix {
        suppressionThreshold
        rows { key label }
        columns { key label }
        cells { suppressed gapScore partners engagementIndex need }
      }
    }
    worsened { row { key label } column { key label } firstGap lastGap gapChange }
    improved { row { key label } column { key label } firstGap lastGap gapChange }
  }
}`;

interface Partner {
  id: string;
  name: string;
  kind?: string;
}

interface RankData {
  centralitySeries: {
    revision: number;
    points: {
      asOf: string;
      rankedNodes: number;
      entries: { rank: number; score: number; previousRank: number | null; node: Partner }[];
    }[];
    gainers: { node: Partner; firstRank: number; lastRank: number; rankChange: number }[];
    losers: { node: Partner; firstRank: number; lastRank: number; rankChange: number }[];
  };
}

interface GapCell {
  suppressed: boolean;
  gapScore: number | null;
  partners: number | null;
  engagementIndex: number | null;
  need: number;
}

interface GapMove {
  row: Header;
  column: Header;
  firstGap: number;
  lastGap: number;
  gapChange: number;
}

interface GapData {
  coverageSeries: {
    revision: number;
    points: {
      asOf: string;
      matrix: {
        suppressionThreshold: number | null;
        rows: Header[];
        columns: Header[];
        cells: GapCell[][];
      };
    }[];
    worsened: GapMove[];
    improved: GapMove[];
  };
}

const state = {
  measure: 'BETWEENNESS' as string,
  partner: null as Partner | null,
  columns: 'THEME' as Dimension,
  cell: null as { row: string; column: string } | null,
};

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `count` dates three months apart, the last being `end` (days clamped to the month's end). */
export function quarterDates(end: string, count = QUARTERS): string[] {
  const [year, month, day] = end.split('-').map(Number);
  const dates: string[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const total = year * 12 + (month - 1) - 3 * i;
    const y = Math.floor(total / 12);
    const m = (total % 12) + 1;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    dates.push(`${y}-${pad(m)}-${pad(Math.min(day, last))}`);
  }
  return dates;
}

function dataTable(caption: string, head: string[], rows: (string | number)[][], id: string): HTMLTableElement {
  return h(
    'table',
    { class: 'data-table', id },
    h('caption', { class: 'hint' }, caption),
    h('thead', {}, h('tr', {}, head.map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, String(first)), rest.map((v) => h('td', {}, String(v))))),
    ),
  );
}

export const view: View = {
  id: 'trends',
  title: 'Change over time',
  mount(root: HTMLElement, ctx: ViewContext) {
    let disposed = false;
    let rankSeq = 0;
    let gapSeq = 0;
    let searchSeq = 0;
    let rankData: RankData['centralitySeries'] | null = null;
    let gapData: GapData['coverageSeries'] | null = null;

    // --- a partner's rank ------------------------------------------------------------------
    const rankChartBox = h('div', { class: 'chart line', role: 'img', 'aria-label': 'Line chart of the partner’s rank by quarter; the table below holds the same figures.' });
    const rankChart = chartIn(rankChartBox);
    const rankStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const rankTitle = h('h4', { id: 'rank-title' });
    const rankTable = h('div', { class: 'table-scroll', id: 'rank-table' });
    const quickPicks = h('ul', { class: 'search-results', id: 'rank-picks', 'aria-label': 'Top partners at the last quarter' });
    const searchResults = h('ul', { class: 'search-results', id: 'partner-results', 'aria-label': 'Partners found' });
    const searchInput = h('input', { id: 'partner-search', type: 'search', autocomplete: 'off', placeholder: 'name or acronym' });
    const measureControl = labelledSelect('Measure', MEASURES, state.measure, (value) => {
      state.measure = value;
      void loadRanks();
    });
    measureControl.select.id = 'rank-measure';
    measureControl.wrapper.querySelector('label')?.setAttribute('for', 'rank-measure');

    const searchForm = h(
      'form',
      {
        class: 'picker',
        role: 'search',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void search();
        },
      },
      h('label', { for: 'partner-search' }, 'Find a partner'),
      searchInput,
      h('button', { type: 'submit' }, 'Search'),
    );

    // --- a cell's gap ----------------------------------------------------------------------
    const gapChartBox = h('div', { class: 'chart line', role: 'img', 'aria-label': 'Line chart of the cell’s gap score by quarter; the table below holds the same figures.' });
    const gapChart = chartIn(gapChartBox);
    const gapStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const gapTitle = h('h4', { id: 'gap-title' });
    const gapTable = h('div', { class: 'table-scroll', id: 'gap-table' });
    const cellPickers = h('div', { class: 'picker', role: 'group', 'aria-label': 'Cell' });
    const movers = h('div', { id: 'gap-movers' });
    const columnsControl = labelledSelect('Columns', CELL_COLUMNS, state.columns, (value) => {
      state.columns = value as Dimension;
      state.cell = null;
      void loadGaps();
    });
    columnsControl.select.id = 'gap-columns';
    columnsControl.wrapper.querySelector('label')?.setAttribute('for', 'gap-columns');

    root.append(
      h('h2', {}, 'Change over time'),
      h('p', { class: 'intro' }, `The last ${QUARTERS} quarters up to the as-of date: how a partner’s place in the co-partnership network moved, and how a coverage cell’s gap score changed.`),
      h(
        'div',
        { class: 'trends-layout' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'rank-section-title' },
          h('h3', { id: 'rank-section-title' }, 'A partner’s rank'),
          h('div', { class: 'picker' }, measureControl.wrapper),
          searchForm,
          searchResults,
          h('p', { class: 'hint', id: 'rank-picks-label' }, 'Or pick one of the top partners at the last quarter:'),
          quickPicks,
          rankStatus,
          rankTitle,
          rankChartBox,
          rankTable,
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'gap-section-title' },
          h('h3', { id: 'gap-section-title' }, 'A cell’s gap score'),
          h('div', { class: 'picker' }, columnsControl.wrapper),
          cellPickers,
          movers,
          gapStatus,
          gapTitle,
          gapChartBox,
          gapTable,
        ),
      ),
    );

    const dates = () => quarterDates(ctx.asOf() ?? today());

    // --- ranks -----------------------------------------------------------------------------

    async function loadRanks(): Promise<void> {
      const mine = ++rankSeq;
      const variables = { measure: state.measure, dates: dates(), top: TOP };
      rankStatus.textContent = 'Loading ranks…';
      ctx.showQuery(RANK_QUERY, variables);
      try {
        const data = await gql<RankData>(RANK_QUERY, variables);
        if (disposed || mine !== rankSeq) return;
        rankData = data.centralitySeries;
        rankStatus.textContent = '';
        renderPicks();
        const last = rankData.points[rankData.points.length - 1];
        if (!state.partner && last?.entries.length) state.partner = last.entries[0].node;
        renderRank();
      } catch (error) {
        if (disposed || mine !== rankSeq) return;
        rankStatus.textContent = 'The ranks could not be loaded.';
        ctx.showError(error);
      }
    }

    function pickButton(partner: Partner, detail?: string): HTMLElement {
      const pressed = state.partner?.id === partner.id;
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': pressed ? 'true' : 'false',
            'data-id': partner.id,
            onclick: () => {
              state.partner = partner;
              renderPicks();
              renderRank();
              for (const b of searchResults.querySelectorAll<HTMLButtonElement>('button')) {
                b.setAttribute('aria-pressed', String(b.dataset.id === partner.id));
              }
            },
          },
          partner.name,
          detail ? ` (${detail})` : '',
        ),
      );
    }

    function renderPicks(): void {
      const last = rankData?.points[rankData.points.length - 1];
      replaceChildren(quickPicks, (last?.entries ?? []).slice(0, 6).map((e) => pickButton(e.node, `#${e.rank}`)));
    }

    async function search(): Promise<void> {
      const text = searchInput.value.trim();
      const mine = ++searchSeq;
      if (!text) {
        replaceChildren(searchResults);
        return;
      }
      try {
        const data = await gql<{ actors: { edges: { node: Partner }[] } }>(SEARCH_QUERY, { text });
        if (disposed || mine !== searchSeq) return;
        const found = data.actors.edges.map((e) => e.node);
        replaceChildren(
          searchResults,
          found.length ? found.map((p) => pickButton(p)) : h('li', { class: 'hint' }, `No partner you may see matches “${text}”.`),
        );
      } catch (error) {
        if (!disposed) ctx.showError(error);
      }
    }

    function renderRank(): void {
      const series = rankData;
      const partner = state.partner;
      if (!series) return;
      if (!partner) {
        rankTitle.textContent = 'No partner chosen';
        rankChart.chart.clear();
        replaceChildren(rankTable);
        return;
      }
      const measureLabel = MEASURES.find(([m]) => m === state.measure)?.[1] ?? state.measure;
      const rows = series.points.map((p) => {
        const entry = p.entries.find((e) => e.node.id === partner.id);
        return { asOf: p.asOf, ranked: p.rankedNodes, entry };
      });
      const seen = rows.filter((r) => r.entry).length;
      rankTitle.textContent = `${partner.name}: rank by ${measureLabel.toLowerCase()}`;
      rankChart.chart.setOption(
        {
          aria: { enabled: true, label: { description: `${partner.name}'s rank by quarter; ${seen} of ${rows.length} quarters in the top ${TOP}.` } },
          animation: false,
          color: [CATEGORICAL[0]],
          tooltip: { trigger: 'axis' },
          grid: { top: 30, left: 50, right: 20, bottom: 40 },
          xAxis: { type: 'category', data: rows.map((r) => r.asOf), axisLabel: { color: '#222' } },
          yAxis: {
            type: 'value',
            inverse: true,
            min: 1,
            max: Math.max(5, ...rows.map((r) => r.entry?.rank ?? 0)),
            minInterval: 1,
            name: 'rank (1 = most central)',
            nameLocation: 'start',
            nameTextStyle: { color: '#222', align: 'left' },
            axisLabel: { color: '#222' },
          },
          series: [
            {
              name: 'Rank',
              type: 'line',
              connectNulls: false,
              symbolSize: 8,
              data: rows.map((r) => (r.entry ? r.entry.rank : null)),
              label: { show: true, position: 'top', color: '#222' },
            },
          ],
        },
        { notMerge: true },
      );
      replaceChildren(
        rankTable,
        seen === 0 ? h('p', {}, `${partner.name} is not in the top ${TOP} at any of these quarters.`) : null,
        dataTable(
          `${partner.name}: rank and score by quarter (“not in top ${TOP}” where it ranked lower).`,
          ['Quarter', 'Rank', 'Score', 'Nodes ranked'],
          rows.map((r) => [
            r.asOf,
            r.entry ? r.entry.rank : `not in top ${TOP}`,
            r.entry ? formatNumber(r.entry.score, 4) : '—',
            r.ranked,
          ]),
          'rank-figures',
        ),
      );
    }

    // --- gaps ------------------------------------------------------------------------------

    async function loadGaps(): Promise<void> {
      const mine = ++gapSeq;
      const variables = { groupBy: ['REGION', state.columns], dates: dates() };
      gapStatus.textContent = 'Loading gap scores…';
      try {
        const data = await gql<GapData>(GAP_QUERY, variables);
        if (disposed || mine !== gapSeq) return;
        gapData = data.coverageSeries;
        gapStatus.textContent = '';
        const last = gapData.points[gapData.points.length - 1]?.matrix;
        const valid = (c: { row: string; column: string } | null) =>
          c && last && last.rows.some((r) => r.key === c.row) && last.columns.some((k) => k.key === c.column);
        if (!valid(state.cell)) {
          const mover = gapData.worsened[0] ?? gapData.improved[0];
          state.cell = mover
            ? { row: mover.row.key, column: mover.column.key }
            : last && last.rows.length && last.columns.length
              ? { row: last.rows[0].key, column: last.columns[0].key }
              : null;
        }
        renderCellPickers();
        renderMovers();
        renderGap();
      } catch (error) {
        if (disposed || mine !== gapSeq) return;
        gapStatus.textContent = 'The gap scores could not be loaded.';
        ctx.showError(error);
      }
    }

    function renderCellPickers(): void {
      const last = gapData?.points[gapData.points.length - 1]?.matrix;
      if (!last || !state.cell) {
        replaceChildren(cellPickers);
        return;
      }
      const row = labelledSelect('Region', last.rows.map((r) => [r.key, r.label] as const), state.cell.row, (value) => {
        if (state.cell) state.cell = { ...state.cell, row: value };
        renderGap();
      });
      const column = labelledSelect(
        state.columns === 'THEME' ? 'Thematic area' : 'Stakeholder type',
        last.columns.map((c) => [c.key, c.label] as const),
        state.cell.column,
        (value) => {
          if (state.cell) state.cell = { ...state.cell, column: value };
          renderGap();
        },
      );
      row.select.id = 'gap-row';
      column.select.id = 'gap-column';
      row.wrapper.querySelector('label')?.setAttribute('for', 'gap-row');
      column.wrapper.querySelector('label')?.setAttribute('for', 'gap-column');
      replaceChildren(cellPickers, row.wrapper, column.wrapper);
    }

    function renderMovers(): void {
      if (!gapData) return;
      const list = (title: string, moves: GapMove[], id: string) =>
        moves.length
          ? [
              h('p', { class: 'hint', id: `${id}-label` }, title),
              h(
                'ul',
                { class: 'movers', id, 'aria-labelledby': `${id}-label` },
                moves.map((m) =>
                  h(
                    'li',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        onclick: () => {
                          state.cell = { row: m.row.key, column: m.column.key };
                          renderCellPickers();
                          renderGap();
                        },
                      },
                      `${m.row.label} / ${m.column.label} (${m.gapChange > 0 ? '+' : ''}${formatGap(m.gapChange)})`,
                    ),
                  ),
                ),
              ),
            ]
          : [];
      replaceChildren(
        movers,
        list('Gap grew most (first to last quarter):', gapData.worsened, 'gap-worsened'),
        list('Gap shrank most:', gapData.improved, 'gap-improved'),
      );
    }

    function renderGap(): void {
      const series = gapData;
      const cell = state.cell;
      if (!series || !cell) {
        gapTitle.textContent = 'No cell to show';
        gapChart.chart.clear();
        replaceChildren(gapTable);
        return;
      }
      const points = series.points.map((p) => {
        const y = p.matrix.rows.findIndex((r) => r.key === cell.row);
        const x = p.matrix.columns.findIndex((c) => c.key === cell.column);
        const figures = y >= 0 && x >= 0 ? p.matrix.cells[y][x] : null;
        const status = !figures ? 'no data' : figures.suppressed ? 'suppressed' : figures.gapScore === null ? 'gap hidden' : '';
        return { asOf: p.asOf, figures, status };
      });
      const last = series.points[series.points.length - 1]?.matrix;
      const rowLabel = last?.rows.find((r) => r.key === cell.row)?.label ?? cell.row;
      const columnLabel = last?.columns.find((c) => c.key === cell.column)?.label ?? cell.column;
      gapTitle.textContent = `${rowLabel} / ${columnLabel}: gap score by quarter`;
      const masked = points.filter((p) => p.status);
      const hatch = document.createElement('canvas');
      hatch.width = hatch.height = 8;
      const g = hatch.getContext('2d');
      if (g) {
        g.fillStyle = '#ececec';
        g.fillRect(0, 0, 8, 8);
        g.strokeStyle = '#8a8a8a';
        g.beginPath();
        g.moveTo(0, 8);
        g.lineTo(8, 0);
        g.stroke();
      }
      gapChart.chart.setOption(
        {
          aria: { enabled: true, label: { description: `Gap score of ${rowLabel} / ${columnLabel} by quarter; ${masked.length} quarters suppressed or hidden.` } },
          animation: false,
          color: [VIRIDIS[2]],
          tooltip: { trigger: 'axis' },
          grid: { top: 30, left: 50, right: 20, bottom: 40 },
          xAxis: { type: 'category', data: points.map((p) => p.asOf), axisLabel: { color: '#222' } },
          yAxis: { type: 'value', min: 0, name: 'gap score (0 = no gap)', nameTextStyle: { color: '#222', align: 'left' }, axisLabel: { color: '#222' } },
          series: [
            {
              name: 'Gap score',
              type: 'line',
              connectNulls: false,
              symbolSize: 8,
              data: points.map((p) => (p.status ? null : p.figures?.gapScore ?? null)),
              label: { show: true, position: 'top', color: '#222', formatter: (v: unknown) => formatGap((v as { value: number }).value) },
              markArea: {
                silent: true,
                itemStyle: { color: { image: hatch, repeat: 'repeat' } },
                label: { show: true, position: 'insideTop', color: '#000', fontSize: 10, rotate: 90, offset: [0, 40] },
                data: masked.map((p) => [{ xAxis: p.asOf, name: p.status }, { xAxis: p.asOf }]),
              },
            },
          ],
        },
        { notMerge: true },
      );
      replaceChildren(
        gapTable,
        h('p', { class: 'hint' }, 'Hatched quarters: figures suppressed or the gap hidden for your role — not zero.'),
        dataTable(
          `${rowLabel} / ${columnLabel}: gap score, partners and engagement index by quarter.`,
          ['Quarter', 'Gap score', 'Partners', 'Engagement index', 'Need'],
          points.map((p) => {
            const f = p.figures;
            const masked = (v: number | null | undefined, fmt: (n: number) => string) =>
              v === null || v === undefined ? (f?.suppressed ? 'suppressed' : p.status || 'hidden') : fmt(v);
            return [
              p.asOf,
              f ? masked(f.gapScore, formatGap) : 'no data',
              f ? masked(f.partners, (n) => formatNumber(n)) : '—',
              f ? masked(f.engagementIndex, (n) => formatNumber(n)) : '—',
              f ? formatNumber(f.need) : '—',
            ];
          }),
          'gap-figures',
        ),
        h('p', {}, h('a', { href: graphiqlLink(GAP_QUERY, { groupBy: ['REGION', state.columns], dates: dates() }), target: '_blank', rel: 'opener' }, 'Open the gap series query in GraphiQL (new tab)')),
      );
    }

    const unsubscribe = ctx.onAsOfChange(() => {
      void loadRanks();
      void loadGaps();
    });
    void loadRanks();
    void loadGaps();

    return () => {
      disposed = true;
      unsubscribe();
      rankChart.dispose();
      gapChart.dispose();
      root.replaceChildren();
    };
  },
};
