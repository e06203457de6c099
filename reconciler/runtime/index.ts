// The controller runtime: client-go / controller-runtime machinery for
// hostgate's reconcilers. A shared informer keeps a store of a resource and
// tells handlers of changes; handlers enqueue keys into a controller's
// rate-limiting work queue; the controller's workers reconcile each key;
// leader election on a Lease makes one replica of several do it.
export { WorkQueue } from "./work-queue.ts";
export type { WorkQueueOptions } from "./work-queue.ts";
export { defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from "./rate-limiter.ts";
export type { ItemExponentialOptions, RateLimiter } from "./rate-limiter.ts";
export { TokenBucketRateLimiter } from "./token-bucket-rate-limiter.ts";
export type { TokenBucketOptions } from "./token-bucket-rate-limiter.ts";
export { Controller } from "./controller.ts";
export type { ControllerOptions, ControllerStats, Reconcile, ReconcileResult } from "./controller.ts";
export { SharedInformer } from "./informer.ts";
export type { InformerOptions } from "./informer.ts";
export { enqueueKeys } from "./informer-handler.ts";
export type { InformerHandler } from "./informer-handler.ts";
export { LeaderElector } from "./leader-election.ts";
export type { LeaderElectorOptions } from "./leader-election.ts";
export type { Lease, LeaseClient, LeaseSpec } from "./lease-client.ts";
export { formatMicroTime, parseMicroTime } from "./micro-time.ts";
