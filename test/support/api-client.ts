import { expect } from "chai";
import type { Contract } from "../../src/http/openapi-contract.js";
import { matchOperation } from "./match-operation.js";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body text (sent as is, with `contentType`). */
  rawBody?: string;
  contentType?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

/**
 * An HTTP client for tests that checks every response against openapi.yaml: the status must be declared for the
 * operation and a JSON body must match its schema. No 5xx answer may carry a stack trace.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly contract: Contract,
    private readonly defaultToken?: string,
  ) {}

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, this.contract, token ?? undefined);
  }

  get<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>("GET", path, options);
  }
  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>("POST", path, { ...options, body });
  }
  patch<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>("PATCH", path, { ...options, body });
  }
  delete<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>("DELETE", path, options);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.defaultToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) {
      payload = options.rawBody;
      headers["content-type"] = options.contentType ?? "application/json";
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    const isJson = (response.headers.get("content-type") ?? "").includes("application/json");
    const body = isJson && text ? JSON.parse(text) : text;
    this.checkAgainstContract(method, path, response.status, isJson, body, text);
    return { status: response.status, headers: response.headers, body, text };
  }

  private checkAgainstContract(method: string, path: string, status: number, isJson: boolean, body: unknown, text: string) {
    expect(text, "responses never carry stack traces").not.to.match(/\n\s+at .+\(.+:\d+:\d+\)/);
    const operation = matchOperation(this.contract, method, path);
    if (!operation) {
      // Outside the contract only 404s are allowed (an unknown route answers the standard error body).
      expect(status, `${method} ${path} is not in openapi.yaml`).to.equal(404);
      return;
    }
    expect(this.contract.declaresStatus(operation.operationId, status), `${operation.operationId} does not declare ${status}: ${text.slice(0, 300)}`).to.equal(true);
    const validate = this.contract.responseValidator(operation.operationId, status);
    if (validate && isJson) {
      const valid = validate(body);
      expect(valid, `${operation.operationId} ${status} body breaks the contract: ${JSON.stringify(validate.errors)} in ${text.slice(0, 500)}`).to.equal(true);
    }
  }
}
