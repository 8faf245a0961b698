// What every view is: a module under views/ exporting `view`, mounted by main.ts into the
// page's <main> when its tab is chosen, and unmounted (the function mount returns) when
// another is. Views share the as-of date (the page's date control) and nothing else.

export interface ViewContext {
  /** The as-of date (YYYY-MM-DD) the page's control holds, or null for today. */
  asOf(): string | null;
  /** Called with the new date whenever the control changes; returns an unsubscribe. */
  onAsOfChange(listener: (asOf: string | null) => void): () => void;
  /** Show a link "Open in GraphiQL" for the query the view just ran (replaces the last). */
  showQuery(query: string, variables: Record<string, unknown>): void;
  /** Show an error where the user sees it (role refusals, bad input, network). */
  showError(error: unknown): void;
}

export interface View {
  /** Path segment after '#/' ('coverage', 'network', 'lineage', 'trends'). */
  id: string;
  /** Tab label. */
  title: string;
  /** Build the view inside `root`; return what tears it down. */
  mount(root: HTMLElement, ctx: ViewContext): () => void;
}
