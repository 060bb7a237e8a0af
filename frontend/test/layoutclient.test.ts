import { afterEach, describe, expect, it } from "vitest";
import { LayoutClient } from "../src/layoutclient";
import type { LayoutAnswer, LayoutRequest } from "../src/layouts";

/** A stand-in for the browser's Worker: records what it is sent, answers when told. */
class FakeWorker {
  static all: FakeWorker[] = [];
  sent: LayoutRequest[] = [];
  terminated = false;
  onmessage: ((ev: { data: LayoutAnswer }) => void) | null = null;
  onerror: ((ev: { message: string; preventDefault(): void }) => void) | null = null;
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(req: LayoutRequest): void {
    this.sent.push(req);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(seq: number, x: number): void {
    this.onmessage?.({ data: { seq, positions: { a: { x, y: 0 } } } });
  }
}

const request = (seq: number): LayoutRequest => ({
  seq,
  kind: "dagre",
  seed: 1,
  nodes: [{ id: "a", w: 40, h: 30, x: 0, y: 0, locked: false }],
  edges: [],
});

const g = globalThis as { Worker?: unknown };

describe("the layout client", () => {
  afterEach(() => {
    delete g.Worker;
    FakeWorker.all = [];
  });

  it("lays out in the page where no Worker exists", async () => {
    const answer = await new LayoutClient().run(request(1));
    expect(answer?.seq).toBe(1);
    expect(Object.keys(answer!.positions)).toEqual(["a"]);
  });

  it("drops a layout a newer one superseded, stopping the worker busy with it", async () => {
    g.Worker = FakeWorker;
    const client = new LayoutClient();
    const first = client.run(request(1));
    const second = client.run(request(2));
    expect(await first).toBeNull();
    const [old, fresh] = FakeWorker.all;
    expect(old!.terminated).toBe(true);
    expect(fresh!.sent.map((r) => r.seq)).toEqual([2]);
    old!.answer(1, 111); // too late: nobody listens any more
    fresh!.answer(2, 222);
    expect((await second)?.positions.a).toEqual({ x: 222, y: 0 });
  });

  it("lays out in the page when the worker fails", async () => {
    g.Worker = FakeWorker;
    const client = new LayoutClient();
    const pending = client.run(request(3));
    FakeWorker.all[0]!.onerror?.({ message: "boom", preventDefault() {} });
    const answer = await pending;
    expect(answer?.seq).toBe(3);
    expect(answer?.positions.a).toBeDefined();
    // From then on, in the page without a worker.
    expect((await client.run(request(4)))?.seq).toBe(4);
    expect(FakeWorker.all).toHaveLength(1);
  });
});
