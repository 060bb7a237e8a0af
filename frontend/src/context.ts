/**
 * What the panels in `ui/` may use of the running explorer. `App` implements it and passes
 * itself in, so a panel depends on this interface (types only) and never on `app.ts`:
 * the application root imports its panels, never the other way round.
 */
import type { Api } from "./api";
import type { Imports } from "./imports";
import type { GraphModel } from "./model";
import type { Overlay } from "./overlay";
import type { Questions } from "./questions";
import type { Scenarios } from "./scenarios";
import type { ElementBrief, GraphSchema } from "./types";
import type { Mode, ViewState } from "./urlstate";
import type { GraphView } from "./view";

export interface ExplorerContext {
  // -- what the explorer holds
  readonly api: Api;
  readonly questions: Questions;
  readonly imports: Imports;
  readonly scenarios: Scenarios;
  readonly model: GraphModel;
  readonly view: GraphView;
  readonly schema: GraphSchema;
  /** The view state mirrored in the URL; panels change it, then `commit()`. */
  state: ViewState;
  /** What the current question draws over the graph. */
  overlay: Overlay;
  /** An element id to focus after the next panel render (e.g. the next field after an action). */
  pendingFocus: string | null;

  // -- drawing and the URL
  /** Redraw the graph from the model (optionally laying it out again around `anchor`). */
  render(opts?: { relayout?: boolean; anchor?: string | null }): void;
  /** Rebuild the mode panel and the details panel. */
  renderPanels(loading?: boolean): void;
  /** Copy the model into the state and write the URL (`push`: a new history entry). */
  commit(push?: boolean): void;
  /** The status line under the graph. */
  status(message: string, error?: boolean): void;
  /** An element's name where known, else its id. */
  name(id: string): string;

  // -- navigation and graph actions
  select(id: string | null, opts?: { keepMode?: boolean }): Promise<void>;
  /** Add the element to the view and select it (and expand it unless told not to). */
  openElement(e: ElementBrief, expand?: boolean): Promise<void>;
  /** Make sure an element's neighbourhood is loaded; false when there is no such element. */
  ensureLoaded(id: string): Promise<boolean>;
  setMode(mode: Mode): Promise<void>;
  /** Ask the impact question again with the current state (impact mode). */
  runImpact(): Promise<void>;
  toggleExpand(id: string): Promise<void>;
  togglePin(id: string): void;
  /** Load the relationships past the first page of an element with more than the API's page size. */
  loadMoreNeighbours(id: string): Promise<void>;
  showMore(id: string): Promise<void>;
  removeFromView(id: string): void;
}
