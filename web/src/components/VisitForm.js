// 走访登记: the visit (走访方式, 走访时间, 情况摘要, 经营状态, 在岗人数, location), its photos and its problems.
// Submitting stores it in the offline queue first, then sends it when there is a network: online the
// user sees the result at once; offline it waits (待同步 N 条) and is sent once the network returns.
import { toast } from "../core/toast.js";
import { computed, defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import { options } from "../core/labels.js";
import { localInput } from "../core/format.js";
import { enqueue, settle, discard, correct } from "../core/queue.js";
import { refresh as refreshSync } from "../core/sync.js";
import SelectField from "./SelectField.js";
import TextField from "./TextField.js";
import PhotoPicker from "./PhotoPicker.js";
import ProblemBlock from "./ProblemBlock.js";

const emptyProblem = () => ({ category: "", title: "", description: "", scope: "county", urgency: "normal" });

function fromBody(body) {
  return {
    enterprise_id: body.enterprise_id ? String(body.enterprise_id) : "", method: body.method || "on_site",
    visited_at: body.visited_at ? localInput(new Date(body.visited_at)) : localInput(), summary: body.summary || "",
    operating_status: body.operating_status || "", employees: body.employees ?? "",
    latitude: body.latitude ?? null, longitude: body.longitude ?? null, accuracy_m: body.accuracy_m ?? null,
    problems: (body.problems || []).map((p) => ({ ...emptyProblem(), ...p })),
  };
}

export function visitBody(form) {
  const body = {
    enterprise_id: Number(form.enterprise_id), method: form.method, visited_at: new Date(form.visited_at).toISOString(),
    summary: form.summary.trim(),
  };
  if (form.operating_status) body.operating_status = form.operating_status;
  if (form.employees !== "" && form.employees !== null) body.employees = Number(form.employees);
  if (form.latitude !== null) Object.assign(body, { latitude: form.latitude, longitude: form.longitude, accuracy_m: form.accuracy_m });
  if (form.problems.length) {
    body.problems = form.problems.map((p) => ({ category: p.category, title: p.title.trim(), description: p.description.trim(),
                                                 scope: p.scope, urgency: p.urgency || "normal" }));
  }
  return body;
}

export default defineComponent({
  name: "VisitForm",
  props: { enterprises: { type: Array, default: () => [] }, enterpriseId: { type: [String, Number], default: "" },
           queued: { type: Object, default: null } },
  emits: ["done"],
  setup(props, { emit }) {
    const form = reactive(fromBody(props.queued?.body || { enterprise_id: props.enterpriseId }));
    const photos = ref([]);
    const errors = ref({});
    const problemErrors = ref([]);
    const message = ref(props.queued?.reason || "");
    const busy = ref(false);
    const locating = ref(false);
    const enterpriseOptions = computed(() => props.enterprises.map((e) => ({ value: e.id, text: e.name })));

    const locate = () => {
      if (!navigator.geolocation) {
        toast("此设备不能定位", "error");
        return;
      }
      locating.value = true;
      navigator.geolocation.getCurrentPosition((position) => {
        locating.value = false;
        form.latitude = Number(position.coords.latitude.toFixed(6));
        form.longitude = Number(position.coords.longitude.toFixed(6));
        form.accuracy_m = Math.round(position.coords.accuracy);
      }, () => {
        locating.value = false;
        toast("无法获取位置，请检查定位权限", "error");
      }, { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 });
    };

    const validate = () => {
      const found = {};
      if (!form.enterprise_id) found.enterprise_id = "请选择企业";
      if (!form.method) found.method = "请选择走访方式";
      if (!form.visited_at) found.visited_at = "请填写走访时间";
      if (!form.summary.trim()) found.summary = "请填写情况摘要";
      if (form.employees !== "" && !(Number(form.employees) >= 0)) found.employees = "在岗人数应为不小于 0 的整数";
      problemErrors.value = form.problems.map((p) => {
        const e = {};
        if (!p.category) e.category = "请选择问题类别";
        if (!p.title.trim()) e.title = "请填写问题标题";
        if (!p.description.trim()) e.description = "请填写问题描述";
        if (!p.scope) e.scope = "请选择问题范围";
        return e;
      });
      errors.value = found;
      return !Object.keys(found).length && problemErrors.value.every((e) => !Object.keys(e).length);
    };

    const submit = async (event) => {
      event.preventDefault();
      message.value = "";
      if (!validate()) {
        message.value = "请先补全标红的内容";
        return;
      }
      busy.value = true;
      try {
        const body = visitBody(form);
        let item;
        if (props.queued) {
          await correct(props.queued, body);
          item = props.queued;
        } else {
          const enterprise = props.enterprises.find((e) => e.id === body.enterprise_id);
          item = await enqueue({ kind: "visit", label: `走访 ${enterprise?.name || ""}`, path: "/visits", body, photos: photos.value });
        }
        const settled = await settle(item);
        if (settled.state === "sent") {
          toast("走访已提交", "success");
          refreshSync();
          emit("done", settled);
        } else if (settled.state === "refused" && !settled.result) {
          // Nothing reached the server: the form still holds everything, the queue need not.
          message.value = settled.reason;
          if (!props.queued) await discard(settled);
        } else if (settled.state === "refused") {
          message.value = settled.reason;
        } else {
          toast("已离线保存，联网后自动发送");
          emit("done", settled);
        }
      } finally {
        busy.value = false;
      }
    };

    const model = (field) => ({ modelValue: form[field], "onUpdate:modelValue": (v) => { form[field] = v; }, error: errors.value[field] || "" });

    return () => h("form", { class: "visit-form", onSubmit: submit, novalidate: true }, [
      h(SelectField, { label: "企业", options: enterpriseOptions.value, required: true, ...model("enterprise_id") }),
      h(SelectField, { label: "走访方式", options: options("visit_method"), required: true, ...model("method") }),
      h(TextField, { label: "走访时间", type: "datetime-local", required: true, ...model("visited_at") }),
      h(TextField, { label: "情况摘要", multiline: true, required: true, ...model("summary") }),
      h(SelectField, { label: "经营状态", options: options("operating_status"), ...model("operating_status") }),
      h(TextField, { label: "在岗人数", type: "number", inputmode: "numeric", min: 0, ...model("employees") }),
      h("div", { class: "field location" }, [
        h(vant.Button, { size: "small", nativeType: "button", loading: locating.value, loadingText: "正在定位…", onClick: locate },
          () => "使用当前位置"),
        h("p", { class: "hint", "aria-live": "polite" }, form.latitude !== null
          ? `位置：北纬 ${form.latitude}，东经 ${form.longitude}（精度约 ${form.accuracy_m} 米）` : "未记录位置"),
      ]),
      props.queued ? h("p", { class: "hint" }, `照片 ${props.queued.photos.length} 张随此走访发送`) : h(PhotoPicker, { modelValue: photos.value, "onUpdate:modelValue": (v) => { photos.value = v; } }),
      ...form.problems.map((p, i) => h(ProblemBlock, { problem: p, index: i, key: i, errors: problemErrors.value[i] || {},
                                                       onRemove: () => form.problems.splice(i, 1) })),
      h(vant.Button, { nativeType: "button", block: true, onClick: () => form.problems.push(emptyProblem()) }, () => "添加问题"),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value, loadingText: "提交中…" }, () => "提交"),
    ]);
  },
});
