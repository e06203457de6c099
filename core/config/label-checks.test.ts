// The config check's idea of hostgate's own label keys must cover every label
// the reconciler sets on what it writes, or a configured label with such a key
// would be accepted and then silently overwritten.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABEL_CLUSTER, LABEL_DOMAIN_HASH, LABEL_MANAGED_BY, LABEL_REGION, LABEL_ROUTE_UID } from "../../reconciler/domainroute/render/metadata.ts";
import { LABEL_GATEWAY_RECORD } from "../../reconciler/dns/external-dns/render-gateway-endpoints.ts";
import { isHostgateLabelKey } from "./label-checks.ts";

describe("hostgate's own label keys", () => {
  for (const key of [LABEL_MANAGED_BY, LABEL_ROUTE_UID, LABEL_DOMAIN_HASH, LABEL_CLUSTER, LABEL_REGION, LABEL_GATEWAY_RECORD]) {
    it(`include ${key}, which the reconciler sets`, () => assert.equal(isHostgateLabelKey(key), true));
  }
  for (const key of ["router.io/region", "app.kubernetes.io/name", "hostgate.dev", "example.com/hostgate.dev"]) {
    it(`leave ${key} to the platform`, () => assert.equal(isHostgateLabelKey(key), false));
  }
});
