// `hostgate render` checks every object it prints against its kind's published
// schema before printing it, so a render that passes is one the API server
// would take: Istio's objects through Istio's schemas (validate-istio.ts), the
// Gateway API's through the Gateway API's (@kubernetes-models/gateway-api,
// generated from its CRDs), Services and EndpointSlices through Kubernetes'
// own, prometheus-operator's PrometheusRule and Probe through its
// (@kubernetes-models/prometheus-operator), the gateway's Telemetry through
// Istio's telemetry.istio.io schema. Kinds with no published schema in the dependencies (external-dns's
// DNSEndpoint, Envoy Gateway's policies, cert-manager's Certificate) are
// checked against their CRDs in the tests instead.
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { ReferenceGrant } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant";
import { Telemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry";
import { Probe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { EndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { validateIstioObject } from "../domainroute/render/validate-istio.ts";

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

const OTHER_MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ["gateway.networking.k8s.io/v1/Gateway", Gateway as unknown as ModelClass],
  ["gateway.networking.k8s.io/v1/HTTPRoute", HTTPRoute as unknown as ModelClass],
  ["gateway.networking.k8s.io/v1beta1/ReferenceGrant", ReferenceGrant as unknown as ModelClass],
  ["v1/Service", Service as unknown as ModelClass],
  ["discovery.k8s.io/v1/EndpointSlice", EndpointSlice as unknown as ModelClass],
  ["telemetry.istio.io/v1/Telemetry", Telemetry as unknown as ModelClass],
  ["monitoring.coreos.com/v1/PrometheusRule", PrometheusRule as unknown as ModelClass],
  ["monitoring.coreos.com/v1/Probe", Probe as unknown as ModelClass],
]);

const ISTIO_GROUPS = ["networking.istio.io/", "security.istio.io/"];

/** Throws an Error naming the object and its violations when it does not match its kind's schema; kinds without one here pass. */
export function validateRendered(object: KubeObject): void {
  const apiVersion = String(object.apiVersion);
  if (ISTIO_GROUPS.some((group) => apiVersion.startsWith(group))) {
    validateIstioObject(object);
    return;
  }
  const Model = OTHER_MODELS.get(`${apiVersion}/${String(object.kind)}`);
  if (Model === undefined) return;
  try {
    new Model(object as never).validate();
  } catch (error) {
    const where = `${String(object.kind)} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
    throw new Error(`${where} does not match the ${apiVersion} ${String(object.kind)} schema: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
