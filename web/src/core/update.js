// Whether a new version of the client has been installed while this page runs.
import { reactive } from "./vue.js";

export const appUpdate = reactive({ ready: false });
