import { render } from "preact";
import { App } from "./components/app.js";
import { detectEmulatorMode } from "./emulator-mode.js";
import "./inbox.css";

void detectEmulatorMode();
const root = document.getElementById("app")!;
root.textContent = "";
render(<App />, root);
