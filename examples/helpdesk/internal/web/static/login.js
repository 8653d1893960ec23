// login.js: the staff's sign-in form. On success it goes to ?next= (default: the console, or the
// dashboard for a supervisor).
"use strict";

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const error = $("login-error");
  error.hidden = true;
  $("login-submit").disabled = true;
  try {
    const me = await api("POST", "/api/login", { login: $("login").value.trim(), password: $("password").value });
    const next = safeNext(new URLSearchParams(location.search).get("next"));
    location.assign(next || (me.role === "supervisor" ? "/dashboard" : "/console"));
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    $("password").select();
  } finally {
    $("login-submit").disabled = false;
  }
});
