// The page's HTML: a shell that loads the client (portal/client/app.js, a
// module) and its stylesheet, with the CSRF token in a <meta> for the
// client to send back. No inline script or style (the CSP forbids both), no
// JSON in the HTML; every interpolated value is escaped, since a user name
// comes from a header. Without a trusted identity: a static page that says
// how to sign in, and loads no script at all. Both name an empty icon, so the
// browser asks for no /favicon.ico (a 404 there would be a console error).

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export interface ShellContext {
  user: string;
  csrf: string;
  mode: "cluster" | "local";
}

export function shellPage(context: ShellContext): string {
  const user = escapeHtml(context.user);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="hostgate-csrf" content="${escapeHtml(context.csrf)}">
<meta name="hostgate-mode" content="${escapeHtml(context.mode)}">
<title>Routes · hostgate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header class="top"><h1>Your routes</h1><p class="who">Signed in as <span id="user">${user}</span></p></header>
<main id="app"><p class="loading">Loading…</p></main>
<noscript><p>This page needs JavaScript.</p></noscript>
</body>
</html>
`;
}

/** What someone without a trusted identity sees (401) or someone refused (403): words only. */
export function signedOutPage(reason: "signed-out" | "refused", detail?: string): string {
  const text =
    reason === "signed-out"
      ? "Sign in through the platform's login page, then open this page again."
      : "The page cannot act for the identity your login gave it. Ask the platform team.";
  const more = detail === undefined ? "" : `\n<p class="detail">${escapeHtml(detail)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · hostgate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main class="signed-out"><h1>${reason === "signed-out" ? "Not signed in" : "Not allowed"}</h1>
<p>${escapeHtml(text)}</p>${more}
</main>
</body>
</html>
`;
}
