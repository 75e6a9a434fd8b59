// 日调度: the dashboard of a region (the caller's by default) on a chosen date — figures, a chart by
// status and one by category, and one row per child region that opens that region's dashboard.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { label } from "../core/labels.js";
import { date as formatDate } from "../core/format.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import EChart from "../components/EChart.js";

const percent = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 1000) / 10}%`);
const toItems = (group, counts) => Object.entries(counts || {}).map(([key, value]) => ({ name: label(group, key), value }));

export default defineComponent({
  name: "DashboardScreen",
  setup() {
    const data = ref(null);
    const error = ref("");
    const query = { region: route.query.region || undefined, date: route.query.date || undefined };
    api.get("/dashboard", query).then((d) => { data.value = d; }, (failure) => { error.value = failure.message; });

    const open = (change) => {
      const next = { ...query, ...change };
      const params = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
      navigate(`/app/dashboard${params.toString() ? `?${params}` : ""}`);
    };

    const figures = (d) => {
      const p = d.problems;
      const items = [
        ["问题总数", p.total], ["当日新增", p.new], ["当日受理", p.accepted], ["当日办结", p.resolved], ["当日销号", p.closed],
        ["超期", p.overdue], ["办结率", percent(p.closure_rate)], ["平均办结天数", p.mean_days_to_close ?? "—"],
        ["当日走访", d.visits.day], ["本月走访", d.visits.month],
        ["重点企业", d.key_enterprises.total], ["本月已走访重点企业", d.key_enterprises.visited_this_month],
        ["红色预警", d.warnings_open.red], ["橙色预警", d.warnings_open.orange], ["黄色预警", d.warnings_open.yellow],
      ];
      return h("ul", { class: "figures", "aria-label": "主要指标" }, items.map(([name, value]) => h("li", { class: "figure" }, [
        h("span", { class: "figure-value" }, String(value)), h("span", { class: "figure-name" }, name)])));
    };

    const children = (d) => h("table", { class: "table" }, [
      h("caption", { class: "visually-hidden" }, "下级区划"),
      h("thead", h("tr", ["区划", "问题总数", "办理中", "超期", "办结率", "当日走访", "本月走访", "重点企业"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", d.children.map((c) => h("tr", { key: c.region.id }, [
        h("td", h("button", { type: "button", class: "region-link", onClick: () => open({ region: c.region.id }) }, c.region.name)),
        h("td", String(c.problems?.total ?? "—")), h("td", String(c.problems?.by_status?.in_progress ?? 0)),
        h("td", String(c.problems?.overdue ?? 0)), h("td", percent(c.problems?.closure_rate)),
        h("td", String(c.visits?.day ?? 0)), h("td", String(c.visits?.month ?? 0)),
        h("td", String(c.key_enterprises?.total ?? 0)),
      ]))),
    ]);

    return () => {
      const d = data.value;
      return h(DeskPage, { title: d ? `日调度 · ${d.region.name}` : "日调度" }, {
        tools: () => h("div", { class: "desk-tools" }, [
          h("div", { class: "field" }, [
            h("label", { for: "dashboard-date" }, "日期"),
            h("input", { id: "dashboard-date", type: "date", value: d?.date || query.date || "", onChange: (e) => open({ date: e.target.value }) }),
          ]),
          query.region ? h(EP.ElButton, { onClick: () => history.back() }, () => "返回上级") : null,
        ]),
        default: () => {
          if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!d) return h(EP.ElSkeleton, { rows: 8, animated: true });
          return [
            h("p", { class: "muted" }, `${formatDate(d.date)} 的数据`),
            figures(d),
            h("div", { class: "charts" }, [
              h(EChart, { title: "问题按状态", kind: "bar", items: toItems("problem_status", d.problems.by_status) }),
              h(EChart, { title: "问题按类别", kind: "pie", items: toItems("problem_category", d.problems.by_category) }),
            ]),
            d.children?.length ? [h("h3", { class: "section-title" }, "下级区划"), children(d)] : null,
          ];
        },
      });
    };
  },
});
