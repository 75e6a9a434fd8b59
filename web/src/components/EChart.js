// A chart (ECharts, vendored, loaded on first use) with a text alternative: the same figures as a
// list for screen readers, since a canvas says nothing.
import { defineComponent, h, onBeforeUnmount, onMounted, ref, watch } from "../core/vue.js";
import { loadCharts } from "../core/desk.js";

export default defineComponent({
  name: "EChart",
  props: {
    title: { type: String, required: true },
    kind: { type: String, default: "bar" }, // bar | pie
    items: { type: Array, required: true }, // [{name, value}]
  },
  setup(props) {
    const box = ref(null);
    let chart = null;
    const option = () => {
      const palette = ["#0b57b0", "#c4161c", "#0a7a3d", "#a14a00", "#6b2c91", "#00707a", "#545a63", "#8a5a00"];
      if (props.kind === "pie") {
        return { color: palette, tooltip: { trigger: "item" }, legend: { bottom: 0, textStyle: { color: "#1f2329" } },
          series: [{ type: "pie", radius: ["35%", "65%"], data: props.items, label: { formatter: "{b}：{c}", color: "#1f2329" } }] };
      }
      return { color: palette, tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 16, bottom: 48 },
        xAxis: { type: "category", data: props.items.map((i) => i.name), axisLabel: { color: "#1f2329", interval: 0, rotate: props.items.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1f2329" } },
        series: [{ type: "bar", data: props.items.map((i) => i.value), label: { show: true, position: "top", color: "#1f2329" } }] };
    };
    const resize = () => chart?.resize();
    onMounted(async () => {
      const echarts = await loadCharts();
      if (!box.value) return;
      chart = echarts.init(box.value, null, { renderer: "canvas" });
      chart.setOption(option());
      window.addEventListener("resize", resize);
    });
    watch(() => props.items, () => chart?.setOption(option(), true));
    onBeforeUnmount(() => {
      window.removeEventListener("resize", resize);
      chart?.dispose();
    });
    return () => h("figure", { class: "chart-box" }, [
      h("h3", props.title),
      h("div", { ref: box, class: "chart", role: "img", "aria-label": `${props.title}：${props.items.map((i) => `${i.name} ${i.value}`).join("，")}` }),
    ]);
  },
});
