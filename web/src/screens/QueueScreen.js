// 待同步: what waits in the offline queue, in the order it will be sent, and what the server refused,
// with its reason, to correct (修改 / 重新发送) or discard (放弃).
import { computed, defineComponent, h, vant } from "../core/vue.js";
import { STATES, mine, retry, discard, flush, queue } from "../core/queue.js";
import { navigate } from "../core/router.js";
import { dateTime } from "../core/format.js";

export default defineComponent({
  name: "QueueScreen",
  setup() {
    const items = computed(() => mine());
    const drop = async (item) => {
      try {
        await vant.showConfirmDialog({ title: "放弃这条记录？", message: "放弃后这条记录不会再发送。", confirmButtonText: "放弃", cancelButtonText: "取消" });
      } catch {
        return;
      }
      await discard(item);
    };
    return () => h("section", [
      h("p", { class: "notice" }, queue.online ? "已联网：待同步的记录会依次发送。" : "离线：记录已保存在本机，联网后自动发送。"),
      items.value.length ? h("ul", { class: "list", "aria-label": "待同步记录" }, items.value.map((item) => h("li", { class: ["list-item", `queue-${item.state}`], key: item.id }, [
        h("div", { class: "list-main" }, [
          h("p", { class: "list-title" }, item.label),
          h("p", { class: "meta" }, [
            h("span", { class: "tag" }, STATES[item.state].label),
            h("span", { class: "muted" }, dateTime(item.created_at)),
            item.photos?.length ? h("span", `照片 ${item.photos.filter((p) => p.photo_id).length}/${item.photos.length}`) : null,
            item.attempts ? h("span", { class: "muted" }, `已重试 ${item.attempts} 次`) : null,
          ]),
          item.reason ? h("p", { class: "error" }, `退回原因：${item.reason}`) : null,
        ]),
        item.state === "refused" ? h("div", { class: "button-row" }, [
          item.kind === "visit" ? h(vant.Button, { size: "small", type: "primary", onClick: () => navigate(`/app/visits/new?queued=${item.id}`) }, () => "修改")
            : h(vant.Button, { size: "small", type: "primary", onClick: () => retry(item) }, () => "重新发送"),
          h(vant.Button, { size: "small", type: "danger", plain: true, onClick: () => drop(item) }, () => "放弃"),
        ]) : null,
      ]))) : h(vant.Empty, { description: "没有待同步的记录" }),
      items.value.some((i) => i.state === "queued") && queue.online
        ? h(vant.Button, { block: true, onClick: flush }, () => "立即发送") : null,
    ]);
  },
});
