// The desk workbench's libraries (Element Plus with its Chinese locale, ECharts) and its stylesheet,
// loaded on the first desk screen only: the phone's screens never fetch them. They are classic
// scripts on the global Vue (the vendored browser builds), added from this origin (the CSP allows
// nothing else).
const BASE = document.querySelector('meta[name="lqt-base"]')?.content || "/app/s/dev/";
const loaded = new Map();

function once(key, start) {
  if (!loaded.has(key)) {
    const promise = start();
    promise.catch(() => loaded.delete(key)); // try again on the next screen
    loaded.set(key, promise);
  }
  return loaded.get(key);
}

function script(name) {
  return once(name, () => new Promise((resolve, reject) => {
    const tag = document.createElement("script");
    tag.src = BASE + name;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(`无法加载 ${name}`));
    document.head.append(tag);
  }));
}

function stylesheet(name) {
  return once(name, () => new Promise((resolve, reject) => {
    const tag = document.createElement("link");
    tag.rel = "stylesheet";
    tag.href = BASE + name;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(`无法加载 ${name}`));
    document.head.append(tag);
  }));
}

/** Element Plus (window.ElementPlus) and its zh-cn locale, with the desk's own stylesheet after it. */
export async function loadDesk() {
  await Promise.all([
    stylesheet("vendor/element-plus.css").then(() => stylesheet("src/desk.css")),
    script("vendor/element-plus.full.min.js").then(() => script("vendor/element-plus-zh-cn.min.js")),
  ]);
  return { EP: window.ElementPlus, locale: window.ElementPlusLocaleZhCn };
}

/** ECharts (window.echarts), for the screens with charts. */
export async function loadCharts() {
  await script("vendor/echarts.common.min.js");
  return window.echarts;
}
