/**
 * Saved named views as the explorer uses them: the GraphQL calls (`views`, `view` and the
 * view mutations, `src/operations/views.graphql`) and the shareable link of a view. A view
 * holds the explorer's URL state (`urlstate.ts`); opening `?view=<id>` restores it.
 */
import { GraphQLError, type GraphQLClient } from "./gql";
import {
  CreateViewDocument,
  DeleteViewDocument,
  SavedViewDocument,
  SavedViewsDocument,
  UpdateViewDocument,
  type SavedViewFieldsFragment,
} from "./generated/graphql";

export type SavedView = SavedViewFieldsFragment;

/** The query parameter that opens a saved view. */
export const VIEW_PARAM = "view";

/** The id of the saved view a query string asks for, if any. Pure. */
export function viewIdOf(query: string): string | null {
  const id = new URLSearchParams(query.replace(/^\?/, "")).get(VIEW_PARAM);
  return id && /^[\w-]{1,64}$/.test(id) ? id : null;
}

/** The shareable link of a saved view, on the page at `href`. Pure. */
export function viewLink(href: string, id: string): string {
  const url = new URL(href);
  url.search = `?${VIEW_PARAM}=${encodeURIComponent(id)}`;
  url.hash = "";
  return url.toString();
}

/**
 * What the server said about each field of a view it refused (`extensions.fields` of a
 * BAD_USER_INPUT error), by field name; what names no field goes under "". Pure.
 */
export function viewFieldErrors(err: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (field: string, msg: string) => (out[field] ??= []).push(msg);
  const items = err instanceof GraphQLError ? err.errors : [];
  for (const item of items) {
    const fields = item.extensions?.fields ?? [];
    if (fields.length) for (const f of fields) add(f.field, f.msg);
    else add("", item.message);
  }
  if (!items.length) add("", (err as Error).message);
  return out;
}

export class SavedViews {
  constructor(private readonly client: GraphQLClient) {}

  async list(): Promise<{ total: number; items: SavedView[] }> {
    return (await this.client.request(SavedViewsDocument, { limit: 100 })).result;
  }

  async get(id: string): Promise<SavedView | null> {
    return (await this.client.request(SavedViewDocument, { id })).result;
  }

  async create(name: string, description: string, state: string): Promise<SavedView> {
    return (await this.client.request(CreateViewDocument, { view: { name: name.trim(), description: description.trim(), state } })).result;
  }

  async update(id: string, name: string, description: string, state: string): Promise<SavedView> {
    return (await this.client.request(UpdateViewDocument, { id, view: { name: name.trim(), description: description.trim(), state } })).result;
  }

  /** Give `view` another name; its description and state stay as they are. */
  async rename(view: SavedView, name: string): Promise<SavedView> {
    return this.update(view.id, name, view.description, view.state);
  }

  async remove(id: string): Promise<void> {
    await this.client.request(DeleteViewDocument, { id });
  }
}
