// Names of the objects hostgate produces for a domain. They live in
// core/kube/produced-names.ts, so that the policies' audit computes the very
// names the reconciler writes without importing the reconciler; this file
// re-exports them for the reconciler's code.
export { domainHash, HASH_LENGTH, hashedName, MAX_NAME_LENGTH, objectNameFor, regionalObjectName } from "../../../core/kube/produced-names.ts";
