// 问题台账: the ledger as a table — filters, search, quick views (待我处理, 即将超期, 已超期, 督办),
// cursor paging (the count read once, beside the first page), exports with the same filters. The filters live in the URL (a view
// can be sent to a colleague) and are remembered in this browser with the hidden columns.
// Keyboard: j / k move through the rows, Enter opens the selected one.
import { computed, defineComponent, h, onBeforeUnmount, onMounted, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { labels, label, options } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import {
  VIEWS, apiQuery, dueMarker, exportQuery, filtersOf, hiddenColumns, queryString, saveFilters, saveHiddenColumns, savedFilters,
} from "../core/ledger.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";
import { session } from "../core/session.js";
import StatusTag from "../components/StatusTag.js";

const PAGE = 20;
// The quick views' counts, read again at most every 30 s (each filter change remounts the screen).
const COUNTS = new Map();
const COUNTS_MS = 30_000;
const COLUMNS = [
  { key: "number", title: "编号", cell: (p) => p.number },
  { key: "enterprise", title: "企业", cell: (p) => p.enterprise_name },
  { key: "title", title: "问题", fixed: true,
    cell: (p) => h("a", { href: `/app/problems/${p.id}`, class: "row-link" }, p.title) },
  { key: "category", title: "类别", cell: (p) => label("problem_category", p.category) },
  { key: "status", title: "状态", cell: (p) => h(StatusTag, { status: p.status }) },
  { key: "level", title: "层级", cell: (p) => label("problem_level", p.level) },
  { key: "holder", title: "承办", cell: (p) => [p.owning_region_name, p.department_name].filter(Boolean).join(" · ") },
  { key: "due", title: "办理期限", cell: (p) => (p.due_at ? shortDateTime(p.due_at) : "—") },
  { key: "marker", title: "超期", cell: (p, overdueView) => {
    const marker = overdueView ? "已超期" : dueMarker(p);
    return [marker ? h("span", { class: marker === "已超期" ? "overdue" : "soon" }, marker) : null,
            p.supervised ? h("span", { class: "tag supervised-tag" }, "督办") : null];
  } },
];

export default defineComponent({
  name: "LedgerScreen",
  setup() {
    const filters = filtersOf(route.query);
    // Opened bare (from the navigation): the filters this browser used last.
    const remembered = savedFilters();
    // (A URL with a query, even an empty one such as ?view=, is what the person asked for.)
    if (route.path === "/app/problems" && !location.search && remembered && Object.keys(remembered).length) {
      navigate(`/app/problems${queryString(remembered)}`, { replace: true });
    }
    saveFilters(filters);

    const rows = ref(null);
    const total = ref(null);
    const error = ref("");
    const busy = ref(false);
    const cursors = ref([null]); // the cursor of each page seen so far
    const pageIndex = ref(0);
    const nextCursor = ref(null);
    const selected = ref(-1);
    const hidden = ref(hiddenColumns());
    const showColumns = ref(false);
    const exporting = exportState();
    const viewCounts = ref({});
    const search = ref(filters.q || "");
    const overdueView = filters.overdue === "true" || filters.view === "overdue";
    // Coordinators pick rows to group them as one 共性问题 (problems of several enterprises, one solution).
    const canGroup = session.user.role === "coordinator";
    const picked = ref([]);
    const grouping = ref(null);
    const togglePick = (p) => {
      picked.value = picked.value.some((x) => x.id === p.id) ? picked.value.filter((x) => x.id !== p.id) : [...picked.value, p];
    };
    const group = async () => {
      const { title, description } = grouping.value;
      if (!title.trim()) {
        grouping.value = { ...grouping.value, error: "请填写共性问题名称" };
        return;
      }
      try {
        await api.post("/common-problems", { title: title.trim(), description: description.trim(), problem_ids: picked.value.map((p) => p.id) });
        toast(`已归并为共性问题：${title.trim()}`, "success");
        grouping.value = null;
        picked.value = [];
      } catch (failure) {
        grouping.value = { ...grouping.value, error: failure.message };
      }
    };

    // Reads page `index` (its cursor is known); the page number changes only with the rows.
    const load = async (index = pageIndex.value) => {
      busy.value = true;
      error.value = "";
      try {
        // The rows alone: a count costs more than a page at province scale, so it is read once, beside them.
        const page = await api.get("/problems", { ...apiQuery(filters), limit: PAGE, cursor: cursors.value[index] });
        pageIndex.value = index;
        rows.value = page.items;
        nextCursor.value = page.next_cursor;
        selected.value = page.items.length ? Math.min(Math.max(selected.value, 0), page.items.length - 1) : -1;
      } catch (failure) {
        error.value = failure.message;
        rows.value = rows.value || [];
      } finally {
        busy.value = false;
      }
    };
    // The total of these filters, once per screen (paging does not change it), after the first rows.
    const loadTotal = async () => {
      try {
        total.value = (await api.get("/problems", { ...apiQuery(filters), limit: 1, count: true })).total;
      } catch { /* the count is a hint: the pager then shows the page number alone */ }
    };
    // The quick views' counts come last: nothing is counted before the first rows are on screen.
    load().then(loadTotal).then(() => loadCounts());
    // How many each quick view holds (after the rows: the table comes first).
    const loadCounts = async () => {
      const found = {};
      await Promise.all(VIEWS.map(async (v) => {
        const key = `${session.user.id}:${v.key}`;
        const cached = COUNTS.get(key);
        if (cached && Date.now() - cached.at < COUNTS_MS) {
          found[v.key] = cached.total;
          return;
        }
        try {
          const query = apiQuery({ view: v.key });
          found[v.key] = (await api.get("/problems", { ...query, limit: 1, count: true })).total;
          COUNTS.set(key, { at: Date.now(), total: found[v.key] });
        } catch { /* the count is a hint; the view still opens */ }
      }));
      viewCounts.value = found;
    };

    const apply = (change) => {
      const next = { ...filters, ...change };
      for (const key of Object.keys(next)) if (next[key] === "" || next[key] === null || next[key] === undefined) delete next[key];
      navigate(`/app/problems${queryString(next)}`, { replace: false });
    };
    const openView = (key) => apply({ view: filters.view === key ? "" : key });

    const goPage = (delta) => {
      if (delta > 0) {
        if (!nextCursor.value) return;
        cursors.value = [...cursors.value.slice(0, pageIndex.value + 1), nextCursor.value];
      }
      selected.value = 0;
      load(Math.max(0, pageIndex.value + delta));
    };

    const runExport = async (fmt) => {
      try {
        const { name } = await exporting.run({ ledger: "problems", format: fmt, filters: exportQuery(filters),
          fallback: `问题台账.${fmt}` });
        toast(`已导出：${name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      }
    };

    const toggleColumn = (key) => {
      hidden.value = hidden.value.includes(key) ? hidden.value.filter((k) => k !== key) : [...hidden.value, key];
      saveHiddenColumns(hidden.value);
    };
    const columns = computed(() => COLUMNS.filter((c) => c.fixed || !hidden.value.includes(c.key)));

    const focusRow = (index) => {
      selected.value = index;
      const link = document.querySelectorAll(".ledger tbody .row-link")[index];
      link?.focus();
      link?.closest("tr")?.scrollIntoView({ block: "nearest" });
    };
    const onKey = (event) => {
      const target = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
      if (target.closest?.(".el-overlay, [role=dialog]")) return;
      const count = rows.value?.length || 0;
      if (!count) return;
      if (event.key === "j") { event.preventDefault(); focusRow(Math.min(count - 1, selected.value + 1)); }
      else if (event.key === "k") { event.preventDefault(); focusRow(Math.max(0, selected.value - 1)); }
      else if (event.key === "Enter" && !target.closest("a, button") && selected.value >= 0) {
        event.preventDefault();
        navigate(`/app/problems/${rows.value[selected.value].id}`);
      }
    };
    onMounted(() => {
      document.addEventListener("keydown", onKey);
    });
    onBeforeUnmount(() => document.removeEventListener("keydown", onKey));

    const regionOptions = computed(() => labels.regions.map((r) => ({
      value: r.id, text: `${r.level === "county" ? "　　" : r.level === "prefecture" ? "　" : ""}${r.name}`,
    })));
    const boolOptions = [{ value: "true", text: "是" }];

    const filterBar = () => h("div", { class: "filters", role: "search", "aria-label": "筛选问题" }, [
      h("form", { class: "field search-field", onSubmit: (e) => { e.preventDefault(); apply({ q: search.value.trim() }); } }, [
        h("label", { for: "ledger-search" }, "搜索"),
        h("input", { id: "ledger-search", type: "search", value: search.value, placeholder: "标题、描述或编号",
          onInput: (e) => { search.value = e.target.value; } }),
      ]),
      h(SelectField, { label: "状态", modelValue: filters.status || "", options: options("problem_status"), placeholder: "全部",
        "onUpdate:modelValue": (v) => apply({ status: v }) }),
      h(SelectField, { label: "类别", modelValue: filters.category || "", options: options("problem_category"), placeholder: "全部",
        "onUpdate:modelValue": (v) => apply({ category: v }) }),
      h(SelectField, { label: "层级", modelValue: filters.level || "", options: options("problem_level"), placeholder: "全部",
        "onUpdate:modelValue": (v) => apply({ level: v }) }),
      h(SelectField, { label: "区划", modelValue: filters.region || "", options: regionOptions.value, placeholder: "全部",
        "onUpdate:modelValue": (v) => apply({ region: v }) }),
      h(SelectField, { label: "超期", modelValue: filters.overdue || "", options: boolOptions, placeholder: "不限",
        "onUpdate:modelValue": (v) => apply({ overdue: v }) }),
      h(SelectField, { label: "督办", modelValue: filters.supervised || "", options: boolOptions, placeholder: "不限",
        "onUpdate:modelValue": (v) => apply({ supervised: v }) }),
    ]);

    const quickViews = () => h("div", { class: "quick-views", role: "group", "aria-label": "快捷视图" }, [
      ...VIEWS.map((v) => h("button", { type: "button", class: "quick-view", "aria-pressed": String(filters.view === v.key),
        onClick: () => openView(v.key) }, [v.title, viewCounts.value[v.key] !== undefined
          ? h("span", { class: "count", "aria-hidden": "true" }, `（${viewCounts.value[v.key]}）`) : null])), // the name stays the view's
      Object.keys(filters).length ? h("button", { type: "button", class: "quick-view", onClick: () => navigate("/app/problems?view=") }, "清除筛选") : null,
    ]);

    const table = () => h("div", { class: "ledger-wrap", "aria-busy": String(busy.value) }, [
      h("table", { class: "ledger" }, [
        h("caption", { class: "visually-hidden" }, "问题台账"),
        h("thead", h("tr", [canGroup ? h("th", { scope: "col", class: "col-pick" }, h("span", { class: "visually-hidden" }, "选择")) : null,
          ...columns.value.map((c) => h("th", { scope: "col", class: `col-${c.key}` }, c.title))])),
        h("tbody", rows.value.map((p, i) => h("tr", {
          key: p.id, class: i === selected.value ? "selected" : "",
          onClick: (e) => { if (!e.target.closest("a, input, label")) navigate(`/app/problems/${p.id}`); },
        }, [canGroup ? h("td", { class: "col-pick" }, h("input", { type: "checkbox", "aria-label": `选择 ${p.number} ${p.title}`,
          checked: picked.value.some((x) => x.id === p.id), onChange: () => togglePick(p) })) : null,
        ...columns.value.map((c) => h("td", { class: `col-${c.key}` }, c.cell(p, overdueView)))]))),
      ]),
      rows.value.length ? null : h("p", { class: "notice" }, "没有符合条件的问题。"),
    ]);

    const pager = () => h("div", { class: "pager" }, [
      h("span", { class: "count", role: "status" }, total.value === null ? `第 ${pageIndex.value + 1} 页` :
        `共 ${total.value} 条 · 第 ${pageIndex.value + 1} / ${Math.max(1, Math.ceil(total.value / PAGE))} 页`),
      h(EP.ElButton, { disabled: pageIndex.value === 0 || busy.value, onClick: () => goPage(-1) }, () => "上一页"),
      h(EP.ElButton, { disabled: !nextCursor.value || busy.value, onClick: () => goPage(1) }, () => "下一页"),
    ]);

    const tools = () => h("div", { class: "desk-tools" }, [
      h(EP.ElButton, { onClick: () => { showColumns.value = !showColumns.value; }, "aria-expanded": String(showColumns.value) }, () => "列设置"),
      h(EP.ElButton, { type: "primary", loading: exporting.format === "xlsx", disabled: Boolean(exporting.format), onClick: () => runExport("xlsx") },
        () => (exporting.format === "xlsx" ? "正在导出…" : "导出 Excel")),
      h(EP.ElButton, { loading: exporting.format === "csv", disabled: Boolean(exporting.format), onClick: () => runExport("csv") },
        () => (exporting.format === "csv" ? "正在导出…" : "导出 CSV")),
      exporting.format ? h(ExportProgress, { job: exporting.job, title: "问题台账导出进度" }) : null,
    ]);

    return () => h(DeskPage, { title: "问题台账" }, {
      tools,
      default: () => [
        filterBar(),
        quickViews(),
        showColumns.value ? h("fieldset", { class: "columns-menu" }, [
          h("legend", "显示的列"),
          ...COLUMNS.filter((c) => !c.fixed).map((c) => h("label", [
            h("input", { type: "checkbox", checked: !hidden.value.includes(c.key), onChange: () => toggleColumn(c.key) }), c.title])),
        ]) : null,
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        picked.value.length ? h("div", { class: "pick-bar", role: "region", "aria-label": "已选的问题" }, [
          h("span", `已选 ${picked.value.length} 项`),
          h(EP.ElButton, { type: "primary", disabled: picked.value.length < 2, onClick: () => { grouping.value = { title: "", description: "", error: "" }; } },
            () => "归并为共性问题"),
          h(EP.ElButton, { onClick: () => { picked.value = []; } }, () => "取消选择"),
        ]) : null,
        grouping.value ? h(EP.ElDialog, { modelValue: true, title: "归并为共性问题", width: "520px", appendToBody: true,
          "onUpdate:modelValue": (open) => { if (!open) grouping.value = null; } }, {
          default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: (e) => { e.preventDefault(); group(); } }, [
            h("p", picked.value.map((p) => p.number).join("、")),
            h(TextField, { label: "名称", required: true, modelValue: grouping.value.title,
              "onUpdate:modelValue": (v) => { grouping.value = { ...grouping.value, title: v }; } }),
            h(TextField, { label: "说明", multiline: true, modelValue: grouping.value.description,
              "onUpdate:modelValue": (v) => { grouping.value = { ...grouping.value, description: v }; } }),
            grouping.value.error ? h("p", { class: "error-box", role: "alert" }, grouping.value.error) : null,
          ]),
          footer: () => [h(EP.ElButton, { onClick: () => { grouping.value = null; } }, () => "取消"),
            h(EP.ElButton, { type: "primary", onClick: group }, () => "确定")],
        }) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 8, animated: true }) : table(),
        rows.value === null ? null : pager(),
        h("p", { class: "kbd-hint" }, "快捷键：j / k 上下移动，Enter 打开。"),
      ],
    });
  },
});
