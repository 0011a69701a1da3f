import { expect } from "chai";
import { windowPerKey } from "../../src/realtime/window-per-key.js";
import { coalescePerKey } from "../../src/realtime/coalesce-per-key.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const appended = (held: string[] = [], value: string) => [...held, value];

describe("windowPerKey", () => {
  it("folds what comes during a window into one delivery when the window ends", async () => {
    const delivered: Array<[string, string[]]> = [];
    const windows = windowPerKey<string, string[]>(30, appended, (key, held) => delivered.push([key, held]));
    windows.push("a", "1");
    windows.push("a", "2");
    windows.push("a", "3");
    windows.push("b", "x");
    expect(delivered).to.deep.equal([["a", ["1"]], ["b", ["x"]]]);
    await sleep(60);
    expect(delivered).to.deep.equal([["a", ["1"]], ["b", ["x"]], ["a", ["2", "3"]]]);
    windows.flush();
  });

  it("drop answers what stays; a window left holding nothing delivers nothing and lets the key go quiet", async () => {
    const delivered: string[][] = [];
    const windows = windowPerKey<string, string[]>(30, appended, (_key, held) => delivered.push(held));
    windows.push("a", "1");
    windows.push("a", "2");
    windows.push("a", "3");
    windows.drop("a", (held) => held.filter((value) => value !== "2"));
    await sleep(50);
    expect(delivered).to.deep.equal([["1"], ["3"]]);
    windows.push("a", "4");
    windows.drop("a", () => undefined);
    await sleep(50);
    expect(delivered).to.deep.equal([["1"], ["3"]]);
    await sleep(50); // that window ended empty: the key is quiet, the next value goes out at once
    windows.push("a", "5");
    expect(delivered).to.deep.equal([["1"], ["3"], ["5"]]);
    windows.flush();
  });

  it("opens the next window before delivering: what a delivery pushes for its own key waits for that window", async () => {
    const delivered: number[] = [];
    const updates = coalescePerKey<number>(30, (value) => {
      delivered.push(value);
      if (value === 2) updates.push("a", 3); // a listener reacting to the held value it was just given
    });
    updates.push("a", 1);
    updates.push("a", 2);
    await sleep(45);
    expect(delivered).to.deep.equal([1, 2]); // 3 is held by the window that opened before 2 went out
    await sleep(40);
    expect(delivered).to.deep.equal([1, 2, 3]);
    updates.flush();
  });

  it("flush delivers everything held and stops the timers", () => {
    const delivered: Array<[string, string[]]> = [];
    const windows = windowPerKey<string, string[]>(60_000, appended, (key, held) => delivered.push([key, held]));
    windows.push("a", "1");
    windows.push("a", "2");
    windows.push("b", "x");
    windows.flush();
    expect(delivered).to.deep.equal([["a", ["1"]], ["b", ["x"]], ["a", ["2"]]]);
  });
});
