// What reading manifests produces, and how it fails.
import { InputError } from "../../policies/engine/input-error.ts";

/** One Kubernetes object read from disk, with where it came from for messages. */
export interface Manifest {
  object: Record<string, unknown>;
  /**
   * Where the object was read: `path/to/file.yaml` for a file holding one
   * object, `path/to/file.yaml#2` for the second document of a multi-document
   * file (1-based, counting empty documents so the number matches the file),
   * and ` items[3]` appended for an entry of a `kind: List`.
   */
  source: string;
}

/**
 * Bad input on disk: every problem found, each already naming the file and,
 * where known, the line and column. Callers print `message` and exit with
 * `exitCode`; a stack trace would only hide the useful part.
 */
export class ManifestError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "the manifests cannot be read");
  }
}
