// A background job's page: show its progress as it moves and the download once it is ready.
// Without this script the page refreshes itself (a meta refresh), so nothing depends on it.
"use strict";

(function () {
  const section = document.querySelector("[data-job-progress]");
  if (!section) return;
  const state = section.querySelector(".job-state");
  const bar = section.querySelector(".job-progress");

  function say(name, values) {
    const text = section.dataset["text" + name] || name;
    return text.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  async function poll() {
    let answer;
    try {
      const response = await fetch(section.dataset.jobProgress, { credentials: "same-origin" });
      if (!response.ok) return;
      answer = await response.json();
    } catch (error) {
      return; // the meta refresh or the next poll tries again
    }
    if (answer.state === "queued" || answer.state === "running") {
      bar.max = answer.total || 1;
      bar.value = answer.done;
      state.textContent = answer.state === "queued"
        ? say("Queued", answer)
        : say("Running", answer);
      window.setTimeout(poll, 700);
      return;
    }
    // Finished: the server's page says how (the download link, or why not).
    window.location.reload();
  }

  window.setTimeout(poll, 300);
})();
