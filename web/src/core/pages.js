// A cursor-paged list read through the API module: its rows, total, next cursor and failure message as
// refs, and load(more) to read the first page again or append the next one.
import { ref } from "./vue.js";
import { api } from "./api.js";

export function cursorList(path, query) {
  const rows = ref(null);
  const total = ref(null);
  const cursor = ref(null);
  const error = ref("");
  const load = async (more = false) => {
    try {
      const page = await api.get(path, { ...query(), count: true, cursor: more ? cursor.value : undefined });
      rows.value = more ? [...rows.value, ...page.items] : page.items;
      total.value = page.total;
      cursor.value = page.next_cursor;
      error.value = "";
    } catch (failure) {
      error.value = failure.message;
      rows.value = rows.value || [];
    }
  };
  return { rows, total, cursor, error, load };
}
