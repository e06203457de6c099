// The headers every answer of the self-service page carries. The page loads
// only its own files (no inline script or style, no third-party origin), can
// never be framed, and leaks no URL to other sites: the content is names of
// people's routes and the messages of an API server, all untrusted text.
import type { NextFunction, Request, Response } from "express";

/** The Content-Security-Policy of portal-api.md, verbatim: the browser tests catch any violation as a console error. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Header → value, in a fixed order (tests compare them verbatim). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  // Another site may not even embed the page's files (scripts, JSON) as a resource.
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** Express middleware: sets SECURITY_HEADERS on every answer, errors and 404s included (it runs first). */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}
