// JSON Schema of the platform config file. Every key carries a description:
// the README points at this schema, and validation errors quote the
// description as the "how to fix" part, so they must read as instructions.

/** Lowercase DNS name of at least two labels, 253 characters at most. */
export const DNS_NAME_PATTERN = "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$";
/** Route53 hosted zone ID. */
export const ZONE_ID_PATTERN = "^Z[A-Z0-9]{1,31}$";
/** Kubernetes namespace (RFC 1123 label). */
export const NAMESPACE_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/** Lowercase HTTP header field name (RFC 9110 token). */
export const HEADER_TOKEN_PATTERN = "^[a-z0-9!#$%&'*+.^_`|~-]+$";
/** Provider names are short lowercase identifiers, as used in `spec.protection.provider`. */
export const PROVIDER_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/** Kubernetes label key: optional DNS prefix and `/`, then a name of 63 characters at most. */
export const LABEL_KEY_PATTERN =
  "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
/** Kubernetes label value. */
export const LABEL_VALUE_PATTERN = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";

const loadBalancer = (visibility: string, example: string) => ({
  type: "object",
  description: `The ${visibility} Application Load Balancer that DomainRoutes with this \`spec.lb\` are published on.`,
  additionalProperties: false,
  required: ["dnsName", "hostedZoneId"],
  properties: {
    dnsName: {
      type: "string",
      pattern: DNS_NAME_PATTERN,
      description: `DNS name of the load balancer, lowercase, as shown by \`aws elbv2 describe-load-balancers\` (e.g. \`${example}\`). DNS alias records point here.`,
    },
    hostedZoneId: {
      type: "string",
      pattern: ZONE_ID_PATTERN,
      description:
        "The load balancer's canonical hosted zone ID (`CanonicalHostedZoneId` in `aws elbv2 describe-load-balancers`, e.g. `Z35SXDOTRQ7X7K` in us-east-1), not the zone of your domain: alias records need it.",
    },
  },
});

export const platformConfigSchema = {
  $id: "https://hostgate.dev/schemas/platform-config.v1alpha1.json",
  title: "hostgate PlatformConfig",
  description:
    "Platform-wide settings of a hostgate installation: which domains it manages, where traffic enters, and the rules every DomainRoute is checked against. Unknown keys are errors so that typos cannot silently disable a setting.",
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "domains", "loadBalancers"],
  properties: {
    apiVersion: {
      const: "hostgate.dev/v1alpha1",
      description: "Must be `hostgate.dev/v1alpha1`.",
    },
    kind: {
      const: "PlatformConfig",
      description: "Must be `PlatformConfig`.",
    },
    domains: {
      type: "array",
      minItems: 1,
      description:
        "DNS zones the platform manages, at least one. A DomainRoute's `spec.domain` must equal or be under one apex; apexes must not repeat or nest (`shop.example.com` under `example.com`), so each domain has exactly one zone.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["apex", "zoneId"],
        description: "One managed DNS zone.",
        properties: {
          apex: {
            type: "string",
            pattern: DNS_NAME_PATTERN,
            description: "The zone's apex domain: a lowercase DNS name without a trailing dot, e.g. `example.com`.",
          },
          zoneId: {
            type: "string",
            pattern: ZONE_ID_PATTERN,
            description:
              "Route53 hosted zone ID of the apex: `Z` then up to 31 uppercase letters or digits, e.g. `Z0123456789ABC` (without the `/hostedzone/` prefix).",
          },
        },
      },
    },
    loadBalancers: {
      type: "object",
      additionalProperties: false,
      required: ["alb-out", "alb-in"],
      description: "The two load balancers a DomainRoute can choose with `spec.lb`. Both are required and must be different load balancers.",
      properties: {
        "alb-out": loadBalancer("internet-facing (public)", "public-1.us-east-1.elb.amazonaws.com"),
        "alb-in": loadBalancer("internal", "internal-1.us-east-1.elb.amazonaws.com"),
      },
    },
    protection: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Application protection (authentication in front of an app) that DomainRoutes can request.",
      properties: {
        providers: {
          type: "array",
          uniqueItems: true,
          default: [],
          description:
            "Names of the protection providers installed on the platform (e.g. `sso`); `spec.protection.provider` must be one of them. May be empty.",
          items: {
            type: "string",
            pattern: PROVIDER_NAME_PATTERN,
            description: "A provider name: lowercase letters, digits and `-`, e.g. `sso`.",
          },
        },
        requireOnPublic: {
          type: "boolean",
          default: true,
          description:
            "When true (default), a DomainRoute on `alb-out` without `spec.protection` is denied unless a HostnameGrant sets `allowPublicWithoutProtection`. When false, it is admitted with a warning.",
        },
        identityHeader: {
          type: "string",
          pattern: HEADER_TOKEN_PATTERN,
          default: "x-app-id",
          description: "Lowercase HTTP header that carries the protected app's `appId` to the provider. Default `x-app-id`.",
        },
      },
    },
    gateway: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "The Istio ingress gateway that managed routes are attached to.",
      properties: {
        namespace: {
          type: "string",
          pattern: NAMESPACE_PATTERN,
          default: "istio-system",
          description: "Namespace of the ingress gateway deployment. Default `istio-system`.",
        },
        selector: {
          type: "object",
          minProperties: 1,
          default: { istio: "ingressgateway" },
          description: "Pod labels selecting the ingress gateway (a Kubernetes label map, at least one label). Default `{istio: ingressgateway}`.",
          propertyNames: { pattern: LABEL_KEY_PATTERN },
          additionalProperties: {
            type: "string",
            pattern: LABEL_VALUE_PATTERN,
            description: "A label value: 63 characters at most, letters, digits, `-`, `_`, `.`.",
          },
        },
      },
    },
    externalBackends: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Rules for `spec.backend.external` (traffic sent to an IP outside the cluster).",
      properties: {
        deniedCidrs: {
          type: "array",
          uniqueItems: true,
          default: [],
          description:
            "IP ranges an external backend must not point into, in CIDR notation (IPv4 like `169.254.0.0/16` or IPv6 like `fd00:ec2::254/128`). Default none.",
          items: {
            type: "string",
            format: "cidr",
            description: "An IPv4 or IPv6 CIDR such as `10.0.0.0/8` or `fd00::/8`.",
          },
        },
      },
    },
    serviceBackends: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Rules for `spec.backend.service`.",
      properties: {
        allowCrossNamespace: {
          type: "boolean",
          default: false,
          description: "When false (default), `spec.backend.service.namespace` must be the DomainRoute's own namespace.",
        },
      },
    },
  },
} as const;
