import { expect } from "chai";
import { batchPerTenant } from "../../src/realtime/batch-per-tenant.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("batchPerTenant", () => {
  it("delivers a quiet tenant's first update at once, then the window's updates as one batch: the latest per conversation, in the order of those latest updates", () => {
    const delivered: Array<[string, string[]]> = [];
    const batches = batchPerTenant<string>(60_000, (tenantId, values) => delivered.push([tenantId, values]));
    batches.push("t", "A", "A1");
    batches.push("t", "B", "B1");
    batches.push("t", "A", "A2");
    batches.push("t", "C", "C1");
    batches.push("t", "B", "B2");
    expect(delivered).to.deep.equal([["t", ["A1"]]]);
    batches.flush();
    expect(delivered).to.deep.equal([
      ["t", ["A1"]],
      ["t", ["A2", "C1", "B2"]],
    ]);
  });

  it("keeps tenants apart: each has its own window and its own batches", () => {
    const delivered: Array<[string, string[]]> = [];
    const batches = batchPerTenant<string>(60_000, (tenantId, values) => delivered.push([tenantId, values]));
    batches.push("t", "A", "tA1");
    batches.push("u", "A", "uA1");
    batches.push("t", "A", "tA2");
    batches.push("u", "B", "uB1");
    expect(delivered).to.deep.equal([
      ["t", ["tA1"]],
      ["u", ["uA1"]],
    ]);
    batches.flush();
    expect(delivered.slice(2)).to.deep.equal([
      ["t", ["tA2"]],
      ["u", ["uB1"]],
    ]);
  });

  it("flushes when the window ends, keeps the next window open while updates come, and goes quiet after an empty one", async () => {
    const delivered: string[][] = [];
    const batches = batchPerTenant<string>(40, (_, values) => delivered.push(values));
    batches.push("t", "A", "A1");
    batches.push("t", "A", "A2");
    await sleep(60); // the first window ended: A2 went out and a second window opened
    batches.push("t", "B", "B1");
    expect(delivered).to.deep.equal([["A1"], ["A2"]]);
    await sleep(500); // the second ended with B1, the third with nothing: quiet (generous: a loaded machine)
    batches.push("t", "C", "C1"); // out at once
    expect(delivered).to.deep.equal([["A1"], ["A2"], ["B1"], ["C1"]]);
    batches.flush();
  });

  it("forgets a dropped conversation's held update, and with interval 0 delivers every update alone", () => {
    const delivered: string[][] = [];
    const batches = batchPerTenant<string>(60_000, (_, values) => delivered.push(values));
    batches.push("t", "A", "A1");
    batches.push("t", "A", "A2");
    batches.push("t", "B", "B1");
    batches.drop("t", "A");
    batches.flush();
    expect(delivered).to.deep.equal([["A1"], ["B1"]]);

    const each: string[][] = [];
    const unbatched = batchPerTenant<string>(0, (_, values) => each.push(values));
    unbatched.push("t", "A", "A1");
    unbatched.push("t", "A", "A2");
    expect(each).to.deep.equal([["A1"], ["A2"]]);
  });
});
