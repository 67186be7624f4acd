/** What a REST handler answers: the status and a JSON body, or raw bytes with their headers. */
export interface RestResult {
  status: number;
  body?: unknown;
  /** Bytes sent as they are instead of JSON (raw media types); `headers` carries their content type. */
  raw?: Buffer;
  headers?: Record<string, string>;
}
