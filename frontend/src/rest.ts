/**
 * The REST routes the explorer calls, typed from the server's OpenAPI document
 * (tests/data/snapshots/openapi.json, generated into src/generated/openapi.ts): a renamed
 * path or parameter fails the type check.
 */
import type { paths } from "./generated/openapi";

type GetPath = { [P in keyof paths]: paths[P] extends { get: { parameters: { query?: object } } } ? P : never }[keyof paths];

/** The query parameters of a GET route, as the OpenAPI document declares them. */
export type QueryOf<P extends GetPath> = NonNullable<paths[P]["get"]["parameters"]["query"]>;

/** A GET route's URL with its query string (only routes without path parameters). */
export function restUrl<P extends GetPath>(path: P, query: QueryOf<P>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The multipart form of `POST /api/imports`. */
export type ImportForm = paths["/api/imports"]["post"]["requestBody"]["content"]["multipart/form-data"];

