// The frame of every desk screen: Element Plus in Chinese, the screen's heading, its toolbar and body.
import { defineComponent, h } from "../core/vue.js";
import { loadDesk } from "../core/desk.js";

const { EP, locale } = await loadDesk();

export default defineComponent({
  name: "DeskPage",
  props: { title: { type: String, required: true } },
  setup(props, { slots }) {
    return () => h(EP.ElConfigProvider, { locale }, () => h("section", { class: "desk-page" }, [
      h("div", { class: "desk-head" }, [h("h2", { class: "desk-title" }, props.title), slots.tools?.()]),
      slots.default?.(),
    ]));
  },
});

export { EP };
