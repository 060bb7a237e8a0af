/**
 * The bearer token the explorer sends when the server has authentication on. Kept for
 * the browser tab (sessionStorage) unless the user asks to remember it on this device.
 */
import { h } from "./dom";

const KEY = "valuegraph.token";

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string, remember: boolean): void {
  sessionStorage.setItem(KEY, token);
  if (remember) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

/** Ask for a token in a modal dialog; resolves once one is entered. */
export function askForToken(reason: string): Promise<void> {
  return new Promise((resolve) => {
    const input = h("input", { type: "password", id: "token-input", required: true, autocomplete: "off", spellcheck: "false", "aria-describedby": "token-help" });
    const remember = h("input", { type: "checkbox", id: "token-remember" });
    const form = h(
      "form",
      { method: "dialog", class: "token-form" },
      h("h2", {}, "Sign in"),
      h(
        "p",
        { id: "token-help" },
        reason,
        " Paste an API token (",
        h("code", {}, "vg_…"),
        ", created with ",
        h("code", {}, "valuegraph token create"),
        ") or, where the server accepts your organisation's sign-in, an OIDC bearer token (a JWT from its identity provider, e.g. the access token your single sign-on issues). Either is sent as ",
        h("code", {}, "Authorization: Bearer"),
        ".",
      ),
      h("label", { for: "token-input" }, "API token or OIDC bearer token"),
      input,
      h("label", { class: "remember", for: "token-remember" }, remember, " Remember on this device"),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "token-submit" }, "Sign in")),
    );
    const dialog = h("dialog", { id: "token-dialog", "aria-labelledby": "token-title" }, form);
    form.querySelector("h2")!.id = "token-title";
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      setToken(t, remember.checked);
      dialog.close();
      dialog.remove();
      resolve();
    });
    dialog.addEventListener("cancel", (ev) => ev.preventDefault());
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}
