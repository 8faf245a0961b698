// What the network and lineage views share: node kinds in words and colours, the categorical
// palette, number formats, a bounded ForceAtlas2 layout run, and a keyboard-usable search list
// (the ARIA combobox pattern). Styles of both views live in graph-views.css, imported here.
import './graph-views.css';
import type Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { h, uid } from './dom';

// --- kinds and colours -----------------------------------------------------------------------

/** Node kinds in words, in the order legends list them. */
export const KIND_LABELS: Readonly<Record<string, string>> = {
  MEMBER_STATE: 'Member State',
  REGIONAL_ORGANIZATION: 'Regional organisation',
  CIVIL_SOCIETY_ORGANIZATION: 'Civil society organisation',
  COMPANY: 'Company',
  ACADEMIC_INSTITUTION: 'Academic institution',
  OTHER_NON_STATE_ACTOR: 'Other non-state actor',
  PROGRAMME: 'Programme',
  ACTIVITY: 'Activity',
  OUTCOME: 'Outcome',
  THEMATIC_AREA: 'Thematic area',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/**
 * Paul Tol's "muted" qualitative palette: nine colours told apart with any common colour-vision
 * deficiency (no red-green pair carries meaning alone), and a dark grey for the tenth kind and
 * for "other" groups. Every colour is also named in a legend and in the details as text.
 */
export const MUTED = [
  '#332288', '#117733', '#CC6677', '#88CCEE', '#AA4499',
  '#44AA99', '#999933', '#882255', '#DDCC77',
] as const;
export const OTHER_COLOUR = '#767676';

export const KIND_COLOURS: Readonly<Record<string, string>> = {
  CIVIL_SOCIETY_ORGANIZATION: '#332288',
  REGIONAL_ORGANIZATION: '#117733',
  COMPANY: '#CC6677',
  MEMBER_STATE: '#88CCEE',
  OTHER_NON_STATE_ACTOR: '#AA4499',
  ACTIVITY: '#44AA99',
  OUTCOME: '#999933',
  PROGRAMME: '#882255',
  ACADEMIC_INSTITUTION: '#DDCC77',
  THEMATIC_AREA: OTHER_COLOUR,
};

export function kindColour(kind: string): string {
  return KIND_COLOURS[kind] ?? OTHER_COLOUR;
}

/** A legend: a list of colour swatches with their meaning (text, so colour is never alone). */
export function legend(
  label: string,
  entries: readonly { colour: string; text: string; shape?: 'dot' | 'line' | 'ring' }[],
): HTMLElement {
  return h(
    'figure',
    { class: 'gv-legend' },
    h('figcaption', {}, label),
    h(
      'ul',
      {},
      entries.map((e) =>
        h(
          'li',
          {},
          h('span', {
            class: `gv-swatch gv-swatch-${e.shape ?? 'dot'}`,
            style: `--swatch: ${e.colour}`,
            'aria-hidden': 'true',
          }),
          e.text,
        ),
      ),
    ),
  );
}

// --- numbers ---------------------------------------------------------------------------------

/** A share (0..1) as a percentage with two decimals ("5.93%"); tests format it the same way. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  if (share > 0 && share < 0.00005) return '<0.01%';
  return `${(share * 100).toFixed(2)}%`;
}

/** A score with three significant decimals ("0.298"); integers as they are. */
export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return '—';
  if (Number.isInteger(score)) return score.toLocaleString('en-GB');
  return score.toFixed(3);
}

// --- layout ----------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so the same data gives the same drawing. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Iterations of ForceAtlas2 for a graph of `order` nodes: fewer as it grows (bounded work). */
export function layoutIterations(order: number): number {
  if (order <= 300) return 300;
  if (order <= 1000) return 200;
  if (order <= 2500) return 120;
  return 60;
}

/**
 * Run ForceAtlas2 on `graph` for a bounded number of iterations, in slices of about 40 ms
 * with the event loop free in between, so the page stays responsive. Call it before the
 * graph is handed to a renderer: drawing every step would cost more than the layout itself
 * (software WebGL especially). Resolves when done, or early when `signal` is aborted (the
 * view was left or the data replaced).
 */
export async function runLayout(graph: Graph, signal: AbortSignal): Promise<void> {
  if (graph.order < 2) return;
  const settings = {
    ...forceAtlas2.inferSettings(graph),
    barnesHutOptimize: graph.order > 300,
    adjustSizes: false,
    // Spread the dense core (co-partnership ties are many) and keep hubs from pulling
    // everything onto themselves; gravity keeps small components in view.
    scalingRatio: 10,
    gravity: 1,
    outboundAttractionDistribution: true,
  };
  const total = layoutIterations(graph.order);
  let step = 5;
  for (let done = 0; done < total && !signal.aborted; ) {
    const started = performance.now();
    const iterations = Math.min(step, total - done);
    forceAtlas2.assign(graph, { iterations, settings });
    done += iterations;
    const took = performance.now() - started;
    step = Math.max(1, Math.round((iterations * 40) / Math.max(took, 1)));
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

// --- a search list (combobox) ----------------------------------------------------------------

export interface SearchItem {
  id: string;
  text: string;
  detail?: string;
}

/**
 * A labelled search box with a list of matches, operable by keyboard (ARIA 1.2 combobox with
 * a listbox popup): type to search, Down/Up to move, Enter to choose, Escape to close. The
 * list also works with a pointer. `search` may be async (an API call); it is debounced.
 */
export function searchBox(options: {
  label: string;
  placeholder?: string;
  search: (text: string) => SearchItem[] | Promise<SearchItem[]>;
  choose: (item: SearchItem) => void;
  hint?: string;
}): { element: HTMLElement; input: HTMLInputElement; clear: () => void } {
  const inputId = uid('search');
  const listId = uid('matches');
  const hintId = uid('hint');
  const statusId = uid('status');
  const input = h('input', {
    id: inputId,
    type: 'search',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': options.hint ? hintId : null,
    placeholder: options.placeholder ?? '',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'gv-matches', 'aria-label': options.label });
  list.hidden = true;
  const status = h('p', { id: statusId, class: 'gv-visually-hidden', role: 'status' });
  let items: SearchItem[] = [];
  let active = -1;
  let generation = 0;
  let timer: number | undefined;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index: number) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    const option = list.children[index] as HTMLElement | undefined;
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (index: number) => {
    const item = items[index];
    if (!item) return;
    close();
    input.value = item.text;
    options.choose(item);
  };
  const show = (found: SearchItem[]) => {
    items = found;
    list.replaceChildren(
      ...found.map((item, i) =>
        h(
          'li',
          {
            id: `${listId}-${i}`,
            role: 'option',
            'aria-selected': 'false',
            'data-id': item.id,
            onmousedown: (event: Event) => event.preventDefault(),
            onclick: () => pick(i),
          },
          item.text,
          item.detail ? h('span', { class: 'gv-match-detail' }, ` ${item.detail}`) : null,
        ),
      ),
    );
    const open = found.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    active = -1;
    status.textContent = input.value.trim()
      ? found.length
        ? `${found.length} match${found.length === 1 ? '' : 'es'}; use the arrow keys and Enter to choose.`
        : 'No match.'
      : '';
  };
  const run = async () => {
    const text = input.value.trim();
    const mine = ++generation;
    if (!text) {
      show([]);
      return;
    }
    try {
      const found = await options.search(text);
      if (mine === generation) show(found);
    } catch (error) {
      if (mine === generation) show([]);
      throw error;
    }
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 150);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (list.hidden && items.length) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      highlight(Math.min(items.length - 1, active + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (event.key === 'Enter') {
      if (items.length && !list.hidden) {
        event.preventDefault();
        pick(active >= 0 ? active : 0);
      }
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 100));
  const element = h(
    'div',
    { class: 'gv-search' },
    h('label', { for: inputId }, options.label),
    input,
    options.hint ? h('span', { id: hintId, class: 'gv-hint' }, options.hint) : null,
    list,
    status,
  );
  return {
    element,
    input,
    clear: () => {
      input.value = '';
      show([]);
    },
  };
}

/** Resolve on the next animation frame (lets the browser paint between steps). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
