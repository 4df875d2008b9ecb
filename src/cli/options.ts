/** Option parsers the commands share. */
import { DomainError } from '../domain/errors.js';

/** A comma-separated option whose every part is one of `allowed`; throws naming the first that is not. */
export function commaChoices<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const parts = value.split(',').filter(Boolean);
  const bad = parts.find((x) => !(allowed as readonly string[]).includes(x));
  if (bad !== undefined) throw new DomainError('validation', `${flag}: "${bad}" is not one of ${allowed.join(', ')}`);
  return parts as T[];
}

export function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new DomainError('validation', `${name}: "${v}" is not a whole number`, [{ field: name, message: 'not a whole number' }]);
    return n;
  };
}
