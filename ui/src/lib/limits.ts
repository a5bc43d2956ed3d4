// Input checks from the limits the provider enforces (`LIMITS` in the generated bindings).
import { LIMITS } from "../bindings";

export { LIMITS };

/** A parental PIN: exactly `LIMITS.pin_digits` ASCII digits. */
export function isPin(value: string): boolean {
  return value.length === LIMITS.pin_digits && /^[0-9]+$/.test(value);
}
