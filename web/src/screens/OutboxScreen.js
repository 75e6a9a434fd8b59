// 发送队列 (admin): the outbox by state and channel — what was sent, what waits, the dead letters with the
// receiver's last answer — and 重发 on a dead letter.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { cursorList } from "../core/pages.js";
import { route, navigate } from "../core/router.js";
import { label, options } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";

export default defineComponent({
  name: "OutboxScreen",
  setup() {
    const state = route.query.state ?? "dead";
    const channel = route.query.channel || "";
    const counts = ref(null);
    const { rows, total, cursor, error, load } = cursorList(
      "/outbox", () => ({ state: state || undefined, channel: channel || undefined, limit: 50 }));
    const refresh = async () => {
      await load();
      counts.value = await api.get("/outbox/counts").catch(() => counts.value);
    };
    refresh();
    const apply = (change) => {
      const params = new URLSearchParams(Object.entries({ state, channel, ...change }).filter(([, v]) => v !== undefined));
      navigate(`/app/outbox?${params}`);
    };
    const retry = async (message) => {
      try {
        await api.post(`/outbox/${message.id}/retry`);
        toast("已重新加入发送队列", "success");
        await refresh();
      } catch (failure) { toast(failure.message, "error", 6000); }
    };
    const summary = () => (counts.value
      ? Object.entries(counts.value).map(([s, n]) => `${label("outbox_state", s)} ${n}`).join(" · ") : "");

    return () => h(DeskPage, { title: "发送队列" }, {
      tools: () => h("span", { class: "count", role: "status" }, summary()),
      default: () => [
        h("div", { class: "filters", role: "search", "aria-label": "筛选消息" }, [
          h(SelectField, { label: "发送状态", modelValue: state, options: options("outbox_state"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ state: v }) }),
          h(SelectField, { label: "渠道", modelValue: channel, options: options("channel"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ channel: v }) }),
        ]),
        total.value !== null ? h("p", { class: "muted" }, `共 ${total.value} 条`) : null,
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, "发送队列"),
          h("thead", h("tr", ["时间", "渠道", "接收人", "内容", "状态", "尝试", "最近错误", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((m) => h("tr", { key: m.id }, [
            h("td", shortDateTime(m.created_at)),
            h("td", label("channel", m.channel)),
            h("td", m.user_name ? `${m.user_name}（${m.recipient}）` : m.recipient),
            h("td", { class: "message-text" }, m.object_type === "problem" && m.object_id
              ? h("a", { href: `/app/problems/${m.object_id}` }, m.text) : m.text),
            h("td", label("outbox_state", m.state)),
            h("td", String(m.attempts)),
            h("td", m.last_error || "—"),
            h("td", m.state === "dead" ? h(EP.ElButton, { size: "small", type: "primary", "aria-label": `重发 ${m.id}`,
              onClick: () => retry(m) }, () => "重发") : null),
          ]))),
        ]),
        rows.value?.length === 0 ? h("p", { class: "notice" }, "没有符合条件的消息。") : null,
        cursor.value ? h("div", { class: "pager" }, h(EP.ElButton, { onClick: () => load(true) }, () => "加载更多")) : null,
      ],
    });
  },
});
