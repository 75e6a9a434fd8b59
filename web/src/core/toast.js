// Short messages after an action ("走访已提交"), read out by screen readers (a polite live region
// rendered by the shell), gone after a few seconds.
import { reactive } from "./vue.js";

export const toasts = reactive({ items: [] });
let next = 0;

export function toast(text, kind = "info", ms = 3000) {
  const item = { id: ++next, text, kind };
  toasts.items.push(item);
  setTimeout(() => {
    const index = toasts.items.findIndex((t) => t.id === item.id);
    if (index >= 0) toasts.items.splice(index, 1);
  }, ms);
}
