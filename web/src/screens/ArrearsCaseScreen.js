// 清欠案件 (desk): the case, its plan, repayments and timeline; 制定还款计划 opens the plan editor (the
// difference to the undisputed amount as you type), 登记还款 a repayment form. A 409/412 shows the server's
// reason and the fresh case.
import { defineComponent, h, reactive, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route } from "../core/router.js";
import { label } from "../core/labels.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import ArrearsFacts from "../components/ArrearsFacts.js";
import ArrearsTimeline from "../components/ArrearsTimeline.js";
import PlanEditor from "../components/PlanEditor.js";
import ArrearsForm from "../components/ArrearsForm.js";
import { session } from "../core/session.js";

const today = () => new Date().toLocaleDateString("sv-SE");

export default defineComponent({
  name: "ArrearsCaseScreen",
  setup() {
    const id = Number(route.params.id);
    const item = ref(null);
    const error = ref("");
    const open = ref("");
    const payment = reactive({ paid_on: today(), amount: "", note: "", error: "", sending: false });
    const path = `/arrears/${id}`;
    const load = () => api.get(path).then((d) => { item.value = d; error.value = ""; }, (f) => { error.value = f.message; });
    load();
    const tag = () => `"${item.value.version}"`;
    const refusal = async (failure) => {
      if ([409, 412].includes(failure.status)) await load();
      throw failure;
    };
    const savePlan = async (months) => {
      item.value = await api.put(`${path}/plan`, { months }, { ifMatch: tag() }).catch(refusal);
      toast("还款计划已保存", "success");
    };
    const update = async (body) => {
      item.value = await api.patch(path, body, { ifMatch: tag() }).catch(refusal);
      toast(item.value.supervised ? "已保存（挂牌督办中）" : "已保存", "success");
    };
    const repay = async (event) => {
      event?.preventDefault();
      payment.sending = true;
      payment.error = "";
      try {
        item.value = await api.post(`${path}/repayments`, { paid_on: payment.paid_on, amount_10k: payment.amount.trim(), note: payment.note.trim() },
          { ifMatch: tag() }).catch(refusal);
        toast("已登记还款", "success");
        open.value = "";
        Object.assign(payment, { amount: "", note: "" });
      } catch (failure) {
        payment.error = failure.message;
      } finally {
        payment.sending = false;
      }
    };
    const field = (id_, text, input) => h("div", { class: "field" }, [h("label", { for: id_ }, text), input]);
    const repaymentDialog = () => h(EP.ElDialog, { modelValue: true, title: label("arrears_action", "repay"), width: "480px", appendToBody: true,
      "onUpdate:modelValue": (v) => { if (!v) open.value = ""; } }, {
      default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: repay }, [
        field("repay-date", "还款日期", h("input", { id: "repay-date", type: "date", value: payment.paid_on, max: today(),
          onInput: (e) => { payment.paid_on = e.target.value; } })),
        field("repay-amount", "还款金额（万元）", h("input", { id: "repay-amount", type: "text", inputmode: "decimal", value: payment.amount,
          onInput: (e) => { payment.amount = e.target.value; } })),
        field("repay-note", "凭证说明", h("textarea", { id: "repay-note", rows: 2, value: payment.note, onInput: (e) => { payment.note = e.target.value; } })),
        payment.error ? h("p", { class: "error-box", role: "alert" }, payment.error) : null,
      ]),
      footer: () => [h(EP.ElButton, { onClick: () => { open.value = ""; } }, () => "取消"),
        h(EP.ElButton, { type: "primary", loading: payment.sending, onClick: repay }, () => "确定")],
    });
    return () => {
      const c = item.value;
      return h(DeskPage, { title: c ? `清欠案件 · ${c.creditor_name}` : "清欠案件" }, {
        tools: () => h("a", { href: "/app/arrears" }, "返回清欠"),
        default: () => {
          if (error.value && !c) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!c) return h(EP.ElSkeleton, { rows: 8, animated: true });
          const actions = c.allowed_actions.filter((a) => ["update", "plan", "repay"].includes(a));
          return [
            error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
            h("div", { class: "detail-grid" }, [
              h("div", h("div", { class: "desk-card" }, h(ArrearsFacts, { item: c }))),
              h("div", [
                h("div", { class: "desk-card" }, [
                  h("h3", "操作"),
                  actions.length ? h("div", { class: "action-bar", role: "group", "aria-label": "可执行的操作" }, actions.map((a) =>
                    h(EP.ElButton, { type: "primary", plain: true, onClick: () => { open.value = a; } }, () => label("arrears_action", a))))
                    : h("p", { class: "notice" }, "当前没有可执行的操作。"),
                ]),
                h("div", { class: "desk-card" }, [h("h3", "办理过程"), h(ArrearsTimeline, { events: c.events })]),
              ]),
            ]),
            open.value === "plan" ? h(PlanEditor, { title: label("arrears_action", "plan"), undisputed: c.undisputed_10k, plan: c.plan,
              save: savePlan, onClose: () => { open.value = ""; } }) : null,
            open.value === "repay" ? repaymentDialog() : null,
            open.value === "update" ? h(ArrearsForm, { title: label("arrears_action", "update"), item: c, send: update,
              mayFlagComplex: session.user.role === "coordinator", onClose: () => { open.value = ""; } }) : null,
          ];
        },
      });
    };
  },
});
