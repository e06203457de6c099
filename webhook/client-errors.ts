// What the HTTPS server answers when a request never reaches the app: Node's
// HTTP parser refused it (a Content-Length that disagrees with the body, a
// Content-Length beside Transfer-Encoding, oversized headers) or it did not
// arrive within the request timeout. Node's own answer there is a bare status
// line; these carry the same metav1.Status body as every other refusal.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { clip } from "../policies/denial-message.ts";
import type { HttpProblem } from "./http-errors.ts";
import { PROBLEM_CONTENT_TYPE, problemBody, problems } from "./http-errors.ts";

export interface ClientErrorLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxHeaderBytes: number;
}

/**
 * The problem to answer a `clientError` with, or undefined when there is no
 * one to answer (the connection was reset, or broke mid-write).
 */
export function clientErrorProblem(
  error: NodeJS.ErrnoException & { reason?: unknown },
  limits: ClientErrorLimits,
  headersReceived: boolean,
): HttpProblem | undefined {
  const code = typeof error.code === "string" ? error.code : "";
  // Node reports both timeouts with one code; a request whose headers arrived has a response object.
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return headersReceived ? problems.requestTimeout(limits.requestTimeoutMs) : problems.headersTimeout(limits.headersTimeoutMs);
  if (code === "HPE_HEADER_OVERFLOW") return problems.headersTooLarge(limits.maxHeaderBytes);
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return problems.chunkExtensionsTooLarge();
  if (code.startsWith("HPE_")) {
    // llhttp's reason is a fixed phrase ("Invalid method encountered"); the request's bytes are never echoed.
    const reason = typeof error.reason === "string" && error.reason !== "" ? error.reason : "unparsable request";
    return problems.badHttp(code, clip(reason, 120));
  }
  return undefined;
}

/** A whole HTTP/1.1 response for a socket the server is about to close. */
export function rawProblemResponse(problem: HttpProblem): string {
  const body = problemBody(problem);
  return (
    `HTTP/1.1 ${problem.code} ${STATUS_CODES[problem.code] ?? "Error"}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * How long a socket may stay open after its refusal was sent, waiting for the
 * client to close its side. Closing at once could reset a connection whose
 * client is still sending, and the client would lose the answer; waiting
 * forever would let a client that never closes hold the socket.
 */
export const LINGER_AFTER_REFUSAL_MS = 5_000;

/**
 * Answers a client error the way Node would (only when no response has begun
 * on the socket, so an answer already under way is never corrupted), but
 * with the JSON Status; otherwise just closes. Returns the problem answered.
 */
export function answerClientError(error: Error, socket: Socket, limits: ClientErrorLimits): HttpProblem | undefined {
  // Node's own test (lib/_http_server.js socketOnError): the response in flight on this socket, if any.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage ?? undefined;
  const problem = clientErrorProblem(error, limits, inFlight !== undefined);
  if (problem === undefined || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy(error);
    return undefined;
  }
  socket.end(rawProblemResponse(problem));
  const linger = setTimeout(() => socket.destroy(), LINGER_AFTER_REFUSAL_MS);
  linger.unref();
  socket.once("close", () => clearTimeout(linger));
  return problem;
}
