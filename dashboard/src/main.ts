// The dashboard's shell: tabs routed by the URL hash ('#/coverage', '#/network', ...), the
// as-of date shared by every view ('#/coverage?asOf=2024-06-30'), the API key field, the
// "Open in GraphiQL" link and the error area. Views (views/*.ts) fill <main id="view">.
import './style.css';
import { ApiError, apiKey, graphiqlLink, setApiKey } from './api';
import { h } from './dom';
import type { View, ViewContext } from './view';
import { view as coverage } from './views/coverage';
import { view as lineage } from './views/lineage';
import { view as network } from './views/network';
import { view as trends } from './views/trends';

const VIEWS: readonly View[] = [coverage, network, lineage, trends];
const DEFAULT_VIEW = VIEWS[0];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
};

const main = byId<HTMLElement>('view');
const tabs = byId<HTMLUListElement>('tabs');
const asOfInput = byId<HTMLInputElement>('as-of');
const keyForm = byId<HTMLFormElement>('key-form');
const keyInput = byId<HTMLInputElement>('api-key');
const keyStatus = byId<HTMLElement>('key-status');
const errorBox = byId<HTMLElement>('error');
const errorText = byId<HTMLElement>('error-text');
const queryArea = byId<HTMLElement>('query-link-area');
const queryLink = byId<HTMLAnchorElement>('graphiql-link');

interface Route {
  view: View;
  asOf: string | null;
}

function parseHash(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const view = VIEWS.find((v) => v.id === path) ?? DEFAULT_VIEW;
  const asOf = new URLSearchParams(search).get('asOf');
  return { view, asOf: asOf && DATE.test(asOf) ? asOf : null };
}

function hashFor(view: View, asOf: string | null): string {
  return `#/${view.id}${asOf ? `?asOf=${asOf}` : ''}`;
}

// --- errors -------------------------------------------------------------------------------

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHENTICATED':
        return `The server refused the API key: ${error.message} Check the key, or forget it to continue with viewer access where the server allows that.`;
      case 'FORBIDDEN':
        return `Your key's role may not see this: ${error.message}`;
      case 'RATE_LIMITED':
        return `Too many requests for now: ${error.message}`;
      default:
        return error.code ? `${error.message} (${error.code})` : error.message;
    }
  }
  if (error instanceof TypeError) return `The server could not be reached: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function showError(error: unknown): void {
  errorText.textContent = describe(error);
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorText.textContent = '';
}

byId<HTMLButtonElement>('error-dismiss').addEventListener('click', clearError);

// --- the API key --------------------------------------------------------------------------

function showKeyStatus(): void {
  keyStatus.textContent = apiKey()
    ? 'Using your key for this browser tab.'
    : 'No key: viewer access (restricted actors hidden, small counts suppressed).';
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setApiKey(keyInput.value.trim());
  keyInput.value = '';
  showKeyStatus();
  remount();
});

byId<HTMLButtonElement>('forget-key').addEventListener('click', () => {
  setApiKey('');
  keyInput.value = '';
  showKeyStatus();
  remount();
});

// --- tabs and the as-of date ---------------------------------------------------------------

const tabLinks = new Map<string, HTMLAnchorElement>();
for (const view of VIEWS) {
  const link = h('a', { href: hashFor(view, null), id: `tab-${view.id}` }, view.title);
  tabLinks.set(view.id, link);
  tabs.append(h('li', {}, link));
}

const asOfListeners = new Set<(asOf: string | null) => void>();
let current: { route: Route; unmount: () => void } | null = null;

function updateTabs(route: Route): void {
  for (const [id, link] of tabLinks) {
    link.href = hashFor(VIEWS.find((v) => v.id === id) ?? DEFAULT_VIEW, route.asOf);
    if (id === route.view.id) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  asOfInput.value = route.asOf ?? '';
}

function mount(route: Route): void {
  if (current) {
    try {
      current.unmount();
    } catch (error) {
      console.warn('unmounting a view failed', error);
    }
    current = null;
  }
  asOfListeners.clear();
  clearError();
  queryArea.hidden = true;
  main.replaceChildren();
  main.dataset.view = route.view.id;
  document.title = `${route.view.title} · partnernet`;
  updateTabs(route);

  const listeners = new Set<(asOf: string | null) => void>();
  const ctx: ViewContext = {
    asOf: () => (current?.route ?? route).asOf,
    onAsOfChange(listener) {
      listeners.add(listener);
      asOfListeners.add(listener);
      return () => {
        listeners.delete(listener);
        asOfListeners.delete(listener);
      };
    },
    showQuery(query, variables) {
      queryLink.href = graphiqlLink(query, variables);
      queryArea.hidden = false;
    },
    showError,
  };
  let unmount: () => void = () => undefined;
  try {
    unmount = route.view.mount(main, ctx);
  } catch (error) {
    showError(error);
  }
  current = { route, unmount };
}

function remount(): void {
  const route = parseHash(window.location.hash);
  const canonical = hashFor(route.view, route.asOf);
  if (window.location.hash !== canonical) history.replaceState(null, '', canonical);
  mount(route);
}

function onHashChange(): void {
  const route = parseHash(window.location.hash);
  const canonical = hashFor(route.view, route.asOf);
  if (window.location.hash !== canonical) history.replaceState(null, '', canonical);
  if (current && current.route.view === route.view) {
    if (current.route.asOf !== route.asOf) {
      current.route = route;
      updateTabs(route);
      clearError();
      for (const listener of [...asOfListeners]) listener(route.asOf);
    }
    return;
  }
  mount(route);
}

function setAsOf(asOf: string | null): void {
  const view = current?.route.view ?? DEFAULT_VIEW;
  const hash = hashFor(view, asOf);
  if (window.location.hash !== hash) window.location.hash = hash;
}

asOfInput.addEventListener('change', () => {
  const value = asOfInput.value;
  if (!value || DATE.test(value)) setAsOf(value || null);
});
byId<HTMLButtonElement>('as-of-today').addEventListener('click', () => setAsOf(null));

window.addEventListener('hashchange', onHashChange);
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

showKeyStatus();
remount();
