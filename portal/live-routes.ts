// Live route status for the page's event streams (`GET /api/events`). RBAC is
// decided per person, so each upstream watch is made as one identity (user
// and groups) in one namespace, and shared by that person's open tabs:
// - one Reflector per (identity, namespace): list, then watch from the list's
//   resourceVersion, resume on a closed watch, relist on 410 (core/kube/
//   reflector.ts), with the namespace's routes kept in memory, so a tab that
//   joins later gets its `snapshot` at once;
// - a `snapshot` event after every (re)list, a `change` event per watch
//   event, a `problem` event when the person may not list or the cluster
//   does not answer (the stream stays open; the reflector keeps retrying);
//   the page's own impersonation refused reads CANNOT_ACT_FOR_YOU, never
//   the ServiceAccount's 403 (impersonation-refused.ts logs the remedy);
// - a `: keepalive` comment every 25 s, so proxies and load balancers with
//   idle timeouts (an ALB's 60 s) keep the stream;
// - only namespaces the backend offers the person (`namespaces(who)`: those
//   they may list, cached per person in cluster mode) get an upstream; any
//   other gets a `problem` event and nothing is asked of the API server;
// - bounds: streams per identity and in total, identities with upstream
//   watches, upstream watches per identity (lingering ones included: closing
//   and reopening streams must not grow them), namespaces per stream (each
//   upstream watch is an HTTPS connection to the API server, paid for by
//   whoever opens the page);
// - an upstream without subscribers lingers (a reload reconnects within
//   seconds) and is then stopped; one the person was refused (401/403/404 on
//   its list) is stopped at once instead, since retrying it helps nobody.
import type { Clock, TimerHandle } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { isExpired, KubeApiError } from "../core/kube/api-error.ts";
import type { ListWatchClient, WatchCallbacks } from "../core/kube/list-watch-client.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { Reflector } from "../core/kube/reflector.ts";
import type { ReflectorBatch } from "../core/kube/reflector-types.ts";
import { DOMAIN_ROUTES } from "../core/state/sources/indexed-resources.ts";
import { identityKey as keyOf } from "./identity.ts";
import { alarmFor, CANNOT_ACT_FOR_YOU } from "./impersonation-refused.ts";
import type { ImpersonationAlarm } from "./impersonation-refused.ts";
import type { Identity, PortalBackend } from "./portal-backend.ts";
import type { RouteView } from "./route-view.ts";

export interface LiveLimits {
  /** Open streams per identity (a person's tabs); more is 429. */
  streamsPerIdentity: number;
  /** Open streams in all; more is 429. */
  streams: number;
  /** Identities holding upstream watches (lingering ones included); a new one beyond is 429. */
  identities: number;
  /** Namespaces one stream may follow; more is 400. */
  namespacesPerStream: number;
  /**
   * Upstream watches one identity holds, lingering ones included. Past it, the
   * person's own lingering upstreams are stopped (oldest first) to make room;
   * when those are not enough, 429.
   */
  upstreamsPerIdentity: number;
  keepaliveMs: number;
  /** How long an upstream without subscribers is kept (0: stopped at once). */
  lingerMs: number;
}

export const DEFAULT_LIVE_LIMITS: Readonly<LiveLimits> = {
  streamsPerIdentity: 4,
  streams: 256,
  identities: 200,
  namespacesPerStream: 20,
  // Four tabs of twenty namespaces each.
  upstreamsPerIdentity: 80,
  keepaliveMs: 25_000,
  lingerMs: 30_000,
};

/** Where a stream's text goes (the HTTP response). */
export interface EventSink {
  /** Called once, when the stream is admitted, before any write: send the 200 and the headers. */
  start(): void;
  write(text: string): void;
  end(): void;
}

export type OpenResult = { ok: true; close: () => void } | { ok: false; status: 400 | 429; message: string };

export interface LiveRoutesOptions {
  backend: PortalBackend;
  /** The RouteView of an object (status words). */
  view: (object: KubeObject) => RouteView;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  limits?: Partial<LiveLimits>;
}

interface Subscriber {
  identityKey: string;
  sink: EventSink;
  upstreams: Upstream[];
  keepalive: TimerHandle | undefined;
  closed: boolean;
}

interface Upstream {
  key: string;
  identityKey: string;
  namespace: string;
  /** name → object, as the last batch left it. */
  objects: Map<string, KubeObject>;
  subscribers: Set<Subscriber>;
  synced: boolean;
  /** The last problem sent, cleared by a successful list (so one problem is said once, not on every retry). */
  problem: string | undefined;
  /** The last list was refused to the person (401/403/404): without subscribers it is stopped at once, not kept lingering. */
  refused: boolean;
  linger: TimerHandle | undefined;
  reflector: Reflector<KubeObject>;
}

export class LiveRoutes {
  readonly #backend: PortalBackend;
  readonly #view: (object: KubeObject) => RouteView;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #limits: LiveLimits;
  readonly #alarm: ImpersonationAlarm;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #subscribers = new Set<Subscriber>();
  #closed = false;

  constructor(options: LiveRoutesOptions) {
    this.#backend = options.backend;
    this.#view = options.view;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    this.#limits = { ...DEFAULT_LIVE_LIMITS, ...options.limits };
    this.#alarm = alarmFor(this.#logger, this.#clock);
  }

  /** Open streams and upstream watches, for tests and metrics. */
  counts(): { streams: number; upstreams: number; identities: number } {
    return { streams: this.#subscribers.size, upstreams: this.#upstreams.size, identities: this.#identitiesWithUpstreams().size };
  }

  /**
   * Admits a stream of `namespaces` for `who`, or says why not (nothing is
   * written to the sink then). The caller checked each namespace's syntax.
   * @throws what the backend's namespaces(who) throws (KubeApiError): the caller answers it as a read
   */
  async open(who: Identity, namespaces: readonly string[], sink: EventSink): Promise<OpenResult> {
    const wanted = [...new Set(namespaces)].sort();
    const identityKey = keyOf(who);
    // The cheap bounds first, so a refused request costs the backend nothing.
    const early = this.#streamRefusal(identityKey, wanted);
    if (early !== undefined) return early;
    const offered = new Set((await this.#backend.namespaces(who)).filter((n) => n.may.list).map((n) => n.name));
    const followed = wanted.filter((namespace) => offered.has(namespace));
    // Asked again: other streams may have opened while the backend answered.
    const refused = this.#streamRefusal(identityKey, wanted) ?? this.#upstreamRefusal(identityKey, followed);
    if (refused !== undefined) return refused;

    const subscriber: Subscriber = { identityKey, sink, upstreams: [], keepalive: undefined, closed: false };
    this.#subscribers.add(subscriber);
    sink.start();
    this.#armKeepalive(subscriber);
    for (const namespace of wanted) {
      if (!offered.has(namespace)) {
        this.#send(subscriber, "problem", { namespace, message: notOffered(namespace) });
        continue;
      }
      const upstream = this.#upstreamFor(who, identityKey, namespace);
      subscriber.upstreams.push(upstream);
      upstream.subscribers.add(subscriber);
      if (upstream.synced) this.#send(subscriber, "snapshot", this.#snapshot(upstream));
      else if (upstream.problem !== undefined) this.#send(subscriber, "problem", { namespace, message: upstream.problem });
    }
    return { ok: true, close: () => this.#unsubscribe(subscriber) };
  }

  /** Why a stream of `wanted` cannot be admitted now (shutdown, namespaces, streams), or undefined. */
  #streamRefusal(identityKey: string, wanted: readonly string[]): OpenResult | undefined {
    if (this.#closed) return { ok: false, status: 429, message: "the page is shutting down; reload in a moment" };
    if (wanted.length === 0) return { ok: false, status: 400, message: "name at least one namespace: /api/events?namespace=NS" };
    if (wanted.length > this.#limits.namespacesPerStream)
      return { ok: false, status: 400, message: `${wanted.length} namespaces in one stream; at most ${this.#limits.namespacesPerStream}` };
    const mine = [...this.#subscribers].filter((s) => s.identityKey === identityKey).length;
    if (mine >= this.#limits.streamsPerIdentity)
      return { ok: false, status: 429, message: `you have ${mine} live streams open (the most one person may); close a tab of this page` };
    if (this.#subscribers.size >= this.#limits.streams)
      return { ok: false, status: 429, message: `the page serves ${this.#subscribers.size} live streams, its limit; try again in a minute` };
    return undefined;
  }

  /**
   * Why the upstreams `followed` needs cannot be held (people, upstreams per
   * person), or undefined; makes room first by stopping the person's own
   * lingering upstreams, oldest first.
   */
  #upstreamRefusal(identityKey: string, followed: readonly string[]): OpenResult | undefined {
    if (followed.length === 0) return undefined;
    const identities = this.#identitiesWithUpstreams();
    if (!identities.has(identityKey) && identities.size >= this.#limits.identities)
      return { ok: false, status: 429, message: `the page follows routes for ${identities.size} people, its limit; try again in a minute` };
    const held = [...this.#upstreams.values()].filter((u) => u.identityKey === identityKey);
    const needed = followed.filter((namespace) => !this.#upstreams.has(upstreamKey(identityKey, namespace))).length;
    const over = held.length + needed - this.#limits.upstreamsPerIdentity;
    if (over <= 0) return undefined;
    const lingering = held.filter((u) => u.subscribers.size === 0 && !followed.includes(u.namespace));
    if (lingering.length < over)
      return {
        ok: false,
        status: 429,
        message: `your open streams follow ${held.length - lingering.length} namespaces (at most ${this.#limits.upstreamsPerIdentity} for one person); close a tab of this page`,
      };
    for (const upstream of lingering.slice(0, over)) void this.#stopUpstream(upstream);
    return undefined;
  }

  /** Ends every stream and stops every upstream watch (shutdown: open streams would keep the server from closing). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const subscriber of [...this.#subscribers]) {
      this.#unsubscribe(subscriber);
      subscriber.sink.end();
    }
    await Promise.all([...this.#upstreams.values()].map((u) => this.#stopUpstream(u)));
  }

  #identitiesWithUpstreams(): Set<string> {
    return new Set([...this.#upstreams.values()].map((u) => u.identityKey));
  }

  #upstreamFor(who: Identity, identityKey: string, namespace: string): Upstream {
    const key = upstreamKey(identityKey, namespace);
    const held = this.#upstreams.get(key);
    if (held !== undefined) {
      if (held.linger !== undefined) this.#clock.clearTimeout(held.linger);
      held.linger = undefined;
      return held;
    }
    const upstream = {
      key,
      identityKey,
      namespace,
      objects: new Map(),
      subscribers: new Set(),
      synced: false,
      problem: undefined,
      refused: false,
      linger: undefined,
    } as Omit<Upstream, "reflector"> as Upstream;
    upstream.reflector = new Reflector<KubeObject>({
      resource: { ...DOMAIN_ROUTES, namespace },
      client: this.#clientFor(who, upstream),
      transform: withoutManagedFields,
      // One list line per person and namespace is noise at info.
      logger: quieter(this.#logger),
      clock: this.#clock,
      random: this.#random,
    });
    upstream.reflector.addHandler((batch) => this.#apply(upstream, batch));
    this.#upstreams.set(key, upstream);
    upstream.reflector.start();
    return upstream;
  }

  /** The backend as the reflector's list-watch client, as `who`; failures become problem events on the way. */
  #clientFor(who: Identity, upstream: Upstream): ListWatchClient {
    const backend = this.#backend;
    return {
      list: async () => {
        try {
          const page = await backend.routes(who, upstream.namespace);
          upstream.problem = undefined;
          upstream.refused = false;
          // The backend answers the whole collection at once: one page.
          return { items: page.items, resourceVersion: page.resourceVersion };
        } catch (error) {
          upstream.refused = error instanceof KubeApiError && [401, 403, 404].includes(error.status);
          this.#problem(upstream, error);
          // A lingering upstream refused on a relist: nobody is left to tell, and its retries would only cost the API server.
          if (upstream.refused && upstream.subscribers.size === 0) void this.#stopUpstream(upstream);
          throw error;
        }
      },
      watch: (_resource, request, callbacks: WatchCallbacks) =>
        backend.watchRoutes(who, upstream.namespace, request.resourceVersion, {
          onEvent: (event) => callbacks.onEvent(event),
          onEnd: (error) => {
            // A closed watch resumes and a 410 relists (the reflector's job); a refusal is the person's to see.
            if (error !== undefined && !isExpired(error) && error.status >= 400 && error.status < 500) this.#problem(upstream, error);
            callbacks.onEnd(error);
          },
        }),
      describe: () => `the portal backend (${backend.mode}) as ${who.user}`,
    };
  }

  #apply(upstream: Upstream, batch: ReflectorBatch<KubeObject>): void {
    for (const change of batch.changes) {
      if (change.type === "deleted") upstream.objects.delete(change.key.name);
      else upstream.objects.set(change.key.name, change.object);
    }
    upstream.synced = true;
    if (batch.cause !== "watch") {
      const snapshot = this.#snapshot(upstream);
      for (const subscriber of upstream.subscribers) this.#send(subscriber, "snapshot", snapshot);
      return;
    }
    for (const change of batch.changes) {
      const object = change.object ?? { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { ...change.key } };
      const data = { namespace: upstream.namespace, type: change.type, route: this.#view(object) };
      for (const subscriber of upstream.subscribers) this.#send(subscriber, "change", data);
    }
  }

  #problem(upstream: Upstream, error: unknown): void {
    const message = this.#alarm.check(error) ? CANNOT_ACT_FOR_YOU : problemText(upstream.namespace, error);
    if (message === upstream.problem) return;
    upstream.problem = message;
    this.#logger.debug({ namespace: upstream.namespace, error: error instanceof Error ? error.message : String(error) }, "live routes: upstream problem");
    for (const subscriber of upstream.subscribers) this.#send(subscriber, "problem", { namespace: upstream.namespace, message });
  }

  #snapshot(upstream: Upstream): { namespace: string; items: RouteView[] } {
    const names = [...upstream.objects.keys()].sort();
    return { namespace: upstream.namespace, items: names.map((name) => this.#view(upstream.objects.get(name) as KubeObject)) };
  }

  #send(subscriber: Subscriber, event: string, data: unknown): void {
    if (subscriber.closed) return;
    // JSON.stringify escapes line breaks inside strings, so the data is one line.
    subscriber.sink.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #armKeepalive(subscriber: Subscriber): void {
    subscriber.keepalive = this.#clock.setTimeout(() => {
      if (subscriber.closed) return;
      subscriber.sink.write(": keepalive\n\n");
      this.#armKeepalive(subscriber);
    }, this.#limits.keepaliveMs);
  }

  #unsubscribe(subscriber: Subscriber): void {
    if (subscriber.closed) return;
    subscriber.closed = true;
    this.#subscribers.delete(subscriber);
    if (subscriber.keepalive !== undefined) this.#clock.clearTimeout(subscriber.keepalive);
    for (const upstream of subscriber.upstreams) {
      upstream.subscribers.delete(subscriber);
      if (upstream.subscribers.size > 0) continue;
      if (this.#limits.lingerMs <= 0 || this.#closed || upstream.refused) void this.#stopUpstream(upstream);
      else upstream.linger = this.#clock.setTimeout(() => void this.#stopUpstream(upstream), this.#limits.lingerMs);
    }
  }

  async #stopUpstream(upstream: Upstream): Promise<void> {
    if (upstream.linger !== undefined) this.#clock.clearTimeout(upstream.linger);
    upstream.linger = undefined;
    if (this.#upstreams.get(upstream.key) === upstream) this.#upstreams.delete(upstream.key);
    await upstream.reflector.stop();
  }
}

function upstreamKey(identityKey: string, namespace: string): string {
  return `${identityKey}\n${namespace}`;
}

/** The problem of a namespace the backend does not offer the person: said without asking the API server anything. */
function notOffered(namespace: string): string {
  return `${namespace} is not followed: the page offers you only namespaces a HostnameGrant names where you may list DomainRoutes`;
}

/** What the person reads when a namespace cannot be followed. */
function problemText(namespace: string, error: unknown): string {
  if (!(error instanceof KubeApiError)) return `the routes of ${namespace} cannot be read right now (retrying)`;
  if (error.status === 401 || error.status === 403) return error.statusMessage;
  if (error.status === 0 || error.status >= 500) return `the cluster did not answer for ${namespace} (retrying): ${error.statusMessage}`;
  return error.statusMessage;
}

/** The logger with info lowered to debug (methods bound: a class's methods do not survive a spread). */
function quieter(logger: Logger): Logger {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.debug(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
  };
}

/** managedFields is bookkeeping of the API server: large, and nothing the page shows or sends back. */
function withoutManagedFields(object: KubeObject): KubeObject {
  if (object.metadata === undefined || !("managedFields" in object.metadata)) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}
