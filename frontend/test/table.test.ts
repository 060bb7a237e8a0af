import { describe, expect, it } from "vitest";
import { compareCells, countText, csvCell, groupRows, nextSort, pageOf, sortRows, toCsv, type ColumnSpec } from "../src/table";

interface Row {
  name: string;
  kind: string;
  hops: number | null;
}

const rows: Row[] = [
  { name: "Team 10", kind: "Team", hops: 2 },
  { name: "Ann", kind: "Person", hops: 1 },
  { name: "Team 2", kind: "Team", hops: null },
  { name: "beta", kind: "Team", hops: 1 },
  { name: "Bob", kind: "Person", hops: 3 },
];
const columns: ColumnSpec<Row>[] = [
  { key: "name", label: "Who", value: (r) => r.name },
  { key: "hops", label: "Distance", value: (r) => r.hops },
];

describe("sorting a long list", () => {
  it("sorts text in natural order, case-insensitively, both ways", () => {
    expect(sortRows(rows, columns, { key: "name", dir: "asc" }).map((r) => r.name)).toEqual(["Ann", "beta", "Bob", "Team 2", "Team 10"]);
    expect(sortRows(rows, columns, { key: "name", dir: "desc" }).map((r) => r.name)).toEqual(["Team 10", "Team 2", "Bob", "beta", "Ann"]);
  });

  it("sorts numbers as numbers, keeps ties in their order and empty cells last either way", () => {
    expect(sortRows(rows, columns, { key: "hops", dir: "asc" }).map((r) => r.name)).toEqual(["Ann", "beta", "Team 10", "Bob", "Team 2"]);
    expect(sortRows(rows, columns, { key: "hops", dir: "desc" }).map((r) => r.name)).toEqual(["Bob", "Team 10", "Ann", "beta", "Team 2"]);
  });

  it("leaves the rows as given without a sort, and never changes its input", () => {
    const copy = [...rows];
    expect(sortRows(rows, columns, null)).toEqual(rows);
    sortRows(rows, columns, { key: "name", dir: "asc" });
    expect(rows).toEqual(copy);
  });

  it("a header click sorts ascending, then descending, then ascending", () => {
    const a = nextSort(null, "name");
    const d = nextSort(a, "name");
    expect([a, d, nextSort(d, "name"), nextSort(d, "hops")]).toEqual([
      { key: "name", dir: "asc" },
      { key: "name", dir: "desc" },
      { key: "name", dir: "asc" },
      { key: "hops", dir: "asc" },
    ]);
  });

  it("compares numbers before text", () => {
    expect(compareCells(3, "a")).toBeLessThan(0);
    expect(compareCells("", 1)).toBeGreaterThan(0);
  });
});

describe("grouping", () => {
  it("groups in the order groups first appear, rows kept in order", () => {
    const g = groupRows(sortRows(rows, columns, { key: "name", dir: "asc" }), (r) => r.kind);
    expect(g.map((x) => [x.key, x.rows.map((r) => r.name)])).toEqual([
      ["Person", ["Ann", "Bob"]],
      ["Team", ["beta", "Team 2", "Team 10"]],
    ]);
  });
});

describe("paging", () => {
  const many = Array.from({ length: 431 }, (_, i) => i);
  it("cuts pages and says which rows they hold", () => {
    expect(pageOf(many, 0, 25)).toMatchObject({ page: 0, pages: 18, from: 1, to: 25 });
    const last = pageOf(many, 17, 25);
    expect(last).toMatchObject({ page: 17, pages: 18, from: 426, to: 431 });
    expect(last.rows).toEqual(many.slice(425));
  });

  it("clamps a page past the end or before the start", () => {
    expect(pageOf(many, 99, 25).page).toBe(17);
    expect(pageOf(many, -3, 25).page).toBe(0);
    expect(pageOf([], 2, 25)).toEqual({ rows: [], page: 0, pages: 1, from: 0, to: 0 });
  });

  it("counts true past the page: the total the server reports", () => {
    expect(countText(431)).toBe("431");
    expect(countText(500, 1234)).toBe("500 of 1,234");
    expect(countText(5, 5)).toBe("5");
  });
});

describe("CSV", () => {
  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvCell('Core, "new"')).toBe('"Core, ""new"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("plain")).toBe("plain");
  });

  it("neutralises what a spreadsheet would run as a formula, as the server's reports do", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("@sum")).toBe("'@sum");
    expect(csvCell("-2,x")).toBe(`"'-2,x"`);
    // Numbers stay numbers: a negative number is no formula.
    expect(csvCell(-2)).toBe("-2");
    expect(csvCell(null)).toBe("");
  });

  it("writes a header and every row, CRLF line ends", () => {
    expect(toCsv(rows.slice(0, 3), columns)).toBe("Who,Distance\r\nTeam 10,2\r\nAnn,1\r\nTeam 2,\r\n");
  });
});
