// How a need reads in a list: its kind's own words (amount and term, posts, product and quantity).
import { label } from "./labels.js";

export function needSummary(need) {
  const d = need.details || {};
  if (need.kind === "financing") {
    const amount = d.amount_10k === null || d.amount_10k === undefined ? "金额不公开" : `${d.amount_10k} 万元`;
    return `${amount} · ${d.term_months} 个月 · ${label("guarantee", d.guarantee)} · ${d.purpose}`;
  }
  if (need.kind === "labor") {
    return (d.posts || []).map((p) => `${p.title} ${p.placed ?? 0}/${p.count} 人`).join("，") + (d.start_by ? ` · ${d.start_by} 前到岗` : "");
  }
  const when = d.by_date ? ` · ${d.by_date} 前` : d.from_date ? ` · ${d.from_date} 起` : "";
  return `${d.product} ${d.quantity} ${d.unit}${when}`;
}

export function needTitle(need) {
  return `${label("need_kind", need.kind)}需求 · ${need.enterprise_name}`;
}
