// 我的设置: where the signed-in user is told — an SMS phone, a 企业微信 and a 钉钉 account — and the quiet
// hours that hold non-urgent SMS from 22:00 until 07:00. Saved with the ETag the page read (If-Match).
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api, etagOf } from "../core/api.js";
import { session } from "../core/session.js";
import { label } from "../core/labels.js";
import { toast } from "../core/toast.js";
import TextField from "../components/TextField.js";

const PATH = "/me/channels";
const FIELDS = [
  { name: "sms", caption: "短信手机号", hint: "11 位手机号，用于接收短信提醒", type: "tel" },
  { name: "wecom", caption: "企业微信账号", hint: "企业微信通讯录中的账号（userid）", type: "text" },
  { name: "dingtalk", caption: "钉钉账号", hint: "钉钉通讯录中的 userId", type: "text" },
];

export default defineComponent({
  name: "ProfileScreen",
  setup() {
    const values = ref(null);
    const enabled = ref([]);
    const errors = ref({});
    const failure = ref("");
    const saving = ref(false);
    const load = async () => {
      try {
        const data = await api.get(PATH);
        values.value = { sms: data.sms || "", wecom: data.wecom || "", dingtalk: data.dingtalk || "", quiet_hours: data.quiet_hours };
        enabled.value = data.enabled;
      } catch (problem) {
        failure.value = problem.message;
      }
    };
    load();
    const save = async (event) => {
      event.preventDefault();
      errors.value = {};
      failure.value = "";
      saving.value = true;
      const body = Object.fromEntries(FIELDS.map((f) => [f.name, values.value[f.name].trim() || null]));
      try {
        await api.put(PATH, { ...body, quiet_hours: values.value.quiet_hours }, { ifMatch: etagOf(PATH) || '"0"' });
        toast("接收渠道已保存", "success");
        await load();
      } catch (problem) {
        failure.value = problem.message;
        errors.value = Object.fromEntries(Object.entries(problem.fieldErrors || {}).map(([k, v]) => [k, v.join("；")]));
        if (problem.status === 412) await load(); // someone saved meanwhile: show what is stored now
      } finally {
        saving.value = false;
      }
    };
    const set = (name) => (value) => { values.value = { ...values.value, [name]: value }; };

    return () => {
      if (values.value === null) {
        return failure.value ? h("p", { class: "error", role: "alert" }, failure.value) : h(vant.Loading, { vertical: true }, () => "加载中…");
      }
      return h("section", { class: "card" }, [
        h("h2", `${session.user?.name || ""}的消息接收渠道`),
        h("p", { class: "muted" }, enabled.value.length
          ? `本系统已开通：${enabled.value.map((c) => label("channel", c)).join("、")}`
          : "本系统尚未开通短信、企业微信或钉钉，消息仅在站内显示。"),
        h("form", { onSubmit: save, novalidate: true, "aria-label": "消息接收渠道" }, [
          ...FIELDS.map((f) => h(TextField, { label: f.caption, type: f.type, hint: f.hint, error: errors.value[f.name] || "",
            modelValue: values.value[f.name], "onUpdate:modelValue": set(f.name) })),
          h("div", { class: "field checkbox" }, h("label", [
            h("input", { type: "checkbox", checked: values.value.quiet_hours,
              onChange: (e) => set("quiet_hours")(e.target.checked) }),
            " 免打扰：22:00–07:00 的非紧急短信推迟到 07:00 发送",
          ])),
          failure.value ? h("p", { class: "error", role: "alert" }, failure.value) : null,
          h(vant.Button, { type: "primary", nativeType: "submit", block: true, loading: saving.value }, () => "保存"),
        ]),
      ]);
    };
  },
});
