// 发布需求 from the phone: an enterprise for itself, a liaison for one of its enterprises.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { session } from "../core/session.js";
import { navigate } from "../core/router.js";
import { toast } from "../core/toast.js";
import NeedForm from "../components/NeedForm.js";

export default defineComponent({
  name: "NeedFormScreen",
  setup() {
    const liaison = session.user.role === "liaison";
    const enterprises = ref(liaison ? [] : null);
    if (liaison) {
      api.all("/enterprises", { assigned_to_me: true }).then((items) => {
        enterprises.value = items.map((e) => ({ value: e.id, text: e.name }));
      });
    }
    const send = async (body) => {
      const need = await api.post("/needs", body);
      toast("需求已发布", "success");
      navigate(`/app/needs/${need.id}`);
    };
    return () => h("section", [h(NeedForm, { send, enterprises: enterprises.value })]);
  },
});
