// Reading Kubernetes objects from disk, naming them, and handing them to CEL.
export { ManifestError } from "./manifest.ts";
export type { Manifest } from "./manifest.ts";
export { readManifests, readManifestsSync } from "./read-manifests.ts";
export { parseManifestText, toPlainData } from "./parse-manifests.ts";
export type { ParsedManifests } from "./parse-manifests.ts";
export { objectRef, formatObjectRef } from "./object-ref.ts";
export type { ObjectRef } from "./object-ref.ts";
export { toCelInput } from "./cel-input.ts";
export type { CelInputValue } from "./cel-input.ts";
export { positionOf, yamlErrorProblem } from "../../policies/engine/yaml-problems.ts";
