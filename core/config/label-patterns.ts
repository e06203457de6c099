// Kubernetes label syntax, shared by the config schema's sections (its own
// module so a section's schema can use it without importing schema.ts,
// which imports the sections).

/** Kubernetes label key: optional DNS prefix and `/`, then a name of 63 characters at most. */
export const LABEL_KEY_PATTERN =
  "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
/** Kubernetes label value. */
export const LABEL_VALUE_PATTERN = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";
