import { describe, expect, it } from "vitest";
import { plain, readInline, readMarkdown, splitRow } from "../src/markdown";

// The shape queries/reports/document.py writes (escapes from text.md, code from text.md_code).
const REPORT = [
  "# Impact of a change",
  "",
  "Generated 2026-12-06 23:54 UTC by valuegraph.",
  "",
  "## Legend",
  "",
  "- **Distance**: hops from the changed element along relationships that carry a change.",
  "- **Explaining path**: `A -[USES]-> B` is a relationship",
  "",
  "## Who to notify",
  "",
  "| Rank | Distance | Who | Type |",
  "| ---: | ---: | --- | --- |",
  "| 1 | 1 | Ann \\*Lead\\* \\| Ops | Person |",
  "| 2 | 3 | `id\\|x` | Team |",
  "",
].join("\n");

describe("reading the server's report Markdown", () => {
  const blocks = readMarkdown(REPORT);

  it("reads headings, paragraphs, lists and tables in order", () => {
    expect(blocks.map((b) => b.kind)).toEqual(["heading", "para", "heading", "list", "heading", "table"]);
    const title = blocks[0]!;
    expect(title.kind === "heading" && [title.level, plain(title.inline)]).toEqual([1, "Impact of a change"]);
  });

  it("keeps strong text and code spans in a list", () => {
    const list = blocks[3]!;
    expect(list.kind === "list" && list.items[1]).toEqual([
      { kind: "strong", text: "Explaining path" },
      { kind: "text", text: ": " },
      { kind: "code", text: "A -[USES]-> B" },
      { kind: "text", text: " is a relationship" },
    ]);
  });

  it("reads a table's alignment and escaped pipes and emphasis as text", () => {
    const t = blocks[5]!;
    if (t.kind !== "table") throw new Error("not a table");
    expect(t.right).toEqual([true, true, false, false]);
    expect(t.rows.map((r) => r.map(plain))).toEqual([
      ["1", "1", "Ann *Lead* | Ops", "Person"],
      ["2", "3", "id|x", "Team"],
    ]);
  });

  it("reads numbered lists as ordered", () => {
    const [list] = readMarkdown("1. remove Platform **A**\n2. add B\n");
    expect(list).toEqual({ kind: "list", ordered: true, items: [[{ kind: "text", text: "remove Platform " }, { kind: "strong", text: "A" }], [{ kind: "text", text: "add B" }]] });
    expect(blocks[3]!.kind === "list" && blocks[3]!.ordered).toBe(false);
  });

  it("splits rows only on unescaped pipes", () => {
    expect(splitRow("| a \\| b | c |")).toEqual(["a \\| b", "c"]);
  });

  it("never reads markup as HTML: angle brackets stay text", () => {
    expect(readInline("\\<script\\> <b>")).toEqual([{ kind: "text", text: "<script> <b>" }]);
  });
});
