// Where the controllers read a two-step member's address from (gateway-address.ts
// AddressObjects): the gateway Services and the pooled Gateways as cached. The
// Gateways are cached only on the Gateway API data plane, the one place a
// member reads its address from a Gateway, so that lookup is never made elsewhere.
import type { ObjectReader } from "../cluster/object-reader.ts";
import { GATEWAYS, SERVICES } from "../resources.ts";
import type { AddressObjects } from "./gateway-address.ts";

export function cachedAddressObjects(reader: ObjectReader): AddressObjects {
  return { service: (ref) => reader.get(SERVICES, ref), gateway: (ref) => reader.get(GATEWAYS, ref) };
}
