// 问题详情 on the phone: the problem, its status in plain words, resolution, photos, timeline; on a
// resolved problem the feedback form (the enterprise's 满意/基本满意/不满意, the liaison's 回访);
// 补充材料 when the task force asked for more. Offline, the synced copy is shown.
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api, etagOf } from "../core/api.js";
import { route } from "../core/router.js";
import { session } from "../core/session.js";
import { ensure, synced, refresh as refreshSync } from "../core/sync.js";
import { label } from "../core/labels.js";
import { dateTime } from "../core/format.js";
import StatusTag from "../components/StatusTag.js";
import ProblemTimeline from "../components/ProblemTimeline.js";
import FeedbackForm from "../components/FeedbackForm.js";
import AuthImage from "../components/AuthImage.js";
import SupplyInfoForm from "../components/SupplyInfoForm.js";
import SyncNotice from "../components/SyncNotice.js";

export default defineComponent({
  name: "ProblemScreen",
  setup() {
    const id = Number(route.params.id);
    const path = `/problems/${id}`;
    const problem = ref(null);
    const offline = ref(false);
    const error = ref("");

    const load = async () => {
      try {
        problem.value = await api.get(path);
        offline.value = false;
      } catch (failure) {
        if (!failure.offline) {
          error.value = failure.message;
          return;
        }
        await ensure();
        problem.value = synced.data?.problems.find((p) => p.id === id) || null;
        offline.value = true;
        if (!problem.value) error.value = "离线，且本机没有此问题的数据";
      }
    };
    load();
    const after = () => {
      load();
      refreshSync();
    };

    const enlarge = async (photos, index) => {
      const urls = await Promise.all(photos.map((p) => api.blobUrl(p.url)));
      vant.showImagePreview({ images: urls, startPosition: index, closeable: true });
    };

    return () => {
      const p = problem.value;
      if (error.value) return h("p", { class: "error", role: "alert" }, error.value);
      if (!p) return h(vant.Skeleton, { title: true, row: 8 });
      const actions = offline.value ? [] : p.allowed_actions || [];
      return h("section", [
        offline.value ? h(SyncNotice) : null,
        offline.value ? h("p", { class: "stale" }, "离线数据") : null,
        h("div", { class: "card" }, [
          h("h2", p.title),
          h("p", { class: "meta" }, [h(StatusTag, { status: p.status }), h("span", p.number),
                                      h("span", label("problem_category", p.category)), h("span", label("problem_scope", p.scope))]),
          h("p", p.description),
          ...(p.needs || []).map((n) => h("p", { key: `need-${n.id}` }, [h("a", { href: `/app/needs/${n.id}` }, `所附${label("need_kind", n.kind)}需求`), `（${label("need_status", n.status)}）`])),
          p.due_at ? h("p", { class: "muted" }, `办理期限：${dateTime(p.due_at)}`) : null,
          p.resolution ? h("div", { class: "resolution" }, [h("h3", "办理结果"), h("p", p.resolution)]) : null,
          p.satisfaction ? h("p", `评价：${label("satisfaction", p.satisfaction)}`) : null,
        ]),
        actions.includes("feedback") ? h(FeedbackForm, { problem: p, liaison: session.user.role === "liaison", etag: etagOf(path), onDone: after }) : null,
        actions.includes("supply_info") ? h(SupplyInfoForm, { problem: p, etag: etagOf(path), onDone: after }) : null,
        p.photos?.length ? h("div", { class: "card" }, [
          h("h3", "照片"),
          h("ul", { class: "photo-list" }, p.photos.map((photo, i) => h("li", { key: photo.id }, [
            h("button", { type: "button", class: "photo-button", "aria-label": `查看大图：照片 ${i + 1}`, onClick: () => enlarge(p.photos, i) },
              [h(AuthImage, { src: photo.thumbnail_url, alt: `照片 ${i + 1}` })]),
          ]))),
        ]) : null,
        h("div", { class: "card" }, [h("h3", "办理过程"), h(ProblemTimeline, { events: p.events || [] })]),
      ]);
    };
  },
});
