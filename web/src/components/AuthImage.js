// A photo of the API (it needs the token): fetched as a blob, shown from an object URL.
import { defineComponent, h, onBeforeUnmount, ref } from "../core/vue.js";
import { api } from "../core/api.js";

export default defineComponent({
  name: "AuthImage",
  props: { src: { type: String, required: true }, alt: { type: String, required: true } },
  setup(props) {
    const url = ref(null);
    api.blobUrl(props.src).then((u) => { url.value = u; }, () => {});
    onBeforeUnmount(() => url.value && URL.revokeObjectURL(url.value));
    return () => (url.value ? h("img", { src: url.value, alt: props.alt }) : h("span", { class: "photo-placeholder" }, props.alt));
  },
});
