// A watch as one streaming GET over kube-https.ts, behaving as the
// ListWatchClient contract (list-watch-client.ts) and its client-node adapter
// (client-node-list-watch.ts) do:
//
// - `?watch=1&resourceVersion=RV&allowWatchBookmarks=true&timeoutSeconds=N`
//   (+ labelSelector); the answer is one JSON event per line, read as lines
//   whatever the chunking (a line may span chunks, a chunk hold many lines).
// - Every event goes to onEvent as sent, ERROR events included: a 410 inside
//   the stream is the reflector's to handle (relist), not a failed watch.
// - A non-200 answer ends the watch through onEnd with its KubeApiError (a 410
//   on opening: isExpired); so does a network failure, before or during the
//   stream (status 0), and a line that is not a watch event (500).
// - The server ending the stream is a normal end: onEnd(). If it has not
//   ended it a while after its own timeoutSeconds, the connection is taken to
//   be dead (no FIN ever came) and the watch ends normally too, so the
//   reflector resumes from its last version instead of waiting forever.
// - After abort() no callback fires; onEnd fires at most once.
import { KubeApiError } from "./api-error.ts";
import { errorFromResponse } from "./kube-https.ts";
import type { KubeHttps } from "./kube-https.ts";
import type { WatchCallbacks, WatchHandle, WatchRequest } from "./list-watch-client.ts";
import type { ResourceRef } from "./resource.ts";
import { resourcePath } from "./resource.ts";
import { asRecord } from "../json.ts";

/** How long after timeoutSeconds a silent, unclosed watch is given up on. */
export const WATCH_GRACE_MS = 30_000;

export function watchOverHttp(
  http: KubeHttps,
  headers: Record<string, string | string[]>,
  resource: ResourceRef,
  request: WatchRequest,
  callbacks: WatchCallbacks,
  graceMs: number = WATCH_GRACE_MS,
): WatchHandle {
  let done = false;
  let deadline: NodeJS.Timeout | undefined;
  /** Ends the watch once; `cut` drops the connection (a stream that ended cleanly leaves its socket to the agent). */
  const finish = (error?: KubeApiError, cut = true): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    if (cut) handle.abort();
    callbacks.onEnd(error);
  };
  const query = new URLSearchParams({ watch: "1", resourceVersion: request.resourceVersion });
  if (request.allowWatchBookmarks) query.set("allowWatchBookmarks", "true");
  query.set("timeoutSeconds", String(request.timeoutSeconds));
  if (resource.labelSelector !== undefined) query.set("labelSelector", resource.labelSelector);
  const handle = http.start(
    { method: "GET", path: resourcePath(resource), query, headers },
    {
      onError: (error) => finish(error),
      onResponse: (response) => {
        response.setEncoding("utf8");
        if (response.statusCode !== 200) {
          let body = "";
          response.on("data", (chunk: string) => (body += chunk));
          response.on("end", () => finish(errorFromResponse(response.statusCode ?? 0, body), false));
          response.on("error", (error) => finish(streamBroke(http, error)));
          return;
        }
        let pending = "";
        response.on("data", (chunk: string) => {
          pending += chunk;
          let newline = pending.indexOf("\n");
          while (newline >= 0 && !done) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            deliver(line);
            newline = pending.indexOf("\n");
          }
        });
        response.on("end", () => {
          if (pending.trim() !== "") deliver(pending);
          finish(undefined, false);
        });
        response.on("error", (error) => finish(streamBroke(http, error)));
      },
    },
  );
  const deliver = (line: string): void => {
    if (done || line.trim() === "") return;
    let event: Record<string, unknown> | undefined;
    try {
      event = asRecord(JSON.parse(line));
    } catch {
      event = undefined;
    }
    if (event === undefined || typeof event.type !== "string") {
      const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      finish(new KubeApiError(`the watch stream sent a line that is not a watch event: ${shown}`, 500, "InvalidWatchEvent"));
      return;
    }
    callbacks.onEvent({ type: event.type, object: event.object });
  };
  deadline = setTimeout(() => finish(), request.timeoutSeconds * 1000 + graceMs);
  deadline.unref();
  return {
    abort: () => {
      done = true;
      clearTimeout(deadline);
      handle.abort();
    },
  };
}

/** A stream cut after it started: status 0, as for any network failure. */
function streamBroke(http: KubeHttps, error: unknown): KubeApiError {
  const code = asRecord(error)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return new KubeApiError(`the watch stream from ${http.server} broke: ${typeof code === "string" ? `${code} (${detail})` : detail}`, 0, "NetworkError", {
    cause: error,
  });
}
