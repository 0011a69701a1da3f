import type RequestClient from "twilio/lib/base/RequestClient.js";

/** The request options the twilio SDK passes to its httpClient. */
export type RequestOptions<TData> = RequestClient.RequestOptions<TData>;
