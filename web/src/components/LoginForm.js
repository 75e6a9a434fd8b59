// 用户名 / 密码 (and 动态验证码 when the account needs it) → 登录. The server's Chinese detail is shown
// on the page (wrong password, locked account).
import { h, defineComponent, ref, vant } from "../core/vue.js";
import { signIn } from "../core/session.js";
import TextField from "./TextField.js";

export default defineComponent({
  name: "LoginForm",
  props: { username: { type: String, default: "" } },
  emits: ["signedIn"],
  setup(props, { emit }) {
    const username = ref(props.username);
    const password = ref("");
    const otp = ref("");
    const needsOtp = ref(false);
    const error = ref("");
    const busy = ref(false);

    const submit = async (event) => {
      event.preventDefault();
      error.value = "";
      busy.value = true;
      try {
        const user = await signIn(username.value.trim(), password.value, otp.value.trim());
        password.value = "";
        emit("signedIn", user);
      } catch (failure) {
        if (failure.code === "mfa_required") needsOtp.value = true;
        error.value = failure.message;
      } finally {
        busy.value = false;
      }
    };

    return () => h("form", { class: "login card", onSubmit: submit, novalidate: true }, [
      h("h2", "登录联企通"),
      h(TextField, { label: "用户名", modelValue: username.value, autocomplete: "username", required: true,
                     "onUpdate:modelValue": (v) => { username.value = v; } }),
      h(TextField, { label: "密码", type: "password", modelValue: password.value, autocomplete: "current-password",
                     required: true, "onUpdate:modelValue": (v) => { password.value = v; } }),
      needsOtp.value ? h(TextField, { label: "动态验证码", modelValue: otp.value, inputmode: "numeric",
                                      autocomplete: "one-time-code", "onUpdate:modelValue": (v) => { otp.value = v; } }) : null,
      error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
      h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value, loadingText: "登录中…" },
        () => "登录"),
      h("p", { class: "hint" }, [h("a", { href: "/app/policies/match" }, "不来即享：不登录查看可享受的惠企政策")]),
    ]);
  },
});
