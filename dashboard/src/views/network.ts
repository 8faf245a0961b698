// The Network view: the partner network drawn with sigma (WebGL) from one `networkGraph` query,
// nodes sized by a chosen centrality and coloured by kind or community, single points of
// failure and bridges highlighted, and a what-if mode (`whatIf`: what the network loses
// without a node). Everything the canvas shows can also be reached by keyboard: the search
// box, the tables of brokers, single points of failure and bridges, and the side panel with
// the selected node's details and neighbours.
import Graph from 'graphology';
import Sigma from 'sigma';
import { gql } from '../api';
import { formatNumber, h, labelledSelect, replaceChildren } from '../dom';
import {
  KIND_LABELS,
  MUTED,
  OTHER_COLOUR,
  formatScore,
  kindColour,
  kindLabel,
  legend,
  runLayout,
  searchBox,
  seeded,
  type SearchItem,
} from '../graph-draw';
import type { View, ViewContext } from '../view';

// --- the API's answers ------------------------------------------------------------------------

interface NodeRef {
  key: string;
  name: string;
  kind: string;
}

interface GraphNode {
  node: NodeRef & { id: string };
  degree: number;
  score: number | null;
  community: number | null;
  articulationPoint: boolean;
}

interface GraphLink {
  source: string;
  target: string;
  weight: number;
  bridge: boolean;
}

interface NetworkAnswer {
  networkGraph: {
    revision: number;
    asOf: string | null;
    totalNodes: number;
    totalLinks: number;
    truncated: boolean;
    linksTruncated: boolean;
    communityCount: number | null;
    nodes: GraphNode[];
    links: GraphLink[];
  };
  brokers: {
    rankedNodes: number;
    entries: { rank: number; constraint: number; effectiveSize: number; degree: number; node: NodeRef }[];
  };
  singlePointsOfFailure: {
    total: number;
    disconnecting: number;
    solePartners: number | null;
    entries: {
      rank: number;
      disconnects: boolean;
      cutOffNodes: number;
      cutOffActors: number;
      node: NodeRef;
    }[];
  };
  bridges: {
    total: number;
    entries: { rank: number; cutOffNodes: number; cutOffActors: number; ends: NodeRef[] }[];
  };
}

interface Reach {
  nodes: number;
  actors: number;
  components: number;
  largestComponent: number;
  actorsInLargestComponent: number;
  connectedActorPairs: number;
  coveredCells: number | null;
}

interface WhatIfAnswer {
  whatIf: {
    removed: NodeRef[];
    notInNetwork: NodeRef[];
    activitiesRemoved: number;
    before: Reach;
    after: Reach;
    componentsChange: number;
    connectedActorPairsChange: number;
    strandedCount: number;
    stranded: NodeRef[];
    lostCells: { region: string; theme: { name: string } }[];
  };
}

const NETWORK_QUERY = `query NetworkView($projection: NetworkProjection!, $measure: CentralityMeasure!, $communities: Boolean!, $filter: NetworkFilter) {
  networkGraph(projection: $projection, measure: $measure, communities: $communities, filter: $filter) {
    revision asOf totalNodes totalLinks truncated linksTruncated communityCount
    nodes { node { id key name kind } degree score community articulationPoint }
    links { source target weight bridge }
  }
  brokers(projection: $projection, filter: $filter, top: 10) {
    rankedNodes
    entries { rank constraint effectiveSize degree node { key name kind } }
  }
  singlePointsOfFailure(projection: $projection, filter: $filter, top: 10) {
    total disconnecting solePartners
    entries { rank disconnects cutOffNodes cutOffActors node { key name kind } }
  }
  bridges(projection: $projection, filter: $filter, top: 10) {
    total
    entries { rank cutOffNodes cutOffActors ends { key name kind } }
  }
}`;

const WHAT_IF_QUERY = `query WhatIf($remove: [ID!]!, $projection: NetworkProjection!, $filter: NetworkFilter) {
  whatIf(remove: $remove, projection: $projection, filter: $filter, top: 100) {
    removed { key name kind } notInNetwork { key name kind } activitiesRemoved
    before { nodes actors components largestComponent actorsInLargestComponent connectedActorPairs coveredCells }
    after { nodes actors components largestComponent actorsInLargestComponent connectedActorPairs coveredCells }
    componentsChange connectedActorPairsChange strandedCount
    stranded { key name kind }
    lostCells { region theme { name } }
  }
}`;

// --- options ----------------------------------------------------------------------------------

const PROJECTIONS = [
  ['CO_PARTNERSHIP', 'Co-partnership (actors tied by shared programmes and activities)'],
  ['FULL', 'Full graph (actors, programmes, activities, outcomes, themes)'],
] as const;

const MEASURES = [
  ['DEGREE', 'Degree (ties)'],
  ['PAGERANK', 'PageRank'],
  ['EIGENVECTOR', 'Eigenvector'],
  ['BETWEENNESS', 'Betweenness (brokerage)'],
  ['HARMONIC', 'Harmonic closeness'],
  ['CLOSENESS', 'Closeness'],
  ['CORE_NUMBER', 'Core number'],
  ['EFFECTIVE_SIZE', 'Effective size'],
  ['CONSTRAINT', 'Low constraint (brokers larger)'],
] as const;

const COLOURINGS = [
  ['kind', 'Kind of node'],
  ['community', 'Community'],
] as const;

const EDGE_COLOUR = '#c9c9c9';
const DIM_NODE = '#e4e4e4';
const DIM_EDGE = '#efefef';
const BRIDGE_COLOUR = '#000000';
const NEIGHBOURS_LISTED = 100;

type Attrs = Record<string, unknown>;

interface State {
  projection: string;
  measure: string;
  colourBy: string;
  hideIsolates: boolean;
  highlight: boolean;
}

// --- the view ---------------------------------------------------------------------------------

function mount(root: HTMLElement, ctx: ViewContext): () => void {
  const state: State = {
    projection: 'CO_PARTNERSHIP',
    measure: 'DEGREE',
    colourBy: 'kind',
    hideIsolates: true,
    highlight: true,
  };
  let data: NetworkAnswer | null = null;
  let graph: Graph | null = null;
  let renderer: Sigma | null = null;
  let selected: string | null = null;
  let whatIf: { key: string; stranded: Set<string> } | null = null;
  let layout = new AbortController();
  let generation = 0;
  let unmounted = false;

  // --- controls
  const projection = labelledSelect('Graph', PROJECTIONS, state.projection, (v) => {
    state.projection = v;
    void load();
  });
  const measure = labelledSelect('Size nodes by', MEASURES, state.measure, (v) => {
    state.measure = v;
    void load();
  });
  const colourBy = labelledSelect('Colour nodes by', COLOURINGS, state.colourBy, (v) => {
    state.colourBy = v;
    if (v === 'community' && data?.networkGraph.communityCount === null) void load();
    else redraw();
  });
  const isolatesId = 'network-hide-isolates';
  const isolates = h('input', {
    type: 'checkbox',
    id: isolatesId,
    checked: state.hideIsolates,
    onchange: () => {
      state.hideIsolates = isolates.checked;
      redraw();
    },
  });
  const highlightId = 'network-highlight';
  const highlight = h('input', {
    type: 'checkbox',
    id: highlightId,
    checked: state.highlight,
    onchange: () => {
      state.highlight = highlight.checked;
      renderer?.refresh();
      renderLegend();
    },
  });
  const search = searchBox({
    label: 'Find a node',
    placeholder: 'Name or key',
    hint: 'Type, then use the arrow keys and Enter.',
    search: (text) => findNodes(text),
    choose: (item) => select(item.id, { focus: true }),
  });
  search.input.id = 'network-search';
  search.element.querySelector('label')?.setAttribute('for', 'network-search');

  const summary = h('p', { id: 'network-summary', class: 'gv-summary', role: 'status' }, 'Loading the network…');
  const roleNote = h('p', { id: 'network-role-note', class: 'gv-note' });
  roleNote.hidden = true;
  const canvas = h('div', {
    id: 'network-canvas',
    class: 'gv-canvas',
    role: 'img',
    'aria-label': 'Drawing of the partner network (loading).',
  });
  const legendArea = h('div', { class: 'gv-legends', id: 'network-legend' });
  const panel = h('aside', { id: 'network-panel', class: 'gv-panel', 'aria-labelledby': 'network-panel-heading' });
  const tables = h('div', { class: 'gv-tables' });

  root.append(
    h(
      'section',
      { class: 'gv-view gv-network', 'aria-labelledby': 'network-heading' },
      h('h2', { id: 'network-heading' }, 'Who holds the network together'),
      h(
        'p',
        { class: 'gv-intro' },
        'Nodes are sized by the chosen centrality and coloured by kind or community. ',
        'Single points of failure (nodes whose departure splits the network) are labelled ',
        'and boxed; bridges (ties whose loss splits it) are drawn thick and black. Choose a ',
        'node on the drawing, in the search box or in the tables below to see its details ',
        'and neighbours, and what the network would lose without it.',
      ),
      h(
        'div',
        { class: 'gv-controls' },
        projection.wrapper,
        measure.wrapper,
        colourBy.wrapper,
        h('span', { class: 'gv-check' }, isolates, h('label', { for: isolatesId }, 'Hide nodes without links')),
        h(
          'span',
          { class: 'gv-check' },
          highlight,
          h('label', { for: highlightId }, 'Highlight single points of failure and bridges'),
        ),
        search.element,
      ),
      summary,
      roleNote,
      h('div', { class: 'gv-stage' }, h('div', { class: 'gv-drawing' }, canvas, legendArea), panel),
      tables,
    ),
  );
  renderPanel();

  // --- loading

  function variables(): Record<string, unknown> {
    const asOf = ctx.asOf();
    return {
      projection: state.projection,
      measure: state.measure,
      communities: state.colourBy === 'community',
      filter: asOf ? { asOf } : null,
    };
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    const vars = variables();
    summary.textContent = 'Loading the network…';
    root.setAttribute('aria-busy', 'true');
    try {
      const answer = await gql<NetworkAnswer>(NETWORK_QUERY, vars);
      if (mine !== generation || unmounted) return;
      data = answer;
      if (selected && !answer.networkGraph.nodes.some((n) => n.node.key === selected)) selected = null;
      whatIf = null;
      ctx.showQuery(NETWORK_QUERY, vars);
      redraw();
      renderTables();
    } catch (error) {
      if (mine !== generation || unmounted) return;
      summary.textContent = 'The network could not be loaded.';
      ctx.showError(error);
    } finally {
      if (mine === generation) root.removeAttribute('aria-busy');
    }
  }

  // --- drawing

  function nodeSizes(nodes: GraphNode[]): Map<string, number> {
    const scores = nodes.map((n) => n.score).filter((s): s is number => s !== null && Number.isFinite(s));
    const low = Math.min(...scores);
    const high = Math.max(...scores);
    const inverted = state.measure === 'CONSTRAINT';
    // Smaller discs when there are many, so a 2,000-node drawing is not one blot.
    const [least, most] = nodes.length > 1000 ? [1.2, 7] : nodes.length > 300 ? [2, 11] : [3, 14];
    const sizes = new Map<string, number>();
    for (const n of nodes) {
      let t = 0;
      if (n.score !== null && Number.isFinite(n.score) && high > low) {
        t = (n.score - low) / (high - low);
        if (inverted) t = 1 - t;
      }
      sizes.set(n.node.key, least + (most - least) * Math.sqrt(t));
    }
    return sizes;
  }

  function colourOf(n: GraphNode): string {
    if (state.colourBy === 'community') {
      return n.community !== null && n.community < MUTED.length ? MUTED[n.community] : OTHER_COLOUR;
    }
    return kindColour(n.node.kind);
  }

  function redraw(): void {
    layout.abort();
    layout = new AbortController();
    renderer?.kill();
    renderer = null;
    canvas.replaceChildren();
    delete canvas.dataset.layout;
    if (!data) return;
    const answer = data.networkGraph;
    const sizes = nodeSizes(answer.nodes);
    const g = new Graph({ type: 'undirected', multi: false });
    const random = seeded(answer.revision * 7919 + answer.nodes.length);
    for (const n of answer.nodes) {
      const angle = random() * 2 * Math.PI;
      const radius = Math.sqrt(random()) * 100;
      g.addNode(n.node.key, {
        x: radius * Math.cos(angle),
        y: radius * Math.sin(angle),
        size: sizes.get(n.node.key) ?? 3,
        color: colourOf(n),
        label: n.node.name,
        kind: n.node.kind,
        articulation: n.articulationPoint,
      });
    }
    for (const l of answer.links) {
      if (!g.hasNode(l.source) || !g.hasNode(l.target) || g.hasEdge(l.source, l.target)) continue;
      g.addEdge(l.source, l.target, {
        size: Math.min(4, 0.5 + Math.log2(l.weight > 0 ? l.weight : 1) * 0.6),
        color: EDGE_COLOUR,
        bridge: l.bridge,
        weight: l.weight,
      });
    }
    // Nodes with no link in the network (not merely none drawn: links may have been cut).
    let hidden = 0;
    if (state.hideIsolates) {
      for (const n of answer.nodes) {
        if (n.degree === 0 && n.node.key !== selected && g.hasNode(n.node.key)) {
          g.dropNode(n.node.key);
          hidden += 1;
        }
      }
    }
    graph = g;
    renderSummary(hidden);
    renderLegend();
    canvas.setAttribute(
      'aria-label',
      `Drawing of the network: ${formatNumber(g.order)} nodes and ${formatNumber(g.size)} links. ` +
        'Use the search box, the tables below and the details panel to explore it by keyboard.',
    );
    canvas.dataset.nodes = String(g.order);
    canvas.dataset.links = String(g.size);
    if (g.order === 0) {
      canvas.append(h('p', { class: 'gv-empty' }, 'No node to draw for these choices.'));
      renderPanel();
      return;
    }
    const signal = layout.signal;
    const waiting = h('p', { class: 'gv-empty', role: 'status' }, 'Laying out the drawing…');
    canvas.append(waiting);
    renderPanel();
    void runLayout(g, signal).then(() => {
      if (signal.aborted || unmounted) return;
      waiting.remove();
      renderer = new Sigma(g, canvas, {
        renderEdgeLabels: false,
        labelRenderedSizeThreshold: g.order > 1000 ? 6 : 9,
        labelDensity: 0.5,
        labelGridCellSize: 120,
        labelFont: 'system-ui, sans-serif',
        labelColor: { color: '#1a1a1a' },
        defaultEdgeColor: EDGE_COLOUR,
        zIndex: true,
        nodeReducer: (node, attrs) => reduceNode(node, attrs as Attrs),
        edgeReducer: (edge, attrs) => reduceEdge(edge, attrs as Attrs),
      });
      renderer.on('clickNode', ({ node }) => select(node, { focus: false }));
      renderer.on('clickStage', () => {
        if (selected) select(null, { focus: false });
      });
      canvas.dataset.layout = 'done';
      if (selected) centreOn(selected);
    });
  }

  function reduceNode(node: string, attrs: Attrs): Attrs {
    const out: Attrs = { ...attrs };
    const g = graph;
    if (whatIf) {
      if (node === whatIf.key) return { ...out, hidden: true };
      if (whatIf.stranded.has(node)) return { ...out, forceLabel: true, highlighted: true, zIndex: 2 };
      return { ...out, color: DIM_NODE, label: null, zIndex: 0 };
    }
    if (selected && g) {
      if (node === selected) return { ...out, highlighted: true, forceLabel: true, zIndex: 3 };
      if (g.hasEdge(node, selected)) return { ...out, zIndex: 2 };
      return { ...out, color: DIM_NODE, label: null, zIndex: 0 };
    }
    if (state.highlight && attrs.articulation) {
      return { ...out, forceLabel: true, highlighted: true, zIndex: 2 };
    }
    return { ...out, zIndex: 1 };
  }

  function reduceEdge(edge: string, attrs: Attrs): Attrs {
    const out: Attrs = { ...attrs };
    const g = graph;
    if (!g) return out;
    const [a, b] = g.extremities(edge);
    if (whatIf) {
      if (a === whatIf.key || b === whatIf.key) return { ...out, hidden: true };
      return { ...out, color: DIM_EDGE };
    }
    if (selected) {
      if (a === selected || b === selected) return { ...out, color: '#555555', zIndex: 2 };
      return { ...out, color: DIM_EDGE, zIndex: 0 };
    }
    if (state.highlight && attrs.bridge) {
      return { ...out, color: BRIDGE_COLOUR, size: Math.max(2.5, Number(attrs.size) * 2), zIndex: 2 };
    }
    return out;
  }

  function renderSummary(hiddenIsolates: number): void {
    if (!data) return;
    const a = data.networkGraph;
    const parts = [
      `${formatNumber(a.totalNodes)} nodes and ${formatNumber(a.totalLinks)} links in the network${
        a.asOf ? ` as of ${a.asOf}` : ''
      } (revision ${a.revision}).`,
    ];
    if (a.truncated) parts.push(`Drawn: the ${formatNumber(a.nodes.length)} nodes with the most links.`);
    if (a.linksTruncated) parts.push(`Only the ${formatNumber(a.links.length)} strongest links among them are drawn.`);
    if (hiddenIsolates) parts.push(`${formatNumber(hiddenIsolates)} nodes without links are hidden.`);
    summary.textContent = parts.join(' ');
    const unprivileged = data.singlePointsOfFailure.solePartners === null;
    roleNote.hidden = !unprivileged;
    roleNote.textContent = unprivileged
      ? 'Your key does not see restricted actors: they and their ties are left out of the ' +
        'drawing, the counts and the tables (scores are computed on the whole network).'
      : '';
  }

  function renderLegend(): void {
    if (!data || !graph) {
      legendArea.replaceChildren();
      return;
    }
    const g = graph;
    const counts = new Map<string, number>();
    const byKey = new Map(data.networkGraph.nodes.map((n) => [n.node.key, n]));
    const entries: { colour: string; text: string; shape?: 'dot' | 'line' | 'ring' }[] = [];
    if (state.colourBy === 'community') {
      let other = 0;
      g.forEachNode((key) => {
        const c = byKey.get(key)?.community ?? null;
        if (c !== null && c < MUTED.length) counts.set(String(c), (counts.get(String(c)) ?? 0) + 1);
        else other += 1;
      });
      for (const [c, count] of [...counts].sort((x, y) => Number(x[0]) - Number(y[0]))) {
        entries.push({ colour: MUTED[Number(c)], text: `Community ${c} (${formatNumber(count)} drawn)` });
      }
      if (other) entries.push({ colour: OTHER_COLOUR, text: `Smaller communities (${formatNumber(other)} drawn)` });
    } else {
      g.forEachNode((_key, attrs) => {
        const kind = String(attrs.kind);
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
      });
      for (const kind of Object.keys(KIND_LABELS)) {
        const count = counts.get(kind);
        if (count) entries.push({ colour: kindColour(kind), text: `${kindLabel(kind)} (${formatNumber(count)})` });
      }
    }
    const marks = state.highlight
      ? [
          { colour: '#ffffff', text: 'Single point of failure: labelled in a box', shape: 'ring' as const },
          { colour: BRIDGE_COLOUR, text: 'Bridge: thick black line', shape: 'line' as const },
        ]
      : [];
    const sizeText = MEASURES.find(([v]) => v === state.measure)?.[1] ?? state.measure;
    legendArea.replaceChildren(
      legend(state.colourBy === 'community' ? 'Colour: community' : 'Colour: kind of node', entries),
      legend(`Size: ${sizeText}`, marks),
    );
  }

  // --- selection, search and the side panel

  function findNodes(text: string): SearchItem[] {
    if (!data) return [];
    const needle = text.toLowerCase();
    const found: SearchItem[] = [];
    for (const n of data.networkGraph.nodes) {
      if (n.node.name.toLowerCase().includes(needle) || n.node.key.toLowerCase().includes(needle)) {
        found.push({ id: n.node.key, text: n.node.name, detail: `(${kindLabel(n.node.kind)})` });
        if (found.length >= 20) break;
      }
    }
    return found;
  }

  function select(key: string | null, options: { focus: boolean }): void {
    if (whatIf && whatIf.key !== key) whatIf = null; // a what-if belongs to its node
    selected = key;
    if (key && graph && !graph.hasNode(key)) {
      // A node hidden as an isolate: draw it after all.
      if (state.hideIsolates && data?.networkGraph.nodes.some((n) => n.node.key === key)) {
        redraw();
      }
    }
    renderer?.refresh();
    renderPanel();
    if (key) centreOn(key);
    if (options.focus) document.getElementById('network-panel-heading')?.focus();
  }

  function centreOn(key: string): void {
    const display = renderer?.getNodeDisplayData(key);
    if (renderer && display) {
      void renderer.getCamera().animate({ x: display.x, y: display.y }, { duration: 400 });
    }
  }

  function nodeButton(ref: NodeRef, text?: string): HTMLElement {
    const known = data?.networkGraph.nodes.some((n) => n.node.key === ref.key) ?? false;
    if (!known) return h('span', {}, text ?? ref.name);
    return h(
      'button',
      { type: 'button', class: 'gv-link', 'data-key': ref.key, onclick: () => select(ref.key, { focus: true }) },
      text ?? ref.name,
    );
  }

  function renderPanel(): void {
    const heading = h('h3', { id: 'network-panel-heading', tabindex: '-1' });
    if (!data || !selected) {
      heading.textContent = 'Details';
      replaceChildren(
        panel,
        heading,
        h(
          'p',
          { class: 'gv-hint' },
          'Choose a node (on the drawing, with "Find a node", or in the tables) to see its ',
          'details and neighbours here.',
        ),
      );
      return;
    }
    const n = data.networkGraph.nodes.find((x) => x.node.key === selected);
    if (!n) return;
    heading.textContent = n.node.name;
    const measureText = MEASURES.find(([v]) => v === state.measure)?.[1] ?? state.measure;
    const neighbours: { ref: NodeRef; weight: number; bridge: boolean }[] = [];
    const byKey = new Map(data.networkGraph.nodes.map((x) => [x.node.key, x.node]));
    for (const l of data.networkGraph.links) {
      const other = l.source === n.node.key ? l.target : l.target === n.node.key ? l.source : null;
      const ref = other ? byKey.get(other) : undefined;
      if (ref) neighbours.push({ ref, weight: l.weight, bridge: l.bridge });
    }
    neighbours.sort((a, b) => b.weight - a.weight || a.ref.name.localeCompare(b.ref.name));
    const details: [string, string][] = [
      ['Kind', kindLabel(n.node.kind)],
      ['Key', n.node.key],
      [measureText, formatScore(n.score)],
      ['Links', formatNumber(n.degree)],
    ];
    if (n.community !== null) details.push(['Community', String(n.community)]);
    details.push(['Single point of failure', n.articulationPoint ? 'Yes: its departure splits the network' : 'No']);
    const whatIfButton = h(
      'button',
      { type: 'button', id: 'network-what-if', onclick: () => void runWhatIf(n.node) },
      'What if it left?',
    );
    const result = h('div', { id: 'network-what-if-result', class: 'gv-what-if', 'aria-live': 'polite' });
    replaceChildren(
      panel,
      heading,
      h('dl', { class: 'gv-details' }, details.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
      h(
        'div',
        { class: 'gv-actions' },
        whatIfButton,
        h('button', { type: 'button', onclick: () => select(null, { focus: false }) }, 'Clear selection'),
      ),
      result,
      h('h4', {}, `Neighbours (${formatNumber(neighbours.length)})`),
      neighbours.length
        ? h(
            'ul',
            { class: 'gv-neighbours', id: 'network-neighbours' },
            neighbours.slice(0, NEIGHBOURS_LISTED).map((x) =>
              h(
                'li',
                {},
                nodeButton(x.ref),
                h(
                  'span',
                  { class: 'gv-match-detail' },
                  ` ${kindLabel(x.ref.kind)}, weight ${formatScore(x.weight)}${x.bridge ? ', bridge' : ''}`,
                ),
              ),
            ),
          )
        : h('p', { class: 'gv-hint' }, 'No neighbour among the nodes drawn.'),
      neighbours.length > NEIGHBOURS_LISTED
        ? h('p', { class: 'gv-hint' }, `and ${formatNumber(neighbours.length - NEIGHBOURS_LISTED)} more.`)
        : null,
    );
  }

  // --- what-if

  async function runWhatIf(node: NodeRef): Promise<void> {
    const target = document.getElementById('network-what-if-result');
    if (!target) return;
    const asOf = ctx.asOf();
    const vars = { remove: [node.key], projection: state.projection, filter: asOf ? { asOf } : null };
    target.textContent = 'Computing what the network would lose…';
    try {
      const answer = await gql<WhatIfAnswer>(WHAT_IF_QUERY, vars);
      if (unmounted || selected !== node.key) return;
      ctx.showQuery(WHAT_IF_QUERY, vars);
      const w = answer.whatIf;
      whatIf = { key: node.key, stranded: new Set(w.stranded.map((s) => s.key)) };
      renderer?.refresh();
      const change = (before: number, after: number) => {
        const d = after - before;
        return `${formatNumber(before)} → ${formatNumber(after)} (${d > 0 ? '+' : d < 0 ? '−' : '±'}${formatNumber(Math.abs(d))})`;
      };
      const rows: [string, string][] = [
        ['Connected actor pairs', change(w.before.connectedActorPairs, w.after.connectedActorPairs)],
        ['Components', change(w.before.components, w.after.components)],
        ['Largest component (nodes)', change(w.before.largestComponent, w.after.largestComponent)],
        ['Actors in it', change(w.before.actorsInLargestComponent, w.after.actorsInLargestComponent)],
        ['Nodes cut off from it', formatNumber(w.strandedCount)],
      ];
      if (w.before.coveredCells !== null && w.after.coveredCells !== null) {
        rows.push(['Covered (region, theme) cells', change(w.before.coveredCells, w.after.coveredCells)]);
      }
      if (w.activitiesRemoved) rows.push(['Activities removed with it', formatNumber(w.activitiesRemoved)]);
      const lost = -w.connectedActorPairsChange;
      replaceChildren(
        target,
        h('h4', {}, `Without ${node.name}`),
        h(
          'p',
          { class: 'gv-loss' },
          lost > 0
            ? `The network would lose ${formatNumber(lost)} connected actor pairs.`
            : w.notInNetwork.length
              ? 'It is not in this network.'
              : 'The network would stay as connected.',
        ),
        h(
          'table',
          { class: 'gv-table' },
          h('caption', { class: 'gv-visually-hidden' }, `What the network loses without ${node.name}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Figure'), h('th', { scope: 'col' }, 'Before → after'))),
          h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))),
        ),
        w.stranded.length
          ? [
              h('p', {}, `Cut off (highlighted on the drawing)${w.strandedCount > w.stranded.length ? `, first ${w.stranded.length}` : ''}:`),
              h('ul', { class: 'gv-neighbours' }, w.stranded.map((s) => h('li', {}, s.name, ` (${kindLabel(s.kind)})`))),
            ]
          : null,
        w.lostCells.length
          ? h('p', {}, `Cells left with no engagement: ${w.lostCells.map((c) => `${c.region} × ${c.theme.name}`).join('; ')}.`)
          : null,
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              whatIf = null;
              renderer?.refresh();
              target.replaceChildren();
            },
          },
          'Put it back',
        ),
      );
    } catch (error) {
      target.textContent = '';
      ctx.showError(error);
    }
  }

  // --- tables (the keyboard's way to the most important nodes)

  function renderTables(): void {
    if (!data) return;
    const { brokers, singlePointsOfFailure: spof, bridges } = data;
    const table = (
      id: string,
      caption: string,
      head: string[],
      rows: (string | HTMLElement)[][],
      empty: string,
    ) =>
      h(
        'section',
        { class: 'gv-table-block' },
        rows.length
          ? h(
              'table',
              { class: 'gv-table', id },
              h('caption', {}, caption),
              h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
              h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))),
            )
          : [h('h3', {}, caption), h('p', { class: 'gv-hint' }, empty)],
      );
    replaceChildren(
      tables,
      table(
        'network-brokers',
        `Top brokers (lowest Burt constraint, of ${formatNumber(brokers.rankedNodes)} ranked)`,
        ['Rank', 'Node', 'Constraint', 'Effective size', 'Partners'],
        brokers.entries.map((e) => [
          String(e.rank),
          nodeButton(e.node),
          formatScore(e.constraint),
          formatScore(e.effectiveSize),
          formatNumber(e.degree),
        ]),
        'No broker in this network.',
      ),
      table(
        'network-spof',
        `Single points of failure (${formatNumber(spof.total)}; ${formatNumber(spof.disconnecting)} disconnect the network)`,
        ['Rank', 'Node', 'Actors cut off', 'Nodes cut off'],
        spof.entries.map((e) => [
          String(e.rank),
          nodeButton(e.node),
          formatNumber(e.cutOffActors),
          formatNumber(e.cutOffNodes),
        ]),
        'No single point of failure.',
      ),
      table(
        'network-bridges',
        `Bridges (${formatNumber(bridges.total)})`,
        ['Rank', 'Ends', 'Actors cut off', 'Nodes cut off'],
        bridges.entries.map((e) => [
          String(e.rank),
          h('span', {}, nodeButton(e.ends[0]), ' — ', nodeButton(e.ends[1])),
          formatNumber(e.cutOffActors),
          formatNumber(e.cutOffNodes),
        ]),
        'No bridge.',
      ),
    );
  }

  const unsubscribe = ctx.onAsOfChange(() => void load());
  const onResize = () => renderer?.resize();
  window.addEventListener('resize', onResize);
  void load();

  return () => {
    unmounted = true;
    generation += 1;
    layout.abort();
    unsubscribe();
    window.removeEventListener('resize', onResize);
    renderer?.kill();
    renderer = null;
    graph = null;
  };
}

export const view: View = { id: 'network', title: 'Network', mount };
