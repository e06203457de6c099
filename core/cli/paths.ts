// Where the bundled material lives: resolved from this file, not the working
// directory, so `npx hostgate` works from anywhere.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILTIN_POLICIES = join(PACKAGE_ROOT, "policies", "library");
export const EXAMPLES = join(PACKAGE_ROOT, "examples");
export const DEFAULT_CONFIG = join(EXAMPLES, "platform-config.yaml");
export const DEFAULT_STATE = join(EXAMPLES, "state");
