// The Lineage view: pick an outcome and see what led to it (`outcomeLineage`, upstream) as a
// layered graph, contributors on the left and the outcome on the right, one column per step,
// with each node's attributed share and each link's share, factor and evidence (SVG tooltips,
// and the same in tables for keyboard and screen-reader users); the strongest paths; and, for
// an actor, what it contributed to (`contributions`). docs/LINEAGE.md explains the shares.
import { gql } from '../api';
import { formatNumber, h, labelledSelect, replaceChildren, uid } from '../dom';
import {
  KIND_LABELS,
  formatShare,
  kindColour,
  kindLabel,
  legend,
  searchBox,
  type SearchItem,
} from '../graph-draw';
import type { View, ViewContext } from '../view';

// --- the API's answers ------------------------------------------------------------------------

interface NodeRef {
  key: string;
  name: string;
  kind?: string;
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface LineageNode {
  side: string;
  hops: number;
  share: number;
  level: string | null;
  kind: string;
  node: NodeRef;
}

interface LineageLink {
  id: string;
  kind: string;
  factor: number;
  share: number | null;
  confidence: string | null;
  evidenceDate: string | null;
  role: string | null;
  source: string | null;
  since: string | null;
  until: string | null;
  start: { key: string };
  end: { key: string };
}

interface Paths {
  truncated: boolean;
  paths: { share: number; length: number; nodes: NodeRef[] }[];
}

interface LineageAnswer {
  outcomeLineage: {
    revision: number;
    asOf: string | null;
    depth: number;
    outcome: NodeRef & { level: string };
    nodes: { totalCount: number; pageInfo: PageInfo; edges: { node: LineageNode }[] };
    links: { totalCount: number; pageInfo: PageInfo; edges: { node: LineageLink }[] };
    paths: Paths;
  };
}

interface ContributionsAnswer {
  contributions: {
    actor: NodeRef;
    depth: number;
    outcomes: {
      totalCount: number;
      edges: { node: { outcome: NodeRef; level: string; hops: number; share: number; paths: Paths } }[];
    };
  };
}

const NODE_FIELDS = 'totalCount pageInfo { hasNextPage endCursor } edges { node { side hops share level kind node { key name } } }';
const LINK_FIELDS =
  'totalCount pageInfo { hasNextPage endCursor } edges { node { id kind factor share confidence evidenceDate role source since until start { key } end { key } } }';

const LINEAGE_QUERY = `query Lineage($outcome: ID!, $depth: Int!, $asOf: Date) {
  outcomeLineage(outcome: $outcome, direction: UPSTREAM, depth: $depth, asOf: $asOf) {
    revision asOf depth
    outcome { key name level }
    nodes(first: 100) { ${NODE_FIELDS} }
    links(first: 100) { ${LINK_FIELDS} }
    paths(first: 10) { truncated paths { share length nodes { key name kind } } }
  }
}`;

const MORE_NODES = `query LineageNodes($outcome: ID!, $depth: Int!, $asOf: Date, $after: String) {
  outcomeLineage(outcome: $outcome, direction: UPSTREAM, depth: $depth, asOf: $asOf) {
    nodes(first: 100, after: $after) { ${NODE_FIELDS} }
  }
}`;

const MORE_LINKS = `query LineageLinks($outcome: ID!, $depth: Int!, $asOf: Date, $after: String) {
  outcomeLineage(outcome: $outcome, direction: UPSTREAM, depth: $depth, asOf: $asOf) {
    links(first: 100, after: $after) { ${LINK_FIELDS} }
  }
}`;

const OUTCOMES_QUERY = `query Outcomes($text: String, $after: String) {
  outcomes(first: 100, after: $after, filter: { text: $text }, orderBy: NAME) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { key name level } }
  }
}`;

const ACTORS_QUERY = `query Actors($text: String!) {
  actors(first: 20, filter: { text: $text }, orderBy: NAME) { edges { node { key name kind } } }
}`;

const CONTRIBUTIONS_QUERY = `query Contributions($actor: ID!, $depth: Int!, $asOf: Date) {
  contributions(actor: $actor, depth: $depth, asOf: $asOf) {
    actor { key name kind }
    depth
    outcomes(first: 50) {
      totalCount
      edges { node { outcome { key name } level hops share paths(first: 1) { truncated paths { share length nodes { key name } } } } }
    }
  }
}`;

/** Most pages read of a lineage's nodes and of its links (100 each): a bounded drawing. */
const MAX_PAGES = 5;
/** Nodes drawn per column (step), best share first; the tables list them all. */
const PER_LAYER = 14;
const ACTOR_KINDS = new Set([
  'MEMBER_STATE',
  'REGIONAL_ORGANIZATION',
  'CIVIL_SOCIETY_ORGANIZATION',
  'COMPANY',
  'ACADEMIC_INSTITUTION',
  'OTHER_NON_STATE_ACTOR',
]);
const LEVELS: Record<string, string> = { IMPACT: 'Impact', OUTCOME: 'Outcome', OUTPUT: 'Output' };
const LINK_KINDS: Record<string, string> = {
  PRODUCED: 'produced',
  CONTRIBUTED_TO: 'contributed to',
  PART_OF: 'runs (programme of the activity)',
  PARTICIPATED_IN: 'took part in',
  PARTNERS_IN: 'partners in',
};
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Who passes credit to whom along a link: PART_OF runs from the programme (end) to the activity. */
function flow(link: LineageLink): { from: string; to: string } {
  return link.kind === 'PART_OF'
    ? { from: link.end.key, to: link.start.key }
    : { from: link.start.key, to: link.end.key };
}

function stepsText(hops: number): string {
  return hops === 0 ? 'the outcome' : `${hops} step${hops === 1 ? '' : 's'}`;
}

// --- the view ---------------------------------------------------------------------------------

function mount(root: HTMLElement, ctx: ViewContext): () => void {
  let outcome: string | null = null;
  let depth = 5;
  let generation = 0;
  let contributionsGeneration = 0;
  let unmounted = false;
  let current: {
    answer: LineageAnswer['outcomeLineage'];
    nodes: LineageNode[];
    links: LineageLink[];
  } | null = null;
  let active: string | null = null;
  let contributionsOf: string | null = null;

  const outcomeSelectId = 'lineage-outcome';
  const outcomeSelect = h('select', { id: outcomeSelectId, onchange: () => choose(outcomeSelect.value) });
  const depthSelect = labelledSelect(
    'Steps upstream',
    [2, 3, 4, 5, 6, 8, 10].map((d) => [String(d), String(d)] as const),
    String(depth),
    (v) => {
      depth = Number(v);
      void load();
    },
  );
  const outcomeSearch = searchBox({
    label: 'Find an outcome',
    placeholder: 'Words of its name',
    search: async (text) => {
      const data = await gql<{ outcomes: { edges: { node: NodeRef & { level: string } }[] } }>(OUTCOMES_QUERY, {
        text,
      });
      return data.outcomes.edges.map(({ node }) => ({
        id: node.key,
        text: node.name,
        detail: `(${LEVELS[node.level] ?? node.level})`,
      }));
    },
    choose: (item) => {
      if (![...outcomeSelect.options].some((o) => o.value === item.id)) {
        outcomeSelect.append(h('option', { value: item.id }, item.text));
      }
      choose(item.id);
    },
  });
  const actorSearch = searchBox({
    label: 'Find an actor',
    placeholder: 'Name of a state or organisation',
    search: async (text): Promise<SearchItem[]> => {
      const data = await gql<{ actors: { edges: { node: NodeRef }[] } }>(ACTORS_QUERY, { text });
      return data.actors.edges.map(({ node }) => ({
        id: node.key,
        text: node.name,
        detail: `(${kindLabel(node.kind ?? '')})`,
      }));
    },
    choose: (item) => void showContributions(item.id),
  });

  const summary = h('p', { id: 'lineage-summary', class: 'gv-summary', role: 'status' }, 'Loading outcomes…');
  const figure = h('figure', { class: 'gv-lineage-figure', id: 'lineage-figure' });
  const legendArea = h('div', { class: 'gv-legends' });
  const nodesArea = h('section', { class: 'gv-table-block', 'aria-labelledby': 'lineage-nodes-heading' });
  const linksArea = h('section', { class: 'gv-table-block', 'aria-labelledby': 'lineage-links-heading' });
  const pathsArea = h('section', { class: 'gv-table-block', id: 'lineage-paths' });
  const contributionsArea = h('div', { id: 'lineage-contributions', 'aria-live': 'polite' });

  root.append(
    h(
      'section',
      { class: 'gv-view gv-lineage', 'aria-labelledby': 'lineage-heading' },
      h('h2', { id: 'lineage-heading' }, 'What led to an outcome'),
      h(
        'p',
        { class: 'gv-intro' },
        'The outcome is on the right; each column to its left is one more step upstream: the ',
        'activities and programmes that produced it, then the partners and participants ',
        'behind them. Each node shows the share of the outcome attributed to it, and each ',
        'link the share or weight it carries, its confidence and its evidence (hover a link, ',
        'or read the tables below).',
      ),
      h(
        'div',
        { class: 'gv-controls' },
        h('span', { class: 'gv-field' }, h('label', { for: outcomeSelectId }, 'Outcome'), outcomeSelect),
        outcomeSearch.element,
        depthSelect.wrapper,
      ),
      summary,
      figure,
      legendArea,
      pathsArea,
      h('div', { class: 'gv-columns' }, nodesArea, linksArea),
      h(
        'section',
        { class: 'gv-contributions', 'aria-labelledby': 'lineage-contrib-heading' },
        h('h3', { id: 'lineage-contrib-heading' }, 'What an actor contributed to'),
        h(
          'p',
          { class: 'gv-hint' },
          'Find an actor, or choose "Contributions" next to one in the table of upstream nodes.',
        ),
        h('div', { class: 'gv-controls' }, actorSearch.element),
        contributionsArea,
      ),
    ),
  );
  function renderLegend(nodes: LineageNode[]): void {
    const kinds = new Set(nodes.map((n) => n.kind));
    const links = legend('Links (width: share or credit passed)', [
      { colour: '#6b6b6b', text: 'with an evidence source', shape: 'line' },
      { colour: '#6b6b6b', text: 'no source recorded', shape: 'line' },
    ]);
    links.querySelectorAll('.gv-swatch-line')[1]?.classList.replace('gv-swatch-line', 'gv-swatch-dashed');
    legendArea.replaceChildren(
      legend(
        'Kind of node (colour strip)',
        Object.keys(KIND_LABELS)
          .filter((k) => kinds.has(k))
          .map((k) => ({ colour: kindColour(k), text: kindLabel(k) })),
      ),
      links,
    );
  }

  // --- outcomes

  async function loadOutcomes(): Promise<void> {
    try {
      const options: (NodeRef & { level: string })[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const data: {
          outcomes: { pageInfo: PageInfo; edges: { node: NodeRef & { level: string } }[] };
        } = await gql(OUTCOMES_QUERY, { text: null, after });
        options.push(...data.outcomes.edges.map((e) => e.node));
        if (!data.outcomes.pageInfo.hasNextPage) break;
        after = data.outcomes.pageInfo.endCursor;
      }
      if (unmounted) return;
      const groups = ['IMPACT', 'OUTCOME', 'OUTPUT'].map((level) =>
        h(
          'optgroup',
          { label: LEVELS[level] },
          options.filter((o) => o.level === level).map((o) => h('option', { value: o.key }, o.name)),
        ),
      );
      outcomeSelect.replaceChildren(...groups.filter((g) => g.children.length));
      const first = options.find((o) => o.level === 'OUTCOME') ?? options[0];
      if (first) choose(outcome ?? first.key);
      else summary.textContent = 'No outcome is recorded.';
    } catch (error) {
      summary.textContent = 'The outcomes could not be loaded.';
      ctx.showError(error);
    }
  }

  function choose(key: string): void {
    outcome = key;
    outcomeSelect.value = key;
    void load();
  }

  // --- the lineage

  async function load(): Promise<void> {
    if (!outcome) return;
    const mine = ++generation;
    const vars = { outcome, depth, asOf: ctx.asOf() };
    summary.textContent = 'Loading the lineage…';
    root.setAttribute('aria-busy', 'true');
    try {
      const data = await gql<LineageAnswer>(LINEAGE_QUERY, vars);
      const answer = data.outcomeLineage;
      const nodes = answer.nodes.edges.map((e) => e.node);
      const links = answer.links.edges.map((e) => e.node);
      let nodePage = answer.nodes.pageInfo;
      let linkPage = answer.links.pageInfo;
      for (let page = 1; page < MAX_PAGES && nodePage.hasNextPage && mine === generation; page += 1) {
        const more = await gql<LineageAnswer>(MORE_NODES, { ...vars, after: nodePage.endCursor });
        nodes.push(...more.outcomeLineage.nodes.edges.map((e) => e.node));
        nodePage = more.outcomeLineage.nodes.pageInfo;
      }
      for (let page = 1; page < MAX_PAGES * 2 && linkPage.hasNextPage && mine === generation; page += 1) {
        const more = await gql<LineageAnswer>(MORE_LINKS, { ...vars, after: linkPage.endCursor });
        links.push(...more.outcomeLineage.links.edges.map((e) => e.node));
        linkPage = more.outcomeLineage.links.pageInfo;
      }
      if (mine !== generation || unmounted) return;
      current = { answer, nodes, links };
      active = null;
      ctx.showQuery(LINEAGE_QUERY, vars);
      render();
    } catch (error) {
      if (mine !== generation || unmounted) return;
      summary.textContent = 'The lineage could not be loaded.';
      ctx.showError(error);
    } finally {
      if (mine === generation) root.removeAttribute('aria-busy');
    }
  }

  function render(): void {
    if (!current) return;
    const { answer, nodes, links } = current;
    const upstream = nodes.filter((n) => n.side !== 'START');
    const shownNodes = nodes.length < answer.nodes.totalCount ? ` (the first ${formatNumber(nodes.length)} listed)` : '';
    summary.textContent =
      `${answer.outcome.name} (${LEVELS[answer.outcome.level] ?? answer.outcome.level}): ` +
      `${formatNumber(answer.nodes.totalCount - 1)} upstream nodes${shownNodes} and ` +
      `${formatNumber(answer.links.totalCount)} links within ${answer.depth} steps` +
      `${answer.asOf ? `, as of ${answer.asOf}` : ''}.`;
    drawLayers(answer, nodes, links);
    renderLegend(nodes);
    renderPaths(answer.paths);
    renderNodeTable(upstream);
    renderLinkTable(nodes, links);
  }

  function drawLayers(answer: LineageAnswer['outcomeLineage'], nodes: LineageNode[], links: LineageLink[]): void {
    const maxHop = Math.max(0, ...nodes.map((n) => n.hops));
    const layers: LineageNode[][] = Array.from({ length: maxHop + 1 }, () => []);
    for (const n of nodes) layers[n.hops].push(n);
    for (const layer of layers) layer.sort((a, b) => b.share - a.share || a.node.name.localeCompare(b.node.name));
    const boxW = 200;
    const boxH = 36;
    const gapX = 90;
    const rowH = 46;
    const top = 34;
    const left = 12;
    const rows = Math.max(1, ...layers.map((l) => Math.min(l.length, PER_LAYER) + (l.length > PER_LAYER ? 1 : 0)));
    const width = left * 2 + (maxHop + 1) * boxW + maxHop * gapX;
    const height = top + rows * rowH + 10;
    const position = new Map<string, { x: number; y: number }>();
    const titleId = uid('lineage-title');
    const descId = uid('lineage-desc');
    const root = svg('svg', {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
    });
    root.append(
      svg('title', { id: titleId }, `Upstream lineage of ${answer.outcome.name}`),
      svg(
        'desc',
        { id: descId },
        `${layers.map((l, i) => `${stepsText(i)}: ${l.length} node${l.length === 1 ? '' : 's'}`).join('; ')}. ` +
          'The tables below list every node and link with its share and evidence.',
      ),
    );
    const linkGroup = svg('g', { class: 'gv-lin-links' });
    const nodeGroup = svg('g', { class: 'gv-lin-nodes' });
    root.append(linkGroup, nodeGroup);
    layers.forEach((layer, hop) => {
      const column = maxHop - hop;
      const x = left + column * (boxW + gapX);
      const kinds = new Set(layer.map((n) => kindLabel(n.kind)));
      root.append(
        svg(
          'text',
          { x, y: 18, class: 'gv-lin-layer' },
          hop === 0 ? 'Outcome' : `${stepsText(hop)} upstream${kinds.size <= 2 ? `: ${[...kinds].join(', ')}` : ''}`,
        ),
      );
      layer.slice(0, PER_LAYER).forEach((n, i) => {
        const y = top + i * rowH;
        position.set(n.node.key, { x, y });
        const title = `${n.node.name} (${kindLabel(n.kind)}): ${
          hop === 0 ? 'the outcome' : `${formatShare(n.share)} of the outcome, ${stepsText(hop)} away`
        }`;
        const group = svg(
          'g',
          { class: 'gv-lin-node', 'data-key': n.node.key, transform: `translate(${x} ${y})` },
          svg('title', {}, title),
          svg('rect', { width: boxW, height: boxH, rx: 4, fill: '#ffffff' }),
          svg('rect', { width: 7, height: boxH, rx: 2, fill: kindColour(n.kind), stroke: 'none' }),
          svg('text', { x: 13, y: 15 }, truncate(n.node.name, 29)),
          svg(
            'text',
            { x: 13, y: 30, class: 'gv-lin-share' },
            hop === 0 ? (LEVELS[n.level ?? ''] ?? 'Outcome') : formatShare(n.share),
          ),
        );
        group.addEventListener('click', () => activate(n.node.key));
        nodeGroup.append(group);
      });
      if (layer.length > PER_LAYER) {
        root.append(
          svg(
            'text',
            { x, y: top + PER_LAYER * rowH + 14, class: 'gv-lin-layer' },
            `+ ${layer.length - PER_LAYER} more (in the table)`,
          ),
        );
      }
    });
    const byKey = new Map(nodes.map((n) => [n.node.key, n]));
    for (const link of links) {
      const { from, to } = flow(link);
      const a = position.get(from);
      const b = position.get(to);
      if (!a || !b) continue;
      const x1 = a.x + boxW;
      const y1 = a.y + boxH / 2;
      const x2 = b.x;
      const y2 = b.y + boxH / 2;
      const bend = Math.max(30, (x2 - x1) / 2);
      const path = svg('path', {
        d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
        class: `gv-lin-link${link.source ? '' : ' gv-no-evidence'}`,
        'stroke-width': (1 + 5 * Math.sqrt(Math.max(0, Math.min(1, link.share ?? link.factor)))).toFixed(2),
        'data-from': from,
        'data-to': to,
      });
      path.append(svg('title', {}, linkText(link, byKey)));
      linkGroup.append(path);
    }
    replaceChildren(
      figure,
      root,
      h(
        'figcaption',
        {},
        `Contributors on the left, the outcome on the right; up to ${PER_LAYER} nodes per step, largest share first. `,
        'Select a node to follow its links.',
      ),
    );
    highlightActive();
  }

  function linkText(link: LineageLink, byKey: Map<string, LineageNode>): string {
    const { from, to } = flow(link);
    const name = (key: string) => byKey.get(key)?.node.name ?? key;
    const parts = [`${name(from)} ${LINK_KINDS[link.kind] ?? link.kind} ${name(to)}`];
    if (link.kind === 'PART_OF') parts[0] = `${name(from)} runs ${name(to)}`;
    if (link.share !== null) parts.push(`share ${formatShare(link.share)}`);
    if (link.role) parts.push(`role ${link.role.toLowerCase().replace('_', '-')}`);
    parts.push(`passes ${formatShare(link.factor)} of the credit`);
    if (link.confidence) parts.push(`confidence ${link.confidence.toLowerCase()}`);
    parts.push(link.source ? `evidence: ${link.source}${link.evidenceDate ? ` (${link.evidenceDate})` : ''}` : 'no evidence source');
    return parts.join('; ');
  }

  function activate(key: string | null): void {
    active = active === key ? null : key;
    highlightActive();
    const node = key ? current?.nodes.find((n) => n.node.key === key) : undefined;
    if (node && ACTOR_KINDS.has(node.kind) && active) void showContributions(node.node.key);
  }

  function highlightActive(): void {
    figure.querySelectorAll<SVGGElement>('.gv-lin-node').forEach((g) => {
      g.classList.toggle('gv-active', g.dataset.key === active);
    });
    figure.querySelectorAll<SVGPathElement>('.gv-lin-link').forEach((p) => {
      p.classList.toggle('gv-active', active !== null && (p.dataset.from === active || p.dataset.to === active));
    });
  }

  function renderPaths(paths: Paths): void {
    replaceChildren(
      pathsArea,
      h('h3', {}, 'Strongest paths to the outcome'),
      paths.paths.length
        ? h(
            'ol',
            { class: 'gv-paths' },
            paths.paths.map((p) =>
              h('li', {}, h('strong', {}, formatShare(p.share)), ': ', p.nodes.map((n) => n.name).join(' → ')),
            ),
          )
        : h('p', { class: 'gv-hint' }, 'No path upstream: nothing recorded produced this outcome.'),
      paths.truncated ? h('p', { class: 'gv-hint' }, 'More paths exist; the ten strongest are listed.') : null,
    );
  }

  function renderNodeTable(upstream: LineageNode[]): void {
    const sorted = [...upstream].sort((a, b) => a.hops - b.hops || b.share - a.share || a.node.name.localeCompare(b.node.name));
    replaceChildren(
      nodesArea,
      h('h3', { id: 'lineage-nodes-heading' }, `Upstream nodes (${formatNumber(sorted.length)})`),
      h(
        'div',
        { class: 'gv-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'lineage-nodes-heading' },
        h(
          'table',
          { class: 'gv-table', id: 'lineage-nodes' },
          h('caption', { class: 'gv-visually-hidden' }, 'Upstream nodes with their share of the outcome'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Node'),
              h('th', { scope: 'col' }, 'Kind'),
              h('th', { scope: 'col', class: 'gv-num' }, 'Steps'),
              h('th', { scope: 'col', class: 'gv-num' }, 'Share of the outcome'),
              h('th', { scope: 'col' }, h('span', { class: 'gv-visually-hidden' }, 'Actions')),
            ),
          ),
          h(
            'tbody',
            {},
            sorted.map((n) =>
              h(
                'tr',
                { 'data-key': n.node.key },
                h('th', { scope: 'row' }, n.node.name),
                h('td', {}, kindLabel(n.kind)),
                h('td', { class: 'gv-num' }, String(n.hops)),
                h('td', { class: 'gv-num' }, formatShare(n.share)),
                h(
                  'td',
                  {},
                  ACTOR_KINDS.has(n.kind)
                    ? h(
                        'button',
                        {
                          type: 'button',
                          'aria-label': `Contributions of ${n.node.name}`,
                          onclick: () => void showContributions(n.node.key, true),
                        },
                        'Contributions',
                      )
                    : null,
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function renderLinkTable(nodes: LineageNode[], links: LineageLink[]): void {
    const byKey = new Map(nodes.map((n) => [n.node.key, n]));
    const name = (key: string) => byKey.get(key)?.node.name ?? key;
    const sorted = [...links].sort(
      (a, b) =>
        (byKey.get(flow(a).to)?.hops ?? 0) - (byKey.get(flow(b).to)?.hops ?? 0) ||
        (b.share ?? b.factor) - (a.share ?? a.factor),
    );
    replaceChildren(
      linksArea,
      h('h3', { id: 'lineage-links-heading' }, `Links and evidence (${formatNumber(sorted.length)})`),
      h(
        'div',
        { class: 'gv-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'lineage-links-heading' },
        h(
          'table',
          { class: 'gv-table', id: 'lineage-links' },
          h('caption', { class: 'gv-visually-hidden' }, 'Links of the lineage with their shares and evidence'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'From'),
              h('th', { scope: 'col' }, 'Link'),
              h('th', { scope: 'col' }, 'To'),
              h('th', { scope: 'col', class: 'gv-num' }, 'Share'),
              h('th', { scope: 'col', class: 'gv-num' }, 'Credit passed'),
              h('th', { scope: 'col' }, 'Evidence'),
            ),
          ),
          h(
            'tbody',
            {},
            sorted.map((l) => {
              const { from, to } = flow(l);
              const evidence = l.source
                ? `${l.source}${l.evidenceDate ? ` (${l.evidenceDate})` : ''}${l.confidence ? `; ${l.confidence.toLowerCase()} confidence` : ''}`
                : l.confidence
                  ? `none recorded; ${l.confidence.toLowerCase()} confidence`
                  : 'none recorded';
              return h(
                'tr',
                { 'data-id': l.id },
                h('th', { scope: 'row' }, name(from)),
                h('td', {}, l.kind === 'PART_OF' ? 'runs' : (LINK_KINDS[l.kind] ?? l.kind), l.role ? ` (${l.role.toLowerCase()})` : ''),
                h('td', {}, name(to)),
                h('td', { class: 'gv-num' }, l.share === null ? '—' : formatShare(l.share)),
                h('td', { class: 'gv-num' }, formatShare(l.factor)),
                h('td', {}, evidence),
              );
            }),
          ),
        ),
      ),
    );
  }

  // --- contributions

  async function showContributions(actor: string, focus = false): Promise<void> {
    const mine = ++contributionsGeneration;
    contributionsOf = actor;
    const vars = { actor, depth: Math.max(depth, 5), asOf: ctx.asOf() };
    contributionsArea.textContent = 'Loading contributions…';
    try {
      const data = await gql<ContributionsAnswer>(CONTRIBUTIONS_QUERY, vars);
      if (mine !== contributionsGeneration || unmounted) return;
      ctx.showQuery(CONTRIBUTIONS_QUERY, vars);
      const c = data.contributions;
      const headingId = uid('contrib');
      replaceChildren(
        contributionsArea,
        h('h4', { id: headingId, tabindex: '-1' }, `${c.actor.name} (${kindLabel(c.actor.kind ?? '')}) contributed to ${formatNumber(c.outcomes.totalCount)} outcome${c.outcomes.totalCount === 1 ? '' : 's'}`),
        c.outcomes.edges.length
          ? h(
              'table',
              { class: 'gv-table', id: 'lineage-contributions-table' },
              h('caption', { class: 'gv-visually-hidden' }, `Outcomes ${c.actor.name} contributed to`),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Outcome'),
                  h('th', { scope: 'col' }, 'Level'),
                  h('th', { scope: 'col', class: 'gv-num' }, 'Steps'),
                  h('th', { scope: 'col', class: 'gv-num' }, 'Share'),
                  h('th', { scope: 'col' }, 'Strongest path'),
                  h('th', { scope: 'col' }, h('span', { class: 'gv-visually-hidden' }, 'Actions')),
                ),
              ),
              h(
                'tbody',
                {},
                c.outcomes.edges.map(({ node: o }) =>
                  h(
                    'tr',
                    { 'data-key': o.outcome.key },
                    h('th', { scope: 'row' }, o.outcome.name),
                    h('td', {}, LEVELS[o.level] ?? o.level),
                    h('td', { class: 'gv-num' }, String(o.hops)),
                    h('td', { class: 'gv-num' }, formatShare(o.share)),
                    h('td', {}, o.paths.paths[0] ? o.paths.paths[0].nodes.map((n) => n.name).join(' → ') : '—'),
                    h(
                      'td',
                      {},
                      h(
                        'button',
                        {
                          type: 'button',
                          'aria-label': `Show the lineage of ${o.outcome.name}`,
                          onclick: () => {
                            if (![...outcomeSelect.options].some((x) => x.value === o.outcome.key)) {
                              outcomeSelect.append(h('option', { value: o.outcome.key }, o.outcome.name));
                            }
                            choose(o.outcome.key);
                            document.getElementById('lineage-heading')?.scrollIntoView();
                          },
                        },
                        'Show lineage',
                      ),
                    ),
                  ),
                ),
              ),
            )
          : h('p', { class: 'gv-hint' }, 'No outcome is attributed to it within the depth.'),
        c.outcomes.totalCount > c.outcomes.edges.length
          ? h('p', { class: 'gv-hint' }, `The ${c.outcomes.edges.length} with the largest share are listed.`)
          : null,
      );
      if (focus) document.getElementById(headingId)?.focus();
    } catch (error) {
      if (mine !== contributionsGeneration) return;
      contributionsArea.textContent = '';
      ctx.showError(error);
    }
  }

  const unsubscribe = ctx.onAsOfChange(() => {
    void load();
    if (contributionsOf) void showContributions(contributionsOf);
  });
  void loadOutcomes();

  return () => {
    unmounted = true;
    generation += 1;
    contributionsGeneration += 1;
    unsubscribe();
  };
}

export const view: View = { id: 'lineage', title: 'Lineage', mount };
