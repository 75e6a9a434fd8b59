// A file from the API (exports need the token): fetched through the API module, saved under the
// name the server gives it (Content-Disposition, RFC 5987 filename*).
import { send } from "./api.js";

function fileName(disposition, fallback) {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition || "");
  if (star) {
    try { return decodeURIComponent(star[1]); } catch { /* fall through */ }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition || "");
  return plain ? plain[1] : fallback;
}

/** Downloads GET path?query; resolves to {name, size}. */
export async function download(path, query, fallback = "export") {
  const { data, headers } = await send("GET", path, { query });
  const name = fileName(headers.get("Content-Disposition"), fallback);
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, size: data.size };
}
