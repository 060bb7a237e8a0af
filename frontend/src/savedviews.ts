/**
 * Saved named views as the explorer uses them: the GraphQL calls (`views`, `view` and the
 * view mutations, `src/operations/views.graphql`) and the shareable link of a view. A view
 * holds the explorer's URL state (`urlstate.ts`); opening `?view=<id>` restores it.
 */
import type { GraphQLClient } from "./gql";
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

  async remove(id: string): Promise<void> {
    await this.client.request(DeleteViewDocument, { id });
  }
}
