import "./styles.css";
import { App } from "./app";

const app = new App();
(window as unknown as { valuegraph: App }).valuegraph = app;
app.start().catch((err: Error) => {
  const status = document.getElementById("status");
  if (status) {
    status.textContent = `The explorer could not start: ${err.message}`;
    status.classList.add("error");
  }
  document.body.dataset.ready = "error";
});
