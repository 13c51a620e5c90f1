// The reading of a date beside its box, as the archivist types
// (archive/admin/date_readings.py): the server reads what is typed, with the
// code a save runs, and the answer replaces the reading. A file, not an inline
// script: the admin's Content-Security-Policy runs no inline script.
"use strict";
{
  const WAIT_MS = 250; // after the last key, so that a word typed is one request
  const timers = new WeakMap();

  async function read(input, reading) {
    const typed = input.value;
    const url = new URL(input.dataset.dateReading, window.location.href);
    url.searchParams.set("edtf", typed);
    let answer;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      answer = await response.json();
    } catch {
      return; // offline, or logged out (the login page is no JSON): keep the last reading
    }
    if (input.value !== typed) {
      return; // typed on since: the answer for what is there now is on its way
    }
    reading.textContent = answer.error ?? answer.reading ?? "";
    reading.classList.toggle("invalid", Boolean(answer.error));
    // A row added in the page was copied from the empty form: its box named the
    // reading by the copy's id, "…-__prefix__-…_reading"; name it by its own.
    const described = (input.getAttribute("aria-describedby") ?? "").split(" ");
    const others = described.filter((id) => id && !id.endsWith("_reading"));
    input.setAttribute("aria-describedby", [...others, reading.id].join(" "));
  }

  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.dateReading) {
      return;
    }
    const reading = input.nextElementSibling;
    if (!reading?.classList.contains("date-reading")) {
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(() => read(input, reading), WAIT_MS));
  });
}
