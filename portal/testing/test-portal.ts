// The portal's express app over a FakeBackend, wired as serve-portal.ts wires
// it, for the HTTP tests: the loopback peer (how supertest and http.get
// connect) is the trusted proxy unless a test says otherwise.
import { ManualClock } from "../../core/clock.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import { CsrfTokens } from "../csrf.ts";
import { identityResolver } from "../identity.ts";
import type { IdentitySource } from "../identity.ts";
import { LiveRoutes } from "../live-routes.ts";
import type { LiveLimits } from "../live-routes.ts";
import { createPortalApp } from "../portal-app.ts";
import type { PortalAppOptions } from "../portal-app.ts";
import { previewRoute } from "../preview.ts";
import { routeView } from "../route-view.ts";
import { FakeBackend } from "./fake-backend.ts";

export const LOOPBACK_PROXY: IdentitySource = { kind: "proxy", trustedProxies: ["127.0.0.0/8", "::1/128"] };

export interface TestPortal {
  app: ReturnType<typeof createPortalApp>;
  backend: FakeBackend;
  csrf: CsrfTokens;
  live: LiveRoutes;
  clock: ManualClock;
  logger: RecordingLogger;
}

export function testPortal(
  options: { identity?: IdentitySource; backend?: FakeBackend; limits?: Partial<LiveLimits>; app?: Partial<PortalAppOptions> } = {},
): TestPortal {
  const backend = options.backend ?? new FakeBackend();
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const csrf = new CsrfTokens(Buffer.alloc(32, 1));
  const live = new LiveRoutes({ backend, view: routeView, clock, logger, random: () => 0.5, limits: { lingerMs: 0, ...options.limits } });
  const app = createPortalApp({
    backend,
    identity: identityResolver(options.identity ?? LOOPBACK_PROXY),
    csrf,
    live,
    logger,
    view: routeView,
    preview: (route) => previewRoute(route),
    ...options.app,
  });
  return { app, backend, csrf, live, clock, logger };
}
