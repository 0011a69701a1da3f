// Node 20 lacks Promise.withResolvers, which the network guard's interceptor (@mswjs/interceptors,
// engines node >= 22) calls on every socket connect. Polyfill it for the emulator tests.
// https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/withResolvers
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
export {};
