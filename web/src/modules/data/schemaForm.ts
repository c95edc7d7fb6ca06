/**
 * JSON Schema → form fields. The cleaning rules and augmentation methods describe their
 * parameters with the JSON Schema pydantic writes (`params_schema`); the console turns each
 * property into an input: numbers, strings, booleans, enums (also through `$ref` to `$defs`
 * and `Literal`s), string lists, a code editor for source code, and a JSON editor for
 * anything else. Optional fields (`anyOf: [X, {type: null}]`) are X that may stay empty.
 */

export type FieldKind = "integer" | "number" | "string" | "text" | "code" | "boolean" | "enum" | "multiEnum"
  | "stringList" | "json";

export interface FormField {
  name: string;
  kind: FieldKind;
  label: string;
  description?: string;
  required: boolean;
  /** The field may be left empty (null); the parameter is then omitted. */
  nullable: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** Options of an enum (or of the items of a multi-enum). */
  options?: (string | number | boolean)[];
}

interface Schema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  maxLength?: number;
  $defs?: Record<string, Schema>;
  definitions?: Record<string, Schema>;
  "x-widget"?: string;
  widget?: string;
}

const CODE_NAMES = new Set(["source", "code", "python", "script"]);
const LONG_TEXT_NAMES = new Set(["prompt", "template", "instruction", "system_prompt"]);

function asSchema(value: unknown): Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Schema) : {};
}

/** Follow a local `$ref` (`#/$defs/Name`) and a single-entry `allOf` wrapper. */
function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 8; depth += 1) {
    if (current.$ref?.startsWith("#/")) {
      const target = current.$ref.slice(2).split("/").reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
      const { $ref: _ref, ...rest } = current;
      current = { ...asSchema(target), ...rest };
      continue;
    }
    if (current.allOf?.length === 1) {
      const { allOf, ...rest } = current;
      current = { ...asSchema(allOf[0]), ...rest };
      continue;
    }
    break;
  }
  return current;
}

function typesOf(schema: Schema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function isOption(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Enum options of a schema: `enum`, a `const`, or a union of `const`s (pydantic's Literal). */
function enumOptions(schema: Schema, root: Schema): (string | number | boolean)[] | undefined {
  if (schema.enum) return schema.enum.filter(isOption);
  if (schema.const !== undefined && isOption(schema.const)) return [schema.const];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0) {
    const resolved = branches.map((branch) => resolve(asSchema(branch), root));
    if (resolved.every((branch) => branch.const !== undefined || branch.enum !== undefined)) {
      return resolved.flatMap((branch) => enumOptions(branch, root) ?? []);
    }
  }
  return undefined;
}

/** One property's field. */
export function fieldFor(name: string, property: unknown, required: boolean, root: Schema = {}): FormField {
  let schema = resolve(asSchema(property), root);
  let nullable = false;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const resolved = branches.map((branch) => resolve(asSchema(branch), root));
    const nonNull = resolved.filter((branch) => !typesOf(branch).includes("null") || typesOf(branch).length > 1);
    nullable = nonNull.length < resolved.length;
    if (nonNull.length === 1 && nonNull[0]) {
      const { anyOf: _a, oneOf: _o, ...outer } = schema;
      schema = { ...nonNull[0], ...outer };
    } else if (nullable) {
      const { anyOf: _a, oneOf: _o, ...outer } = schema;
      schema = { ...outer, anyOf: nonNull };
    }
  }
  const types = typesOf(schema).filter((type) => type !== "null");
  if (typesOf(schema).includes("null")) nullable = true;

  const field: FormField = {
    name,
    kind: "json",
    label: schema.title ?? name,
    required,
    nullable,
  };
  if (schema.description) field.description = schema.description;
  if (schema.default !== undefined) field.default = schema.default;
  const minimum = schema.minimum ?? schema.exclusiveMinimum;
  const maximum = schema.maximum ?? schema.exclusiveMaximum;
  if (minimum !== undefined) field.minimum = minimum;
  if (maximum !== undefined) field.maximum = maximum;

  const options = enumOptions(schema, root);
  const widget = schema["x-widget"] ?? schema.widget ?? schema.format;
  if (options && options.length > 0) {
    field.kind = "enum";
    field.options = options;
  } else if (types.length === 1 && types[0] === "boolean") {
    field.kind = "boolean";
  } else if (types.length === 1 && types[0] === "integer") {
    field.kind = "integer";
  } else if (types.length === 1 && types[0] === "number") {
    field.kind = "number";
  } else if (types.length === 1 && types[0] === "string") {
    if (widget === "code" || widget === "python" || CODE_NAMES.has(name)) field.kind = "code";
    else if (widget === "textarea" || LONG_TEXT_NAMES.has(name) || (schema.maxLength ?? 0) > 500) field.kind = "text";
    else field.kind = "string";
  } else if (types.length === 1 && types[0] === "array") {
    const items = resolve(asSchema(schema.items), root);
    const itemOptions = enumOptions(items, root);
    if (itemOptions && itemOptions.length > 0) {
      field.kind = "multiEnum";
      field.options = itemOptions;
    } else if (typesOf(items).includes("string") || typesOf(items).length === 0) {
      field.kind = "stringList";
    }
  }
  return field;
}

/** Names that carry the rule's or method's own name (the discriminator), never a parameter. */
const DISCRIMINATORS = new Set(["rule", "method"]);

/**
 * The fields of an object schema, in declaration order. A property with a fixed value (`const`,
 * pydantic's discriminator `method: Literal["random_swap"]`) is not an input: the builder sets it.
 */
export function schemaFields(schema: unknown): FormField[] {
  const root = asSchema(schema);
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {})
    .filter(([name, property]) => !DISCRIMINATORS.has(name) && resolve(asSchema(property), root).const === undefined)
    .map(([name, property]) => fieldFor(name, property, required.has(name), root));
}

/** What a field's input holds at first: the default, shown as the input expects it. */
export function initialValue(field: FormField): unknown {
  const value = field.default;
  if (field.kind === "json") return value === undefined ? "" : JSON.stringify(value, null, 2);
  if (value === undefined || value === null) {
    if (field.kind === "boolean") return false;
    if (field.kind === "stringList" || field.kind === "multiEnum") return [];
    return undefined;
  }
  return value;
}

/** Initial values of every field, by name. */
export function initialValues(fields: readonly FormField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field.name, initialValue(field)]));
}

export type ParamsFromForm = { ok: true; params: Record<string, unknown> } | { ok: false; field: string; message: string };

/**
 * The parameters to send from the form's values: empty optional inputs are left out (the
 * server applies its default), JSON inputs are parsed.
 */
export function paramsFromValues(fields: readonly FormField[], values: Record<string, unknown>): ParamsFromForm {
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    const empty = value === undefined || value === null || (typeof value === "string" && value.trim() === "");
    if (field.kind === "json") {
      if (empty) continue;
      try {
        params[field.name] = JSON.parse(String(value));
      } catch (error) {
        return { ok: false, field: field.name, message: error instanceof Error ? error.message : String(error) };
      }
      continue;
    }
    if (empty) {
      if (field.required && !field.nullable) return { ok: false, field: field.name, message: "required" };
      continue;
    }
    if (field.kind === "stringList" && Array.isArray(value)) {
      params[field.name] = value.map((item) => String(item).trim()).filter((item) => item !== "");
      continue;
    }
    params[field.name] = value;
  }
  return { ok: true, params };
}
