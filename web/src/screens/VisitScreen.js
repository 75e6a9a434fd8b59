// 走访登记 for one of the liaison's enterprises (?enterprise=ID), or a refused queued visit to correct (?queued=ID).
import { computed, defineComponent, h } from "../core/vue.js";
import { ensure, synced } from "../core/sync.js";
import { route, navigate } from "../core/router.js";
import { session } from "../core/session.js";
import { queue } from "../core/queue.js";
import { assignedEnterprises } from "./MyEnterprises.js";
import VisitForm from "../components/VisitForm.js";
import SyncNotice from "../components/SyncNotice.js";

export default defineComponent({
  name: "VisitScreen",
  setup() {
    ensure();
    const enterprises = computed(() => assignedEnterprises(synced.data, session.user?.id));
    const queued = route.query.queued ? queue.items.find((item) => item.id === Number(route.query.queued)) : null;
    const done = (item) => {
      const id = item.body.enterprise_id;
      navigate(item.state === "sent" ? `/app/enterprises/${id}` : "/app/enterprises");
    };
    return () => h("section", [
      h(SyncNotice),
      h(VisitForm, { enterprises: enterprises.value, enterpriseId: route.query.enterprise || "", queued, onDone: done }),
    ]);
  },
});
