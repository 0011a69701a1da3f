import Router from "@koa/router";
import { expect } from "chai";
import { loadContract } from "../../src/http/openapi-contract.js";
import { RouteTable } from "../../src/http/route-table.js";

/** What @koa/router (which mounted the operations before) would run for a request: the first route's id and params. */
function koaRouterMatch(router: Router, method: string, path: string): { route: string; params: Record<string, string> } | undefined {
  const layer = router.match(path, method).pathAndMethod.find((candidate) => candidate.methods.length > 0);
  return layer ? { route: String(layer.name), params: { ...layer.params(path, layer.captures(path)) } } : undefined;
}

describe("RouteTable", () => {
  const contract = loadContract();
  const table = new RouteTable<string>();
  const router = new Router();
  for (const operation of contract.operations) {
    table.add(operation.method, operation.routerPath, operation.operationId);
    router[operation.method](operation.operationId, operation.routerPath, () => undefined);
  }
  const ours = (method: string, path: string) => {
    const match = table.match(method, path);
    return match && { route: match.route, params: match.params };
  };

  describe("when given the paths of every contract operation, varied as clients and scanners send them", () => {
    const variants = (path: string) => {
      const filled = path.replace(/:(\w+)/g, (_, name: string) => `CH0123abc-${name}`);
      return [
        filled,
        `${filled}/`,
        `${filled}//`,
        filled.toUpperCase(),
        `${filled}/extra`,
        filled.replace(/CH0123abc-(\w+)/g, "a%20b%2Fc%E2%82%AC-$1"),
        filled.replace(/CH0123abc-(\w+)/g, "%E0%A4%A-$1"),
        filled.replace(/CH0123abc-\w+/g, ""),
        filled.replace(/CH0123abc-\w+/g, "stats"),
      ];
    };
    it("picks the operation and parameters @koa/router picked, for each method including HEAD", () => {
      let compared = 0;
      for (const operation of contract.operations) {
        for (const path of [...variants(operation.routerPath), "/", "//", "/nothing", ""]) {
          for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
            expect(ours(method, path), `${method} ${path}`).to.deep.equal(koaRouterMatch(router, method, path));
            compared++;
          }
        }
      }
      expect(compared).to.be.greaterThan(contract.operations.length * 9 * 7);
    });
  });

  describe("when a route with parameters was registered before a static one it also matches", () => {
    it("answers with the earlier route, as @koa/router does", () => {
      const order = new RouteTable<string>();
      order.add("get", "/items/:id", "item");
      order.add("get", "/items/latest", "latest");
      expect(order.match("GET", "/items/latest")).to.deep.equal({ route: "item", path: "/items/:id", params: { id: "latest" } });
      expect(order.match("GET", "/items/latest/")?.route).to.equal("item");
    });
  });
});
