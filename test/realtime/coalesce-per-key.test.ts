import { expect } from "chai";
import { coalescePerKey } from "../../src/realtime/coalesce-per-key.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("coalescePerKey", () => {
  it("delivers the first change at once, then only the newest of a burst when the interval ends", async () => {
    const delivered: number[] = [];
    const updates = coalescePerKey<number>(40, (value) => delivered.push(value));
    for (let i = 1; i <= 10; i++) updates.push("a", i);
    expect(delivered).to.deep.equal([1]);
    await sleep(60);
    expect(delivered).to.deep.equal([1, 10]);
    await sleep(60);
    expect(delivered).to.deep.equal([1, 10]);
    updates.push("a", 11); // quiet again: out at once
    expect(delivered).to.deep.equal([1, 10, 11]);
    updates.flush();
  });

  it("keeps keys apart", () => {
    const delivered: string[] = [];
    const updates = coalescePerKey<string>(1_000, (value) => delivered.push(value));
    updates.push("a", "a1");
    updates.push("b", "b1");
    updates.push("a", "a2");
    expect(delivered).to.deep.equal(["a1", "b1"]);
    updates.flush();
    expect(delivered).to.deep.equal(["a1", "b1", "a2"]);
  });

  it("forgets a held value that is dropped", async () => {
    const delivered: string[] = [];
    const updates = coalescePerKey<string>(30, (value) => delivered.push(value));
    updates.push("a", "a1");
    updates.push("a", "a2");
    updates.drop("a");
    await sleep(50);
    expect(delivered).to.deep.equal(["a1"]);
    updates.flush();
  });

  it("delivers every change with interval 0", () => {
    const delivered: number[] = [];
    const updates = coalescePerKey<number>(0, (value) => delivered.push(value));
    updates.push("a", 1);
    updates.push("a", 2);
    expect(delivered).to.deep.equal([1, 2]);
  });
});
