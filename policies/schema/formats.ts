// String formats the API server checks in CRD schemas (kube-openapi's strfmt
// registry), for the ones a CRD is likely to use. A format not listed here is
// not checked, as the API server does not check formats it does not know.
import { isIPv4, isIPv6 } from "node:net";

export type FormatCheck = (value: string) => boolean;

// strfmt.ParseDateTime tries RFC 3339 with and without fractions and colon
// in the offset, local times without an offset, reduced precision
// (no seconds) and the "sortable" form with a space; "" is accepted too.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function dateTime(value: string): boolean {
  if (value === "") return true;
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const [, y, mo, d, h, mi, s] = m;
  return validDate(Number(y), Number(mo), Number(d)) && Number(h) < 24 && Number(mi) < 60 && (s === undefined || Number(s) < 60);
}

function date(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function cidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

export const FORMATS: Readonly<Record<string, FormatCheck>> = {
  "date-time": dateTime,
  datetime: dateTime,
  date,
  uuid: (v) => UUID.test(v),
  uuid3: (v) => UUID3.test(v),
  uuid4: (v) => UUID4.test(v),
  uuid5: (v) => UUID5.test(v),
  // Go's net.ParseIP, like node's isIPv4, rejects leading zeros.
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  cidr,
  byte: (v) => BASE64.test(v),
};
