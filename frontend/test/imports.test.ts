import { describe, expect, it } from "vitest";
import { ImportRefused, readRefusal, refusalMessage } from "../src/imports";

// The route's refusals, shaped as the server writes them: `ImportFailure.as_dict` (422 and
// 413), a plain message (401, 403) and FastAPI's list of form errors.
const MALFORMED = {
  detail: {
    msg: "malformed XML: mismatched tag",
    file: "malformed.xml",
    line: 7,
    hint: "the file is not well-formed XML; export it again from the modelling tool or fix the reported line",
    details: [],
  },
};

describe("an import the server refuses", () => {
  it("keeps the refusal's file, line and hint exactly as the route gave them", () => {
    expect(readRefusal(422, MALFORMED)).toEqual({
      status: 422,
      msg: "malformed XML: mismatched tag",
      file: "malformed.xml",
      line: 7,
      hint: "the file is not well-formed XML; export it again from the modelling tool or fix the reported line",
    });
    const tooLarge = { detail: { msg: "the upload is over the 10 byte limit", file: "big.xml", line: null, hint: "raise VALUEGRAPH_MAX_UPLOAD_BYTES", details: [] } };
    expect(readRefusal(413, tooLarge)).toMatchObject({ status: 413, file: "big.xml", line: null, hint: "raise VALUEGRAPH_MAX_UPLOAD_BYTES" });
  });

  it("reads a plain message, a list of form errors, and anything else", () => {
    expect(readRefusal(403, { detail: "this needs the editor role" })).toEqual({ status: 403, msg: "this needs the editor role", file: null, line: null, hint: null });
    expect(readRefusal(422, { detail: [{ loc: ["body", "files"], msg: "Field required", type: "missing" }] }).msg).toBe("Field required");
    expect(readRefusal(502, null).msg).toBe("null");
  });

  it("rejects with the refusal whole, its message worded as before", () => {
    const err = new ImportRefused(readRefusal(422, MALFORMED));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("import failed (422): malformed XML: mismatched tag");
    expect(err.message).toBe(refusalMessage(422, MALFORMED));
    expect(err.refusal.line).toBe(7);
  });
});
