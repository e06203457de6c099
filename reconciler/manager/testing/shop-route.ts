// The DomainRoute the whole-reconciler tests create: shop.example.com in
// team-a on the alb-out load balancer, External (no backend to render), so a
// test sees only what the controller under test does with a placed route.
import type { KubeObject } from "../../../core/kube/object-key.ts";

export const shop: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a" },
  spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "External" } },
};
