// Short names that other projects' resources already declare. kubectl
// resolves a short name to a single resource even when several CRDs declare
// it (measured on kube-apiserver 1.28 with Istio's CRDs: `kubectl get dr`
// returned hostgate's DomainRoutes instead of Istio's DestinationRules), so
// a hostgate CRD that reuses one silently steals a shorthand people type
// every day. The list covers Kubernetes itself and the projects a platform
// commonly runs beside hostgate; extend it when a new neighbour appears.
export const TAKEN_SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  kubernetes: [
    "cm",
    "cs",
    "csr",
    "cj",
    "crd",
    "crds",
    "deploy",
    "ds",
    "ep",
    "ev",
    "hpa",
    "ing",
    "limits",
    "netpol",
    "no",
    "ns",
    "pc",
    "pdb",
    "po",
    "psp",
    "pv",
    "pvc",
    "quota",
    "rc",
    "rs",
    "sa",
    "sc",
    "sts",
    "svc",
  ],
  istio: ["ap", "dr", "gw", "pa", "ra", "se", "vs", "we", "wg"],
  "gateway-api": ["btlspolicy", "gc", "gtw", "refgrant"],
  "cert-manager": ["cert", "certs", "cr", "crs"],
  knative: ["cfg", "config", "kservice", "ksvc", "rev", "rt"],
  argo: ["app", "apps", "appproj", "appprojs", "appset", "appsets", "cwf", "cronwf", "ro", "wf", "wftmpl"],
  flux: ["gitrepo", "hc", "helmrepo", "hr", "ks", "ocirepo"],
  kyverno: ["cpol", "cpolr", "pol", "polex", "polr", "ur"],
  "prometheus-operator": ["am", "amcfg", "pmon", "prb", "prom", "promrule", "ruler", "scfg", "smon"],
};
