// The API server's checks on a CRD outside its schema: naming, versions and
// scope (apiextensions' ValidateCustomResourceDefinition). Messages follow
// the API server's wording so a failure reads like the real rejection.
import type { CrdManifest } from "./catalog.ts";

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function dns1035(value: string | undefined): boolean {
  return value !== undefined && value.length <= 63 && DNS1035_LABEL.test(value);
}

export function crdSpecProblems(crd: CrdManifest): string[] {
  const out: string[] = [];
  const { group, names, scope, versions } = crd.spec;

  if (crd.metadata.name !== `${names.plural}.${group}`) {
    out.push(`metadata.name: Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group`);
  }
  if (!DNS1123_SUBDOMAIN.test(group) || group.length > 253) out.push(`spec.group: Invalid value: ${JSON.stringify(group)}: must be a DNS subdomain`);
  else if (!group.includes(".")) out.push(`spec.group: Invalid value: ${JSON.stringify(group)}: should be a domain with at least one dot`);
  if (scope !== "Namespaced" && scope !== "Cluster")
    out.push(`spec.scope: Unsupported value: ${JSON.stringify(scope)}: supported values: "Cluster", "Namespaced"`);

  if (!dns1035(names.plural)) out.push(`spec.names.plural: Invalid value: ${JSON.stringify(names.plural)}: must be a lowercase DNS-1035 label`);
  if (names.singular !== undefined && !dns1035(names.singular)) {
    out.push(`spec.names.singular: Invalid value: ${JSON.stringify(names.singular)}: must be a lowercase DNS-1035 label`);
  }
  if (!dns1035(names.kind?.toLowerCase()))
    out.push(`spec.names.kind: Invalid value: ${JSON.stringify(names.kind)}: may have mixed case, but should otherwise match a DNS-1035 label`);
  if (names.listKind !== undefined) {
    if (!dns1035(names.listKind.toLowerCase()))
      out.push(`spec.names.listKind: Invalid value: ${JSON.stringify(names.listKind)}: may have mixed case, but should otherwise match a DNS-1035 label`);
    if (names.listKind === names.kind) out.push(`spec.names.listKind: Invalid value: ${JSON.stringify(names.listKind)}: kind and listKind may not be the same`);
  }
  (names.shortNames ?? []).forEach((s, i) => {
    if (!dns1035(s)) out.push(`spec.names.shortNames[${i}]: Invalid value: ${JSON.stringify(s)}: must be a DNS-1035 label`);
  });
  (names.categories ?? []).forEach((c, i) => {
    if (!dns1035(c)) out.push(`spec.names.categories[${i}]: Invalid value: ${JSON.stringify(c)}: must be a DNS-1035 label`);
  });

  if (versions.length === 0) out.push("spec.versions: Required value: must have at least one version");
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (!dns1035(v.name)) out.push(`spec.versions[${i}].name: Invalid value: ${JSON.stringify(v.name)}: must be a DNS-1035 label`);
    if (seen.has(v.name)) out.push(`spec.versions[${i}].name: Duplicate value: ${JSON.stringify(v.name)}`);
    seen.add(v.name);
    if (v.schema?.openAPIV3Schema === undefined) out.push(`spec.versions[${i}].schema.openAPIV3Schema: Required value: schemas are required`);
  });
  if (versions.filter((v) => v.storage).length !== 1) out.push("spec.versions: Invalid value: must have exactly one version marked as storage version");
  if (!versions.some((v) => v.served)) out.push("spec.versions: Invalid value: must have at least one version marked as served");
  return out;
}
