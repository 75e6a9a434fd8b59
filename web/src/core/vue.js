// Vue and Vant are loaded as classic scripts (their browser builds, vendored); modules import them here.
// The runtime build has no template compiler (it would need eval, which the CSP forbids), so every
// component is a render function.
export const Vue = window.Vue;
export const vant = window.vant;
export const {
  h, ref, reactive, computed, watch, onMounted, onBeforeUnmount, defineComponent, shallowRef, nextTick,
  markRaw, toRaw, Fragment,
} = window.Vue;
