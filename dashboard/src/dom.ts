// Small DOM helpers shared by the views. Text always goes in as text (never innerHTML), so
// names coming from the API cannot inject markup.

type Child = Node | string | number | null | undefined | false;
/** A child, or (nested) lists of them. */
export type Children = Child | readonly Children[];
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * `h('button', { type: 'button', onclick: fn, 'aria-pressed': true }, 'Label')`: an element with
 * attributes (`on*` functions become listeners; `false`/`null`/`undefined` are left out; `true`
 * is written as "true" for aria-* and data-* attributes and as an empty attribute otherwise) and
 * children (strings become text nodes).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (value === true) {
      element.setAttribute(name, name.startsWith('aria-') || name.startsWith('data-') ? 'true' : '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Children[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child as readonly Children[]);
    else if (child === null || child === undefined || child === false) continue;
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function replaceChildren(parent: Element, ...children: Children[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let counter = 0;
/** A page-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A number for people: integers with separators, others with `digits` decimals. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-GB');
  return value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A gap score (or another 0..1-ish figure): always two decimals. */
export function formatGap(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.toFixed(2);
}

/** Today as YYYY-MM-DD (local time). */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A <label> + <select> pair; `onChange` gets the chosen value. */
export function labelledSelect(
  label: string,
  options: readonly (readonly [value: string, text: string])[],
  value: string,
  onChange: (value: string) => void,
): { wrapper: HTMLElement; select: HTMLSelectElement } {
  const id = uid('select');
  const select = h(
    'select',
    { id, onchange: () => onChange(select.value) },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  return { wrapper: h('span', { class: 'control' }, h('label', { for: id }, label), select), select };
}
