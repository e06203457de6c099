// hostgate's CEL extension functions for policy modules. Add
// `...hostgateFunctions` to an environment's `funcs`; the groups are exported
// for environments that want only some of them. Documented in README.md.

import type { CelFunc } from "@bufbuild/cel";
import { cidrFunctions } from "./cidr-functions.ts";
import { hostnameFunctions } from "./hostname-functions.ts";
import { ipFunctions } from "./ip-functions.ts";
import { listFunctions } from "./list-functions.ts";
import { regexFunctions } from "./regex-functions.ts";

export { cidrFunctions, hostnameFunctions, ipFunctions, listFunctions, regexFunctions };

export const hostgateFunctions: CelFunc[] = [...ipFunctions, ...cidrFunctions, ...listFunctions, ...regexFunctions, ...hostnameFunctions];
