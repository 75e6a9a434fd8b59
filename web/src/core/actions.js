// The fields of each workflow action's form, read from the API's own OpenAPI document (the schema of
// the action's request body: names, types, enums, required, lengths). The client adds only what a
// person reads: each field's Chinese caption and where an enum's labels come from (/meta/enums).
import { api } from "./api.js";

const CAPTIONS = {
  comment: "意见", reason: "理由", duplicate_of: "重复问题的编号（ID）", referred_to: "转交的办理机关",
  scope: "问题范围", department_id: "承办单位", assist_department_ids: "协办单位", due_at: "办理期限",
  instructions: "交办要求", resolution: "办理结果", rating: "评价", method: "评价方式", note: "说明",
  question: "需补充的内容", answer: "补充内容", approve: "是否同意", deadline: "督办期限", text: "留言内容",
  internal: "仅内部可见（企业看不到）",
};
const ENUM_GROUPS = { scope: "problem_scope", rating: "satisfaction", method: "feedback_method" };
const DEPARTMENT_FIELDS = ["department_id", "assist_department_ids"];

let documentPromise = null;

function openapi() {
  if (!documentPromise) {
    documentPromise = api.get("/openapi.json", undefined, { auth: false });
    documentPromise.catch(() => { documentPromise = null; });
  }
  return documentPromise;
}

function resolveRef(doc, schema) {
  let found = schema;
  while (found?.$ref) found = found.$ref.split("/").slice(1).reduce((node, key) => node?.[key], doc);
  return found || {};
}

/**
 * The fields of `POST /problems/{id}/{action}`: [{name, caption, kind, required, options?, enumGroup?, maxLength}],
 * kind one of text, longtext, select, departments, multi-departments, number, datetime, boolean, check.
 */
export async function actionFields(action) {
  const doc = await openapi();
  const operation = doc.paths?.[`/api/v1/problems/{problem_id}/${action}`]?.post
    || doc.paths?.[`/problems/{problem_id}/${action}`]?.post;
  if (!operation) throw new Error("接口文档中没有此操作");
  const schema = resolveRef(doc, operation.requestBody?.content?.["application/json"]?.schema);
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties || {}).map(([name, raw]) => {
    const prop = resolveRef(doc, raw);
    const field = { name, caption: CAPTIONS[name] || prop.description || name, required: required.has(name), maxLength: prop.maxLength };
    if (DEPARTMENT_FIELDS.includes(name)) field.kind = prop.type === "array" ? "multi-departments" : "departments";
    else if (prop.enum) Object.assign(field, { kind: "select", enumGroup: ENUM_GROUPS[name], values: prop.enum });
    else if (prop.type === "boolean") field.kind = required.has(name) ? "boolean" : "check";
    else if (prop.type === "integer" || prop.type === "number") field.kind = "number";
    else if (prop.format === "date-time") field.kind = "datetime";
    else if (prop.format === "date") field.kind = "date";
    else field.kind = (prop.maxLength || 0) > 300 ? "longtext" : "text";
    return field;
  });
}

/** The request body of a filled form: empty optional fields left out, types as the schema says. */
export function bodyOf(fields, values) {
  const body = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "check") {
      if (value) body[field.name] = true;
      continue;
    }
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) continue;
    if (field.kind === "number" || field.kind === "departments") body[field.name] = Number(value);
    else if (field.kind === "multi-departments") body[field.name] = value.map(Number);
    else if (field.kind === "boolean") body[field.name] = value === "true";
    else if (field.kind === "datetime") body[field.name] = value.length === 16 ? `${value}:00` : value;
    else body[field.name] = typeof value === "string" ? value.trim() : value;
  }
  return body;
}

/** The fields a person left empty though they are required: {name: message}. */
export function missing(fields, values) {
  const errors = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.required && field.kind !== "check" && (value === undefined || value === null || String(value).trim() === "")) {
      errors[field.name] = `请填写${field.caption}`;
    }
  }
  return errors;
}
