import { describe, expect, it } from "vitest";
import { LatestAnswer } from "../src/latest";

describe("type-ahead answers", () => {
  it("drops a late answer to an earlier text: the list and Enter stay with what is typed", () => {
    const a = new LatestAnswer<string>();
    a.ask("Car");
    a.ask("Cards");
    // the answer for "Car" arrives after the user typed on
    expect(a.accept("Car", ["Card Processor"], "Cards")).toBe(false);
    expect(a.items).toEqual([]);
    expect(a.current("Cards")).toBe(false);
    expect(a.accept("Cards", ["Cards"], "Cards")).toBe(true);
    expect(a.items).toEqual(["Cards"]);
    expect(a.current("Cards")).toBe(true);
  });

  it("does not let Enter pick from a list shown for an earlier text", () => {
    const a = new LatestAnswer<string>();
    a.ask("Pay");
    a.accept("Pay", ["Payments"], "Pay");
    a.ask("Paym");
    expect(a.current("Paym")).toBe(false);
  });
});
