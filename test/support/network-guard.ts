import nock from "nock";

// Node 20 lacks Promise.withResolvers, which nock's interceptor (@mswjs/interceptors, engines node >= 22) calls on
// every socket connect. https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/withResolvers
const PromiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof PromiseCtor.withResolvers !== "function") {
  PromiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// No test may reach the internet: only loopback (the emulator and the gateway under test), and names under `.test`
// (reserved, RFC 6761: no resolver on the internet answers them), which the media fetch tests resolve to loopback
// through their own resolver.
export function guardNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\]|([a-z0-9-]+\.)+test)(:\d+)?$/);
}
guardNetwork();
