// 惠企政策: the policies matched to the enterprise, with reasons and the office to call.
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { session } from "../core/session.js";
import PolicyList from "../components/PolicyList.js";

export default defineComponent({
  name: "PoliciesScreen",
  setup() {
    const result = ref(null);
    const error = ref("");
    api.get(`/enterprises/${session.user.enterprise.id}/policies`).then((r) => { result.value = r; }, (e) => { error.value = e.message; });
    return () => (error.value ? h("p", { class: "error", role: "alert" }, error.value)
      : result.value ? h(PolicyList, { result: result.value }) : h(vant.Skeleton, { title: true, row: 6 }));
  },
});
