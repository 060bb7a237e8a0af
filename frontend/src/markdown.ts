/**
 * The server's report Markdown read into blocks the print view draws (never as HTML text:
 * every name stays text). Only what `queries/reports` writes is read: `#` headings,
 * paragraphs, `- ` and `1. ` lists, pipe tables (with `---:` right-aligned columns), and inline
 * `**strong**`, `*emphasis*`, code spans and backslash escapes.
 */

export type Inline = { kind: "text" | "strong" | "em" | "code"; text: string };

export type Block =
  | { kind: "heading"; level: number; inline: Inline[] }
  | { kind: "para"; inline: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "table"; header: Inline[][]; right: boolean[]; rows: Inline[][][] };

/** The text of inline pieces, as read (for titles and checks). */
export function plain(inline: Inline[]): string {
  return inline.map((i) => i.text).join("");
}

/** Inline Markdown: escapes, code spans (any fence length), ** and * emphasis. */
export function readInline(src: string): Inline[] {
  const out: Inline[] = [];
  let style: "text" | "strong" | "em" = "text";
  let buf = "";
  const flush = (): void => {
    if (buf) out.push({ kind: style, text: buf });
    buf = "";
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length && /[\\`*_[\]<>|#+\-.!(){}]/.test(src[i + 1]!)) {
      buf += src[i + 1];
      i += 2;
    } else if (c === "`") {
      let n = 0;
      while (src[i + n] === "`") n++;
      const fence = "`".repeat(n);
      const end = src.indexOf(fence, i + n);
      if (end < 0) {
        buf += fence;
        i += n;
        continue;
      }
      flush();
      let code = src.slice(i + n, end).replace(/\\\|/g, "|");
      if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ")) code = code.slice(1, -1);
      out.push({ kind: "code", text: code });
      i = end + n;
    } else if (c === "*" && src[i + 1] === "*") {
      flush();
      style = style === "strong" ? "text" : "strong";
      i += 2;
    } else if (c === "*") {
      flush();
      style = style === "em" ? "text" : "em";
      i += 1;
    } else {
      buf += c;
      i += 1;
    }
  }
  flush();
  return out;
}

/** A table row's cells: split on pipes not escaped (a code span's pipe is escaped too). */
export function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\" && i + 1 < inner.length) {
      cell += c + inner[i + 1];
      i++;
    } else if (c === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

function readTable(lines: string[]): Block {
  const [head, align, ...rest] = lines;
  const right = splitRow(align ?? "").map((a) => /^:?-+:$/.test(a) && !a.startsWith(":"));
  return { kind: "table", header: splitRow(head ?? "").map(readInline), right, rows: rest.map((l) => splitRow(l).map(readInline)) };
}

/** A list item's marker: `- `, `* ` or `1. `. */
const ITEM = /^(?:[-*]|\d+\.) /;

/** The report's blocks, in order. */
export function readMarkdown(src: string): Block[] {
  const blocks: Block[] = [];
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]!.length, inline: readInline(heading[2]!) });
      i++;
      continue;
    }
    const run = (test: (l: string) => boolean): string[] => {
      const got: string[] = [];
      while (i < lines.length && lines[i]!.trim() && test(lines[i]!)) got.push(lines[i++]!);
      return got;
    };
    if (line.trimStart().startsWith("|")) {
      blocks.push(readTable(run((l) => l.trimStart().startsWith("|"))));
    } else if (ITEM.test(line)) {
      const ordered = /^\d+\. /.test(line);
      const items: string[] = [];
      for (const l of run((l) => !/^#{1,6}\s/.test(l) && !l.trimStart().startsWith("|"))) {
        if (ITEM.test(l)) items.push(l.replace(ITEM, ""));
        else if (items.length) items[items.length - 1] += ` ${l.trim()}`;
      }
      blocks.push({ kind: "list", ordered, items: items.map(readInline) });
    } else {
      const para = run((l) => !/^#{1,6}\s/.test(l) && !l.trimStart().startsWith("|") && !ITEM.test(l));
      blocks.push({ kind: "para", inline: readInline(para.join(" ")) });
    }
  }
  return blocks;
}
