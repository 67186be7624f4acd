import fc from 'fast-check';
import { textOf } from './FuzzRequest';
import { hostileString, wrongTypedValue } from './hostileValues';

/** The parts of a JSON Schema (OpenAPI 3.1) the agents document uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

/** Realistic values by property or parameter name, so valid-shaped requests reach past validation. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const MAX_GENERATED_LENGTH = 40;

/**
 * Arbitraries derived from the schemas of an OpenAPI document: values that match a schema
 * (`valid`), values that break it in one place (`invalid`), and a mix of both (`any`).
 */
export class SchemaArbitraries {
  constructor(
    private readonly document: { components?: Record<string, Record<string, unknown>> },
    private readonly hints: Hints = {},
  ) {}

  /** Follows `#/components/...` references. */
  resolve(schema: Schema): Schema {
    let current = schema;
    while (current.$ref) {
      const [, , section, name] = current.$ref.split('/');
      const target = this.document.components?.[section]?.[name] as Schema | undefined;
      if (!target) throw new Error(`Unresolved reference ${current.$ref}`);
      current = target;
    }
    return current;
  }

  valid(raw: Schema, name?: string): fc.Arbitrary<unknown> {
    const generic = this.validByType(this.resolve(raw));
    const hint = name === undefined ? undefined : this.hints[name];
    return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: generic }) : generic;
  }

  invalid(raw: Schema, name?: string): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const wrongType = wrongTypedValue.filter(value => !this.isOfType(schema, value));
    const broken = this.invalidByType(schema, name);
    return broken ? fc.oneof(broken, wrongType) : wrongType;
  }

  any(raw: Schema, name?: string): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 3, arbitrary: this.valid(raw, name) }, { weight: 2, arbitrary: this.invalid(raw, name) });
  }

  private validByType(schema: Schema): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'object':
        return this.validObject(schema);
      case 'array':
        return fc.array(this.valid(schema.items ?? {}), { maxLength: 3 });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'string':
        return this.validString(schema);
      default:
        return wrongTypedValue;
    }
  }

  private validString(schema: Schema): fc.Arbitrary<string> {
    switch (schema.format) {
      case 'uuid':
        return fc.uuid();
      case 'date':
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
          .map(d => d.toISOString().slice(0, 10));
      case 'date-time':
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
          .map(d => d.toISOString());
      default: {
        if (schema.pattern?.startsWith('^sha256:')) {
          return fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map(h => `sha256:${h}`);
        }
        const minLength = schema.minLength ?? 0;
        const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_GENERATED_LENGTH, MAX_GENERATED_LENGTH));
        return fc.string({ unit: 'grapheme', minLength, maxLength });
      }
    }
  }

  private validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties = schema.properties ?? {};
    const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, this.valid(value, key)]));
    const required = (schema.required ?? []).filter(key => key in properties);
    // Each optional field half of the time, or none: many optional fields together rarely make sense.
    const requiredOnly = fc.record(Object.fromEntries(required.map(key => [key, model[key]])));
    return fc.oneof(requiredOnly, fc.record(model, { requiredKeys: required }));
  }

  private invalidByType(schema: Schema, name?: string): fc.Arbitrary<unknown> | undefined {
    if (schema.enum) {
      return fc.oneof(
        fc.constantFrom(...schema.enum.filter((v): v is string => typeof v === 'string').map(v => v.toUpperCase())),
        hostileString,
      );
    }
    switch (schema.type) {
      case 'object':
        return this.invalidObject(schema);
      case 'array':
        return fc.array(this.invalid(schema.items ?? {}), { minLength: 1, maxLength: 3 });
      case 'integer':
        return fc.constantFrom(
          ...[schema.minimum === undefined ? undefined : schema.minimum - 1, schema.maximum === undefined ? undefined : schema.maximum + 1]
            .filter((v): v is number => v !== undefined),
          1.5,
          Number.MAX_SAFE_INTEGER + 2,
          -1e308,
        );
      case 'number':
        return fc.constantFrom(-1, 1e309 /* Infinity: serialised as null */, '1');
      case 'string': {
        const tooLong = schema.maxLength === undefined ? [] : ['x'.repeat(schema.maxLength + 1)];
        const tooShort = schema.minLength ? [''] : [];
        const hint = name === undefined ? undefined : this.hints[name];
        return fc.oneof(
          { weight: 4, arbitrary: hostileString },
          ...(tooLong.length + tooShort.length ? [{ weight: 1, arbitrary: fc.constantFrom(...tooLong, ...tooShort) }] : []),
          // A hinted value with something around it: close to valid, which reaches deeper.
          ...(hint ? [{ weight: 2, arbitrary: fc.tuple(hint, hostileString).map(([v, s]) => `${textOf(v)}${s}`) }] : []),
        );
      }
      default:
        return undefined;
    }
  }

  private invalidObject(schema: Schema): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const keys = Object.keys(properties);
    const valid = this.validObject(schema);
    const variants: fc.Arbitrary<unknown>[] = [
      // One field of the wrong kind.
      ...keys.map(key =>
        fc.tuple(valid, this.invalid(properties[key], key)).map(([object, value]) => ({ ...object, [key]: value })),
      ),
    ];
    const required = (schema.required ?? []).filter(key => key in properties);
    if (required.length) {
      // A required field missing.
      variants.push(fc.tuple(valid, fc.constantFrom(...required)).map(([object, key]) => omit(object, key)));
    }
    if (schema.additionalProperties !== true) {
      // A field the schema does not have.
      variants.push(
        fc
          .tuple(valid, fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'status', 'createdBy', 'policy'), fc.string({ minLength: 1, maxLength: 8 })), wrongTypedValue)
          .filter(([, key]) => !(key in properties))
          // A computed key makes even `__proto__` an own, serialised property.
          .map(([object, key, value]) => ({ ...object, [key]: value })),
      );
    }
    return fc.oneof(...variants);
  }

  private isOfType(schema: Schema, value: unknown): boolean {
    switch (schema.type) {
      case 'object':
        return typeof value === 'object' && value !== null && !Array.isArray(value);
      case 'array':
        return Array.isArray(value);
      case 'integer':
        return Number.isInteger(value);
      case 'number':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'string':
        return typeof value === 'string';
      default:
        return false;
    }
  }
}

function omit(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _omitted, ...rest } = object;
  return rest;
}
