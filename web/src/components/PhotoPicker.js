// 添加照片: takes or picks photos, resizes each on the phone, shows them with a button to remove one.
import { toast } from "../core/toast.js";
import { defineComponent, h, onBeforeUnmount, ref, vant } from "../core/vue.js";
import { resize } from "../core/photos.js";

export default defineComponent({
  name: "PhotoPicker",
  props: { modelValue: { type: Array, default: () => [] } },
  emits: ["update:modelValue"],
  setup(props, { emit }) {
    const urls = new Map();
    const busy = ref(false);
    const urlOf = (blob) => {
      if (!urls.has(blob)) urls.set(blob, URL.createObjectURL(blob));
      return urls.get(blob);
    };
    onBeforeUnmount(() => urls.forEach((url) => URL.revokeObjectURL(url)));

    const pick = async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      busy.value = true;
      try {
        const blobs = [];
        for (const file of files) blobs.push(await resize(file));
        emit("update:modelValue", [...props.modelValue, ...blobs]);
      } catch {
        toast("照片无法读取，请换一张", "error");
      } finally {
        busy.value = false;
      }
    };
    const remove = (index) => emit("update:modelValue", props.modelValue.filter((_, i) => i !== index));

    return () => h("div", { class: "field photos" }, [
      h("label", { class: "photo-add", for: "photo-input" }, busy.value ? "正在处理照片…" : "添加照片"),
      h("input", { id: "photo-input", type: "file", accept: "image/jpeg,image/png,image/*", multiple: true,
                   capture: "environment", class: "visually-hidden", onChange: pick }),
      props.modelValue.length ? h("ul", { class: "photo-list", "aria-label": "已选照片" }, props.modelValue.map((blob, i) =>
        h("li", { key: i }, [
          h("img", { src: urlOf(blob), alt: `照片 ${i + 1}（${Math.round(blob.size / 1024)} KB）` }),
          h("button", { type: "button", class: "link-button", onClick: () => remove(i) }, `删除照片 ${i + 1}`),
        ]))) : null,
    ]);
  },
});
