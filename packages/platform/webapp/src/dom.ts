/**
 * Element building without HTML strings: text goes in as text nodes, attributes through setAttribute, so data
 * from the API can never become markup (escaping by construction; no innerHTML anywhere in the app).
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes, set as given (`undefined` skips one). */
  attrs?: Record<string, string | undefined>;
  dataset?: Record<string, string>;
  on?: { [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {}))
    if (value !== undefined) element.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) element.dataset[name] = value;
  for (const [event, listener] of Object.entries(props.on ?? {}))
    element.addEventListener(event, listener as EventListener);
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function fill(parent: Node, ...children: Child[]): void {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  (parent as Element).replaceChildren(fragment);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** A table from header texts and rows of cells. */
export function table(
  props: Props,
  headers: readonly Child[],
  rows: readonly { props?: Props; cells: readonly Child[] }[],
): HTMLTableElement {
  return h(
    'table',
    props,
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', {}, text)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => h('tr', row.props ?? {}, ...row.cells.map((cell) => h('td', {}, cell)))),
    ),
  );
}

/** A key/value list; empty values are left out. */
export function summaryList(items: readonly [string, Child][]): HTMLDListElement {
  const list = h('dl', { class: 'summary' });
  for (const [term, value] of items) {
    if (value === '' || value === undefined || value === null || value === false) continue;
    append(list, [h('dt', {}, term), h('dd', {}, value)]);
  }
  return list;
}
